package agent

import (
	"io"

	"github.com/edgeinfer/edgeinfer/telemetry"
)

// WritePrometheus writes the agent's gauges (each model's version, state,
// queue and sessions; the result cache's size and writes) and then the
// request figures of the telemetry recorder, in the Prometheus text format,
// both through telemetry's PromWriter. A failed write (the scraper went
// away) ends it early.
func (a *Agent) WritePrometheus(w io.Writer) {
	p := telemetry.NewPromWriter(w)
	models := a.Models()
	gauge := func(name, help string, val func(ModelStatus) (float64, bool)) {
		p.Family(name, "gauge", help)
		for _, m := range models {
			if v, ok := val(m); ok {
				p.Float(name, []telemetry.Label{{Name: "model", Value: m.Name}}, v)
			}
		}
	}
	p.Family("edgeinfer_model_info", "gauge", "The serving version of each model.")
	for _, m := range models {
		if m.Version != "" {
			p.Float("edgeinfer_model_info", []telemetry.Label{{Name: "model", Value: m.Name}, {Name: "version", Value: m.Version}, {Name: "digest", Value: m.Digest}}, 1)
		}
	}
	gauge("edgeinfer_model_ready", "1 while the model has a serving version.", func(m ModelStatus) (float64, bool) {
		return b2f(m.State == StateReady), true
	})
	served := func(f func(ModelStatus) int) func(ModelStatus) (float64, bool) {
		return func(m ModelStatus) (float64, bool) { return float64(f(m)), m.State == StateReady }
	}
	gauge("edgeinfer_queue_depth", "Requests waiting for a session.", served(func(m ModelStatus) int { return m.Queue }))
	gauge("edgeinfer_queue_capacity", "Bound of the model's queue.", served(func(m ModelStatus) int { return m.QueueCap }))
	gauge("edgeinfer_sessions", "Sessions serving the model.", served(func(m ModelStatus) int { return m.Sessions }))
	gauge("edgeinfer_max_batch", "Largest batch the scheduler forms (1 = no batching).", served(func(m ModelStatus) int { return m.MaxBatch }))
	if a.store != nil {
		if n, size, err := a.store.CacheStats(); err == nil {
			p.Family("edgeinfer_cache_entries", "gauge", "Entries in the result cache.")
			p.Uint("edgeinfer_cache_entries", nil, uint64(n))
			p.Family("edgeinfer_cache_bytes", "gauge", "Bytes in the result cache.")
			p.Uint("edgeinfer_cache_bytes", nil, uint64(size))
		}
		c := a.cache
		p.Family("edgeinfer_cache_writes_total", "counter", "Results written to the cache.")
		p.Uint("edgeinfer_cache_writes_total", nil, c.written.Load())
		p.Family("edgeinfer_cache_evictions_total", "counter", "Entries evicted to keep the cache under its cap.")
		p.Uint("edgeinfer_cache_evictions_total", nil, c.evicted.Load())
		p.Family("edgeinfer_cache_dropped_total", "counter", "Results not cached because the write queue was full.")
		p.Uint("edgeinfer_cache_dropped_total", nil, c.dropped.Load())
	}
	if p.Flush() == nil {
		a.rec.WritePrometheus(w)
	}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
