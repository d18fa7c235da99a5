package telemetry

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"testing"
	"time"

	colmetricspb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	metricspb "go.opentelemetry.io/proto/otlp/metrics/v1"
	"google.golang.org/protobuf/proto"
)

var testStart = time.Date(2026, 11, 28, 3, 0, 0, 0, time.UTC)

// sampleBatch is a batch of n models with some traffic each.
func sampleBatch(n int) *Batch {
	r := NewRecorder()
	r.SetDevice(Device{ID: "dev-a", AgentVersion: "0.3.0", Platform: "raspberrypi-4b",
		Attributes: map[string]string{"host.arch": "arm64", "edgeinfer.cores": "4"}})
	b := &Batch{Device: r.deviceInfo(), Start: testStart, End: testStart.Add(time.Minute), Uptime: 3 * time.Minute, Interval: time.Minute,
		Temperature: 48.5, HasTemperature: true, SpoolDropped: 2}
	for i := range n {
		m := r.Model(fmt.Sprintf("model-%d", i), "v1")
		for j := range 200 {
			m.Observe(Observation{
				Queue: time.Duration(j) * time.Microsecond, Compute: time.Duration(2000+j*37*(i+1)) * time.Microsecond,
				Total: time.Duration(2100+j*37*(i+1)) * time.Microsecond, Batch: 1 + j%4, Error: j%50 == 0,
			})
		}
		m.Observe(Observation{Total: 20 * time.Microsecond, CacheHit: true})
		b.Models = append(b.Models, ModelDelta{Name: m.name, Version: m.version, Snapshot: m.Snapshot()})
	}
	return b
}

// TestEncodeIsOTLP reads an encoded batch with the OpenTelemetry
// collector's own request type, as an OTLP/HTTP receiver does.
func TestEncodeIsOTLP(t *testing.T) {
	p, err := Encode(sampleBatch(2))
	if err != nil {
		t.Fatal(err)
	}
	var req colmetricspb.ExportMetricsServiceRequest
	if err := proto.Unmarshal(p, &req); err != nil {
		t.Fatalf("not an ExportMetricsServiceRequest: %v", err)
	}
	if len(req.ResourceMetrics) != 1 {
		t.Fatalf("%d resources", len(req.ResourceMetrics))
	}
	res := map[string]string{}
	for _, kv := range req.ResourceMetrics[0].Resource.Attributes {
		res[kv.Key] = kv.Value.GetStringValue()
	}
	for k, v := range map[string]string{"service.name": "edgeinfer", "service.instance.id": "dev-a", "edgeinfer.platform": "raspberrypi-4b", "host.arch": "arm64"} {
		if res[k] != v {
			t.Errorf("resource %s = %q, want %q", k, res[k], v)
		}
	}
	seen := map[string]bool{}
	for _, m := range req.ResourceMetrics[0].ScopeMetrics[0].Metrics {
		seen[m.Name] = true
		switch m.Name {
		case "edgeinfer.request.duration":
			h := m.GetHistogram()
			if h.AggregationTemporality != metricspb.AggregationTemporality_AGGREGATION_TEMPORALITY_DELTA || m.Unit != "s" {
				t.Errorf("%s: temporality %v unit %q", m.Name, h.AggregationTemporality, m.Unit)
			}
			for _, dp := range h.DataPoints {
				if dp.Count != 201 || len(dp.BucketCounts) != len(dp.ExplicitBounds)+1 || dp.GetSum() <= 0 {
					t.Errorf("%s: point count %d, %d buckets for %d bounds, sum %v", m.Name, dp.Count, len(dp.BucketCounts), len(dp.ExplicitBounds), dp.GetSum())
				}
				if dp.StartTimeUnixNano != uint64(testStart.UnixNano()) || dp.TimeUnixNano != uint64(testStart.Add(time.Minute).UnixNano()) {
					t.Errorf("%s: interval %d..%d", m.Name, dp.StartTimeUnixNano, dp.TimeUnixNano)
				}
			}
		case "edgeinfer.requests":
			if s := m.GetSum(); !s.IsMonotonic || s.DataPoints[0].GetAsInt() != 201 {
				t.Errorf("%s: %v", m.Name, s)
			}
		}
	}
	for _, name := range []string{"edgeinfer.requests", "edgeinfer.errors", "edgeinfer.cache.hits", "edgeinfer.request.duration",
		"edgeinfer.queue.duration", "edgeinfer.compute.duration", "edgeinfer.batch.size", "edgeinfer.uptime", "edgeinfer.temperature", "edgeinfer.telemetry.interval",
		"edgeinfer.telemetry.spool.dropped"} {
		if !seen[name] {
			t.Errorf("no metric %s", name)
		}
	}
}

// TestBatchSize reports the wire size of a batch of five models.
func TestBatchSize(t *testing.T) {
	p, err := Encode(sampleBatch(5))
	if err != nil {
		t.Fatal(err)
	}
	z := Gzip(p)
	t.Logf("batch of 5 models: %d bytes protobuf, %d bytes gzip", len(p), len(z))
	zr, err := gzip.NewReader(bytes.NewReader(z))
	if err != nil {
		t.Fatal(err)
	}
	if back, err := io.ReadAll(zr); err != nil || !bytes.Equal(back, p) {
		t.Fatalf("gzip round trip: %v", err)
	}
}

func BenchmarkEncode5Models(b *testing.B) {
	batch := sampleBatch(5)
	var n int
	b.ReportAllocs()
	for b.Loop() {
		p, err := Encode(batch)
		if err != nil {
			b.Fatal(err)
		}
		n = len(Gzip(p))
	}
	b.ReportMetric(float64(n), "gzip-bytes/batch")
}
