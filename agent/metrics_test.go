package agent

import (
	"bytes"
	"context"
	"testing"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// TestMetricsParse reads the agent's whole /metrics output (its gauges,
// then the recorder's figures, written by the one PromWriter) with
// Prometheus's own parser: one HELP and TYPE per family, valid escapes.
func TestMetricsParse(t *testing.T) {
	c := testConfig(t, map[string]ModelConfig{quantModel: {Cache: ptr(true)}, tinyModel: {}})
	a, _ := newAgent(t, c)
	req, _ := quantRequest(t)
	if _, err := a.Infer(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	a.WritePrometheus(&buf)
	p := expfmt.NewTextParser(model.LegacyValidation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatalf("Prometheus's parser refuses /metrics: %v\n%s", err, buf.Bytes())
	}
	for _, name := range []string{"edgeinfer_model_info", "edgeinfer_model_ready", "edgeinfer_cache_writes_total", "edgeinfer_agent_info", "edgeinfer_requests_total", "edgeinfer_request_duration_seconds"} {
		if fams[name] == nil {
			t.Errorf("no family %s", name)
		}
	}
	for _, m := range fams["edgeinfer_model_info"].GetMetric() {
		ls := map[string]string{}
		for _, l := range m.GetLabel() {
			ls[l.GetName()] = l.GetValue()
		}
		if ls["model"] == "" || ls["digest"] == "" {
			t.Errorf("model info labels %v", ls)
		}
	}
	for _, m := range fams["edgeinfer_requests_total"].GetMetric() {
		if m.GetLabel()[0].GetValue() == quantModel && m.GetCounter().GetValue() != 1 {
			t.Errorf("%s: %v requests, want 1", quantModel, m.GetCounter().GetValue())
		}
	}
}
