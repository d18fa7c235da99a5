package telemetry

import (
	"bytes"
	"math"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// hostile are label values that break a writer which does not escape
// them as the text format wants.
var hostile = []string{
	`say "hi"`,
	`C:\models\kws`,
	"two\nlines",
	`trailing backslash \`,
	"\\\"\n\\n",
	"tab\tand ünïcödé",
	"bad utf-8 \xff\xfe",
	"",
}

// parseProm reads an exposition with Prometheus's own parser.
func parseProm(t *testing.T, b []byte) map[string]*dto.MetricFamily {
	t.Helper()
	p := expfmt.NewTextParser(model.LegacyValidation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("Prometheus's parser refuses the output: %v\n%s", err, b)
	}
	return fams
}

func labelsOf(m *dto.Metric) map[string]string {
	out := map[string]string{}
	for _, l := range m.GetLabel() {
		out[l.GetName()] = l.GetValue()
	}
	return out
}

func TestPromWriterHostileLabels(t *testing.T) {
	var buf bytes.Buffer
	p := NewPromWriter(&buf)
	p.Family("x_info", "gauge", "Help with a \\ backslash\nand a newline.")
	for i, v := range hostile {
		p.Float("x_info", []Label{{"model", v}, {"host.arch", "n"}, {"9lives", "n"}, {"i", string(rune('a' + i))}}, float64(i))
	}
	p.Family("x_special", "gauge", "Special values.")
	p.Float("x_special", []Label{{"v", "inf"}}, math.Inf(1))
	p.Float("x_special", []Label{{"v", "-inf"}}, math.Inf(-1))
	p.Float("x_special", []Label{{"v", "nan"}}, math.NaN())
	p.Family("x_big_total", "counter", "Past 2^53.")
	p.Uint("x_big_total", nil, math.MaxUint64)
	if err := p.Flush(); err != nil {
		t.Fatal(err)
	}
	fams := parseProm(t, buf.Bytes())
	info := fams["x_info"]
	if info == nil || len(info.Metric) != len(hostile) {
		t.Fatalf("x_info: %v", info)
	}
	if got := info.GetHelp(); got != "Help with a \\ backslash\nand a newline." {
		t.Errorf("help reads back as %q", got)
	}
	for i, m := range info.Metric {
		l := labelsOf(m)
		want := strings.ToValidUTF8(hostile[i], "\uFFFD")
		if l["model"] != want || l["host_arch"] != "n" || l["_lives"] != "n" || m.GetGauge().GetValue() != float64(i) {
			t.Errorf("sample %d reads back as %v = %v, want model %q", i, l, m.GetGauge().GetValue(), want)
		}
	}
	sp := fams["x_special"].GetMetric()
	if len(sp) != 3 || !math.IsInf(sp[0].GetGauge().GetValue(), 1) || !math.IsInf(sp[1].GetGauge().GetValue(), -1) || !math.IsNaN(sp[2].GetGauge().GetValue()) {
		t.Errorf("special values read back as %v", sp)
	}
	if !strings.Contains(buf.String(), "x_big_total 18446744073709551615\n") {
		t.Errorf("a uint64 is not written exactly:\n%s", buf.String())
	}
}

// TestWritePrometheusParses gives the recorder models and a device whose
// names hold quotes, backslashes and newlines, and reads the whole output
// back with Prometheus's parser.
func TestWritePrometheusParses(t *testing.T) {
	r := NewRecorder()
	r.SetDevice(Device{ID: "dev\n1", AgentVersion: `0.3"`, Platform: `rpi\4`,
		Attributes:  map[string]string{"edgeinfer.cpu": "Cortex-A72 \"r0p3\"\n", "device": "clash"},
		Temperature: func() (float64, bool) { return 51.5, true }})
	for i, name := range hostile[:6] {
		m := r.Model(name, hostile[len(hostile)-1-i])
		m.Observe(Observation{Queue: time.Millisecond, Compute: time.Duration(i+1) * time.Millisecond, Total: 5 * time.Millisecond, Batch: i + 1})
	}
	var buf bytes.Buffer
	if err := r.WritePrometheus(&buf); err != nil {
		t.Fatal(err)
	}
	fams := parseProm(t, buf.Bytes())
	info := labelsOf(fams["edgeinfer_agent_info"].GetMetric()[0])
	if info["device"] != "dev\n1" || info["version"] != `0.3"` || info["platform"] != `rpi\4` || info["edgeinfer_cpu"] != "Cortex-A72 \"r0p3\"\n" {
		t.Errorf("agent info reads back as %v", info)
	}
	reqs := fams["edgeinfer_requests_total"].GetMetric()
	if len(reqs) != 6 {
		t.Fatalf("%d request counters, want 6", len(reqs))
	}
	seen := map[string]bool{}
	for _, m := range reqs {
		seen[labelsOf(m)["model"]] = m.GetCounter().GetValue() == 1
	}
	for _, name := range hostile[:6] {
		if !seen[strings.ToValidUTF8(name, "\uFFFD")] {
			t.Errorf("model %q: no counter of 1 request among %v", name, seen)
		}
	}
	h := fams["edgeinfer_compute_duration_seconds"]
	if h.GetType() != dto.MetricType_HISTOGRAM || len(h.GetMetric()) != 6 || h.GetMetric()[0].GetHistogram().GetSampleCount() != 1 {
		t.Errorf("compute histogram reads back as %v", h)
	}
}
