package hub

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"time"

	"github.com/edgeinfer/edgeinfer/telemetry"
)

// deviceRecord is what the hub keeps per device (JSON in its storage).
// Model totals are sums over every accepted batch.
type deviceRecord struct {
	ID           string            `json:"id"`
	Platform     string            `json:"platform"`
	AgentVersion string            `json:"agent_version"`
	Attributes   map[string]string `json:"attributes,omitempty"`
	FirstSeen    time.Time         `json:"first_seen"`
	LastSeen     time.Time         `json:"last_seen"`
	Interval     time.Duration     `json:"interval_ns"`
	Uptime       time.Duration     `json:"uptime_ns"`
	Temperature  *float64          `json:"temperature_c,omitempty"`
	SpoolDropped uint64            `json:"spool_dropped"`
	Batches      uint64            `json:"batches"`
	Models       []modelRecord     `json:"models"`
}

type modelRecord struct {
	Name        string    `json:"name"`
	Version     string    `json:"version"`
	Requests    uint64    `json:"requests"`
	Errors      uint64    `json:"errors"`
	CacheHits   uint64    `json:"cache_hits"`
	TotalCounts []uint64  `json:"total_counts"`
	TotalSum    int64     `json:"total_sum_ns"`
	LastSeen    time.Time `json:"last_seen"`
}

// point is one interval of one model version (JSON in its storage).
type point struct {
	Requests uint64  `json:"requests"`
	Errors   uint64  `json:"errors"`
	P50ms    float64 `json:"p50_ms"`
	P99ms    float64 `json:"p99_ms"`
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// handleMetrics takes one OTLP/HTTP metrics request from an agent.
func (s *Server) handleMetrics(w http.ResponseWriter, r *http.Request) {
	if !s.o.OpenIngest && !s.authorized(r) {
		s.httpError(w, r, http.StatusUnauthorized, "missing or wrong bearer token")
		return
	}
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct != "application/x-protobuf" {
		s.httpError(w, r, http.StatusUnsupportedMediaType, fmt.Sprintf("content type %q: want application/x-protobuf (OTLP/HTTP protobuf)", ct))
		return
	}
	key := r.Header.Get("Idempotency-Key")
	if len(key) > 256 {
		s.httpError(w, r, http.StatusBadRequest, "Idempotency-Key longer than 256 bytes")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.o.MaxBody))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		s.httpError(w, r, http.StatusRequestEntityTooLarge, fmt.Sprintf("body larger than %d bytes", s.o.MaxBody))
		return
	case err != nil:
		s.httpError(w, r, http.StatusBadRequest, "reading body: "+err.Error())
		return
	}
	switch enc := r.Header.Get("Content-Encoding"); enc {
	case "gzip":
		body, err = gunzip(body, maxBatchBytes)
	case "", "identity":
	default:
		s.httpError(w, r, http.StatusUnsupportedMediaType, fmt.Sprintf("content encoding %q: want gzip or none", enc))
		return
	}
	var b *telemetry.Batch
	if err == nil {
		b, err = decodeBatch(body)
	}
	switch {
	case errors.Is(err, errTooLarge):
		s.httpError(w, r, http.StatusRequestEntityTooLarge, err.Error())
		return
	case err != nil:
		s.httpError(w, r, http.StatusBadRequest, err.Error())
		return
	}
	dup, err := s.ingest(b, key)
	switch {
	case errors.Is(err, errBadName):
		s.httpError(w, r, http.StatusBadRequest, err.Error())
		return
	case err != nil:
		s.log.Error("storing a telemetry batch failed", "device", b.Device.ID, "err", err)
		s.httpError(w, r, http.StatusInternalServerError, "storing the batch failed")
		return
	}
	if dup {
		s.log.Debug("duplicate batch ignored", "device", b.Device.ID, "key", key)
	}
	// An empty ExportMetricsServiceResponse is zero bytes of protobuf.
	w.Header().Set("Content-Type", "application/x-protobuf")
	w.WriteHeader(http.StatusOK)
}

// ingest applies a batch to its device's record and series, once per
// idempotency key (scoped to the device).
func (s *Server) ingest(b *telemetry.Batch, key string) (dup bool, err error) {
	now := s.o.Now().UTC()
	if key != "" {
		key = b.Device.ID + "\x00" + key
	}
	return s.db.ingest(key, now, func(tx ingestTx) error {
		rec, known, err := tx.device(b.Device.ID)
		if err != nil {
			return err
		}
		if !known {
			rec.FirstSeen = now
		}
		rec.ID, rec.Platform, rec.AgentVersion, rec.Attributes = b.Device.ID, b.Device.Platform, b.Device.AgentVersion, b.Device.Attributes
		rec.LastSeen, rec.Uptime, rec.SpoolDropped = now, b.Uptime, b.SpoolDropped
		switch iv := b.End.Sub(b.Start); {
		case b.Interval > 0:
			rec.Interval = b.Interval
		case iv > 0:
			rec.Interval = iv
		}
		rec.Temperature = nil
		if b.HasTemperature {
			t := b.Temperature
			rec.Temperature = &t
		}
		rec.Batches++
		for _, m := range b.Models {
			mr := rec.model(m.Name, m.Version)
			mr.Requests += m.Requests
			mr.Errors += m.Errors
			mr.CacheHits += m.CacheHits
			if len(mr.TotalCounts) != len(m.Total.Counts) {
				mr.TotalCounts = make([]uint64, len(m.Total.Counts))
			}
			for i, c := range m.Total.Counts {
				mr.TotalCounts[i] += c
			}
			mr.TotalSum += m.Total.Sum
			if m.Requests > 0 {
				mr.LastSeen = now
			}
			p := point{Requests: m.Requests, Errors: m.Errors, P50ms: ms(m.Total.Quantile(0.5)), P99ms: ms(m.Total.Quantile(0.99))}
			if err := tx.putPoint(b.Device.ID, m.Name, m.Version, b.End, p); err != nil {
				return err
			}
		}
		return tx.putDevice(rec)
	})
}

// model returns the record of a model version, adding it when new.
func (d *deviceRecord) model(name, version string) *modelRecord {
	for i := range d.Models {
		if d.Models[i].Name == name && d.Models[i].Version == version {
			return &d.Models[i]
		}
	}
	d.Models = append(d.Models, modelRecord{Name: name, Version: version})
	return &d.Models[len(d.Models)-1]
}
