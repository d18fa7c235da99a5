package agent

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
)

// WritePrometheus writes the agent's gauges (each model's version, state,
// queue and sessions; the result cache's size and writes) and then the
// request figures of the telemetry recorder, in the Prometheus text format.
func (a *Agent) WritePrometheus(w io.Writer) {
	bw := bufio.NewWriter(w)
	models := a.Models()
	gauge := func(name, help string, val func(ModelStatus) (float64, bool)) {
		fmt.Fprintf(bw, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name)
		for _, m := range models {
			if v, ok := val(m); ok {
				fmt.Fprintf(bw, "%s{model=%s} %s\n", name, strconv.Quote(m.Name), strconv.FormatFloat(v, 'g', -1, 64))
			}
		}
	}
	fmt.Fprintf(bw, "# HELP edgeinfer_model_info The serving version of each model.\n# TYPE edgeinfer_model_info gauge\n")
	for _, m := range models {
		if m.Version != "" {
			fmt.Fprintf(bw, "edgeinfer_model_info{model=%s,version=%s,digest=%s} 1\n", strconv.Quote(m.Name), strconv.Quote(m.Version), strconv.Quote(m.Digest))
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
			fmt.Fprintf(bw, "# HELP edgeinfer_cache_entries Entries in the result cache.\n# TYPE edgeinfer_cache_entries gauge\nedgeinfer_cache_entries %d\n", n)
			fmt.Fprintf(bw, "# HELP edgeinfer_cache_bytes Bytes in the result cache.\n# TYPE edgeinfer_cache_bytes gauge\nedgeinfer_cache_bytes %d\n", size)
		}
		c := a.cache
		fmt.Fprintf(bw, "# HELP edgeinfer_cache_writes_total Results written to the cache.\n# TYPE edgeinfer_cache_writes_total counter\nedgeinfer_cache_writes_total %d\n", c.written.Load())
		fmt.Fprintf(bw, "# HELP edgeinfer_cache_evictions_total Entries evicted to keep the cache under its cap.\n# TYPE edgeinfer_cache_evictions_total counter\nedgeinfer_cache_evictions_total %d\n", c.evicted.Load())
		fmt.Fprintf(bw, "# HELP edgeinfer_cache_dropped_total Results not cached because the write queue was full.\n# TYPE edgeinfer_cache_dropped_total counter\nedgeinfer_cache_dropped_total %d\n", c.dropped.Load())
	}
	bw.Flush()
	a.rec.WritePrometheus(w)
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
