package hub

import (
	"errors"
	"fmt"
	"net/http"
	"sort"
	"time"

	"github.com/edgeinfer/edgeinfer/telemetry"
)

// deviceJSON is one entry of GET /api/devices.
type deviceJSON struct {
	ID           string            `json:"id"`
	Online       bool              `json:"online"`
	LastSeen     time.Time         `json:"last_seen"`
	Platform     string            `json:"platform"`
	AgentVersion string            `json:"agent_version"`
	Attributes   map[string]string `json:"attributes,omitempty"`
	UptimeS      float64           `json:"uptime_s"`
	Temperature  *float64          `json:"temperature_c,omitempty"`
	SpoolDropped uint64            `json:"spool_dropped"`
	Batches      uint64            `json:"batches"`
	Models       []modelJSON       `json:"models"`
}

type modelJSON struct {
	Name      string  `json:"name"`
	Version   string  `json:"version"`
	Requests  uint64  `json:"requests"`
	Errors    uint64  `json:"errors"`
	CacheHits uint64  `json:"cache_hits"`
	P50ms     float64 `json:"p50_ms"`
	P99ms     float64 `json:"p99_ms"`
}

// onlineWindow is how many upload intervals a device may miss and still
// count as online.
const onlineWindow = 3

// handleDevices lists every device with its model totals.
func (s *Server) handleDevices(w http.ResponseWriter, r *http.Request) {
	devs, err := s.devices()
	if err != nil {
		s.log.Error("reading devices failed", "err", err)
		s.httpError(w, r, http.StatusInternalServerError, "reading devices failed")
		return
	}
	writeJSON(w, http.StatusOK, devs)
}

func (s *Server) devices() ([]deviceJSON, error) {
	recs, err := s.db.devices()
	if err != nil {
		return nil, err
	}
	now := s.o.Now()
	out := make([]deviceJSON, 0, len(recs))
	for _, rec := range recs {
		interval := rec.Interval
		if interval <= 0 {
			interval = telemetry.DefaultInterval
		}
		d := deviceJSON{
			ID: rec.ID, LastSeen: rec.LastSeen, Platform: rec.Platform, AgentVersion: rec.AgentVersion,
			Attributes: rec.Attributes, UptimeS: rec.Uptime.Seconds(), Temperature: rec.Temperature,
			SpoolDropped: rec.SpoolDropped, Batches: rec.Batches,
			Online: now.Sub(rec.LastSeen) <= onlineWindow*interval,
			Models: []modelJSON{},
		}
		for _, m := range rec.Models {
			mj := modelJSON{Name: m.Name, Version: m.Version, Requests: m.Requests, Errors: m.Errors, CacheHits: m.CacheHits}
			if h, err := telemetry.LatencyHistogram(m.TotalCounts, m.TotalSum); err == nil {
				mj.P50ms, mj.P99ms = ms(h.Quantile(0.5)), ms(h.Quantile(0.99))
			}
			d.Models = append(d.Models, mj)
		}
		sort.Slice(d.Models, func(i, j int) bool {
			if d.Models[i].Name != d.Models[j].Name {
				return d.Models[i].Name < d.Models[j].Name
			}
			return d.Models[i].Version < d.Models[j].Version
		})
		out = append(out, d)
	}
	return out, nil
}

// seriesJSON is the answer of GET /api/series.
type seriesJSON struct {
	Device string      `json:"device"`
	Model  string      `json:"model"`
	Points []pointJSON `json:"points"`
}

type pointJSON struct {
	T       time.Time `json:"t"`
	Version string    `json:"version"`
	point
}

// handleSeries returns one model's latency points on one device, every
// version, oldest first: ?device=ID&model=NAME[&since=DURATION] (default
// the last 24 h).
func (s *Server) handleSeries(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	device, model := q.Get("device"), q.Get("model")
	if device == "" || model == "" {
		s.httpError(w, r, http.StatusBadRequest, "want ?device=ID&model=NAME")
		return
	}
	since := 24 * time.Hour
	if v := q.Get("since"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			s.httpError(w, r, http.StatusBadRequest, fmt.Sprintf("since=%q: want a positive duration such as 6h", v))
			return
		}
		since = d
	}
	pts, bad, err := s.db.series(device, model, s.o.Now().Add(-since))
	switch {
	case errors.Is(err, errBadName):
		s.httpError(w, r, http.StatusBadRequest, err.Error())
		return
	case err != nil:
		s.log.Error("reading a series failed", "device", device, "model", model, "err", err)
		s.httpError(w, r, http.StatusInternalServerError, "reading the series failed")
		return
	case bad > 0:
		s.log.Error("series points that do not decode skipped", "device", device, "model", model, "points", bad)
	}
	out := seriesJSON{Device: device, Model: model, Points: make([]pointJSON, 0, len(pts))}
	for _, p := range pts {
		out.Points = append(out.Points, pointJSON{T: p.T, Version: p.Version, point: p.point})
	}
	writeJSON(w, http.StatusOK, out)
}
