package telemetry

import (
	"bufio"
	"io"
	"math"
	"strconv"
	"strings"
)

// PromWriter writes the Prometheus text exposition format 0.0.4
// (Content-Type "text/plain; version=0.0.4"): a family's HELP and TYPE
// lines (Family), then its samples. It is the one writer of GET /metrics:
// the agent's gauges and the recorder's figures both go through it. Metric
// and label names are made valid (other characters become '_'); label
// values and help texts are escaped as the format wants (backslash, double
// quote in values, newline) and made valid UTF-8, so a model name may hold
// any text.
type PromWriter struct {
	w *bufio.Writer
}

// Label is one label of a sample.
type Label struct{ Name, Value string }

// NewPromWriter returns a writer to w; call Flush at the end.
func NewPromWriter(w io.Writer) *PromWriter { return &PromWriter{w: bufio.NewWriter(w)} }

// Family starts a metric family: typ is "counter", "gauge" or "histogram".
func (p *PromWriter) Family(name, typ, help string) {
	name = promName(name)
	p.w.WriteString("# HELP " + name + " " + helpEscaper.Replace(help) + "\n")
	p.w.WriteString("# TYPE " + name + " " + typ + "\n")
}

// Float writes one sample.
func (p *PromWriter) Float(name string, labels []Label, v float64) {
	p.sample(name, labels, formatFloat(v))
}

// Uint writes one sample of an integer figure (exact beyond 2^53).
func (p *PromWriter) Uint(name string, labels []Label, v uint64) {
	p.sample(name, labels, strconv.FormatUint(v, 10))
}

// Histogram writes a histogram's cumulative buckets, sum and count; div
// turns its values into the exposed unit (1e9: nanoseconds to seconds).
func (p *PromWriter) Histogram(name string, labels []Label, h Histogram, div float64) {
	le := append(append(make([]Label, 0, len(labels)+1), labels...), Label{Name: "le"})
	var cum uint64
	for i, b := range h.Bounds {
		cum += h.Counts[i]
		le[len(labels)].Value = formatFloat(float64(b) / div)
		p.Uint(name+"_bucket", le, cum)
	}
	le[len(labels)].Value = "+Inf"
	p.Uint(name+"_bucket", le, h.Count)
	p.Float(name+"_sum", labels, float64(h.Sum)/div)
	p.Uint(name+"_count", labels, h.Count)
}

// Flush writes out what is buffered and returns the first write error.
func (p *PromWriter) Flush() error { return p.w.Flush() }

func (p *PromWriter) sample(name string, labels []Label, value string) {
	p.w.WriteString(promName(name))
	if len(labels) > 0 {
		p.w.WriteByte('{')
		for i, l := range labels {
			if i > 0 {
				p.w.WriteByte(',')
			}
			p.w.WriteString(promName(l.Name))
			p.w.WriteString(`="`)
			p.w.WriteString(labelEscaper.Replace(strings.ToValidUTF8(l.Value, "\uFFFD")))
			p.w.WriteByte('"')
		}
		p.w.WriteByte('}')
	}
	p.w.WriteByte(' ')
	p.w.WriteString(value)
	p.w.WriteByte('\n')
}

// promName turns a name such as the attribute key "host.arch" into a
// valid Prometheus metric or label name ("host_arch"): [a-zA-Z_] first,
// then [a-zA-Z0-9_].
func promName(k string) string {
	valid := k != ""
	for i, c := range k {
		if !nameChar(c, i) {
			valid = false
			break
		}
	}
	if valid {
		return k
	}
	var b strings.Builder
	for i, c := range k {
		if nameChar(c, i) {
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

func nameChar(c rune, i int) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9'
}

var (
	labelEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	helpEscaper  = strings.NewReplacer(`\`, `\\`, "\n", `\n`)
)

// formatFloat writes a sample value: +Inf, -Inf and NaN as the format
// spells them, other values in the shortest exact form.
func formatFloat(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "+Inf"
	case math.IsInf(f, -1):
		return "-Inf"
	case math.IsNaN(f):
		return "NaN"
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}
