package hub

import (
	"errors"
	"fmt"
	"net/http"
	"sort"
	"time"

	"github.com/edgeinfer/edgeinfer/hub/hubclient"
	"github.com/edgeinfer/edgeinfer/telemetry"
)

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

func (s *Server) devices() ([]hubclient.Device, error) {
	recs, err := s.db.devices()
	if err != nil {
		return nil, err
	}
	now := s.o.Now()
	out := make([]hubclient.Device, 0, len(recs))
	for _, rec := range recs {
		interval := rec.Interval
		if interval <= 0 {
			interval = telemetry.DefaultInterval
		}
		d := hubclient.Device{
			ID: rec.ID, LastSeen: rec.LastSeen, Platform: rec.Platform, AgentVersion: rec.AgentVersion,
			Attributes: rec.Attributes, UptimeS: rec.Uptime.Seconds(), Temperature: rec.Temperature,
			SpoolDropped: rec.SpoolDropped, Batches: rec.Batches,
			Online: now.Sub(rec.LastSeen) <= onlineWindow*interval,
			Models: []hubclient.Model{},
		}
		for _, m := range rec.Models {
			mj := hubclient.Model{Name: m.Name, Version: m.Version, Requests: m.Requests, Errors: m.Errors, CacheHits: m.CacheHits}
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
	out := hubclient.Series{Device: device, Model: model, Points: make([]hubclient.Point, 0, len(pts))}
	for _, p := range pts {
		out.Points = append(out.Points, hubclient.Point{T: p.T, Version: p.Version, Requests: p.Requests, Errors: p.Errors, P50ms: p.P50ms, P99ms: p.P99ms})
	}
	writeJSON(w, http.StatusOK, out)
}
