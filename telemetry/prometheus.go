package telemetry

import (
	"io"
)

// WritePrometheus writes every model version's figures, and the device's
// gauges, in the Prometheus text exposition format 0.0.4 (Content-Type
// "text/plain; version=0.0.4"). Latencies are in seconds.
func (r *Recorder) WritePrometheus(w io.Writer) error {
	p := NewPromWriter(w)
	dev := r.deviceInfo()
	p.Family("edgeinfer_agent_info", "gauge", "The running agent and the device it runs on.")
	p.Float("edgeinfer_agent_info", deviceLabels(dev), 1)
	p.Family("edgeinfer_uptime_seconds", "gauge", "Time since the agent started.")
	p.Float("edgeinfer_uptime_seconds", nil, r.Uptime().Seconds())
	if c, ok := dev.temperature(); ok {
		p.Family("edgeinfer_temperature_celsius", "gauge", "SoC temperature.")
		p.Float("edgeinfer_temperature_celsius", nil, c)
	}

	models := r.Models()
	snaps := make([]Snapshot, len(models))
	labels := make([][]Label, len(models))
	for i, m := range models {
		snaps[i] = m.Snapshot()
		labels[i] = []Label{{"model", m.name}, {"version", m.version}}
	}
	counters := []struct {
		name, help string
		get        func(Snapshot) uint64
	}{
		{"edgeinfer_requests_total", "Requests answered.", func(s Snapshot) uint64 { return s.Requests }},
		{"edgeinfer_errors_total", "Requests that failed.", func(s Snapshot) uint64 { return s.Errors }},
		{"edgeinfer_cache_hits_total", "Requests answered from the result cache.", func(s Snapshot) uint64 { return s.CacheHits }},
		{"edgeinfer_cache_misses_total", "Requests the result cache could not answer.", func(s Snapshot) uint64 { return s.CacheMisses }},
	}
	for _, c := range counters {
		p.Family(c.name, "counter", c.help)
		for i := range models {
			p.Uint(c.name, labels[i], c.get(snaps[i]))
		}
	}
	hists := []struct {
		name, help string
		div        float64
		get        func(Snapshot) Histogram
	}{
		{"edgeinfer_request_duration_seconds", "Whole request latency.", 1e9, func(s Snapshot) Histogram { return s.Total }},
		{"edgeinfer_queue_duration_seconds", "Time waiting for a batch slot.", 1e9, func(s Snapshot) Histogram { return s.Queue }},
		{"edgeinfer_compute_duration_seconds", "Time running the model.", 1e9, func(s Snapshot) Histogram { return s.Compute }},
		{"edgeinfer_batch_size", "Requests per batch run.", 1, func(s Snapshot) Histogram { return s.Batches }},
	}
	for _, h := range hists {
		p.Family(h.name, "histogram", h.help)
		for i := range models {
			p.Histogram(h.name, labels[i], h.get(snaps[i]), h.div)
		}
	}
	return p.Flush()
}

// deviceLabels are the labels of edgeinfer_agent_info: device, version,
// platform, then the device's attributes by key (a key that would clash
// with the first three is left out).
func deviceLabels(d Device) []Label {
	out := []Label{{"device", d.ID}, {"version", d.AgentVersion}, {"platform", d.Platform}}
	for _, k := range sortedKeys(d.Attributes) {
		switch promName(k) {
		case "device", "version", "platform":
			continue
		}
		out = append(out, Label{k, d.Attributes[k]})
	}
	return out
}
