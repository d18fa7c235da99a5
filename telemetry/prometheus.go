package telemetry

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// WritePrometheus writes every model version's figures, and the device's
// gauges, in the Prometheus text exposition format 0.0.4 (Content-Type
// "text/plain; version=0.0.4"). Latencies are in seconds.
func (r *Recorder) WritePrometheus(w io.Writer) error {
	bw := bufio.NewWriter(w)
	dev := r.deviceInfo()
	fmt.Fprintf(bw, "# HELP edgeinfer_agent_info The running agent and the device it runs on.\n# TYPE edgeinfer_agent_info gauge\n")
	fmt.Fprintf(bw, "edgeinfer_agent_info{%s} 1\n", deviceLabels(dev))
	fmt.Fprintf(bw, "# HELP edgeinfer_uptime_seconds Time since the agent started.\n# TYPE edgeinfer_uptime_seconds gauge\n")
	fmt.Fprintf(bw, "edgeinfer_uptime_seconds %s\n", formatFloat(r.Uptime().Seconds()))
	if c, ok := dev.temperature(); ok {
		fmt.Fprintf(bw, "# HELP edgeinfer_temperature_celsius SoC temperature.\n# TYPE edgeinfer_temperature_celsius gauge\n")
		fmt.Fprintf(bw, "edgeinfer_temperature_celsius %s\n", formatFloat(c))
	}

	models := r.Models()
	snaps := make([]Snapshot, len(models))
	for i, m := range models {
		snaps[i] = m.Snapshot()
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
		fmt.Fprintf(bw, "# HELP %s %s\n# TYPE %s counter\n", c.name, c.help, c.name)
		for i, m := range models {
			fmt.Fprintf(bw, "%s{%s} %d\n", c.name, modelLabels(m), c.get(snaps[i]))
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
		fmt.Fprintf(bw, "# HELP %s %s\n# TYPE %s histogram\n", h.name, h.help, h.name)
		for i, m := range models {
			writePromHistogram(bw, h.name, modelLabels(m), h.get(snaps[i]), h.div)
		}
	}
	return bw.Flush()
}

func writePromHistogram(w *bufio.Writer, name, labels string, h Histogram, div float64) {
	var cum uint64
	for i, b := range h.Bounds {
		cum += h.Counts[i]
		fmt.Fprintf(w, "%s_bucket{%s,le=\"%s\"} %d\n", name, labels, formatFloat(float64(b)/div), cum)
	}
	fmt.Fprintf(w, "%s_bucket{%s,le=\"+Inf\"} %d\n", name, labels, h.Count)
	fmt.Fprintf(w, "%s_sum{%s} %s\n", name, labels, formatFloat(float64(h.Sum)/div))
	fmt.Fprintf(w, "%s_count{%s} %d\n", name, labels, h.Count)
}

func modelLabels(m *ModelStats) string {
	return `model="` + escapeLabel(m.name) + `",version="` + escapeLabel(m.version) + `"`
}

func deviceLabels(d Device) string {
	var b strings.Builder
	add := func(k, v string) {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(labelName(k))
		b.WriteString(`="`)
		b.WriteString(escapeLabel(v))
		b.WriteByte('"')
	}
	add("device", d.ID)
	add("version", d.AgentVersion)
	add("platform", d.Platform)
	for _, k := range sortedKeys(d.Attributes) {
		switch labelName(k) {
		case "device", "version", "platform":
			continue
		}
		add(k, d.Attributes[k])
	}
	return b.String()
}

// labelName turns an attribute key such as "host.arch" into a valid
// Prometheus label name ("host_arch").
func labelName(k string) string {
	var b strings.Builder
	for i, c := range k {
		ok := c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9'
		if ok {
			b.WriteRune(c)
		} else {
			b.WriteByte('_')
		}
	}
	if b.Len() == 0 {
		return "_"
	}
	return b.String()
}

var labelEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)

func escapeLabel(v string) string { return labelEscaper.Replace(v) }

func formatFloat(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }
