package telemetry

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	colmetricspb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	metricspb "go.opentelemetry.io/proto/otlp/metrics/v1"
	resourcepb "go.opentelemetry.io/proto/otlp/resource/v1"
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

func TestEncodeDecodeRoundTrip(t *testing.T) {
	b := sampleBatch(3)
	p, err := Encode(b)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Decode(p)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, b) {
		t.Errorf("Decode(Encode(b)) differs:\n got %+v\nwant %+v", got, b)
	}
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

// validRequest is a well-formed request for the mutations below.
func validRequest(t testing.TB) *metricspb.MetricsData {
	p, err := Encode(sampleBatch(1))
	if err != nil {
		t.Fatal(err)
	}
	var md metricspb.MetricsData
	if err := proto.Unmarshal(p, &md); err != nil {
		t.Fatal(err)
	}
	return &md
}

func metricNamed(md *metricspb.MetricsData, name string) *metricspb.Metric {
	for _, m := range md.ResourceMetrics[0].ScopeMetrics[0].Metrics {
		if m.Name == name {
			return m
		}
	}
	return nil
}

var decodeCases = []struct {
	name   string
	mutate func(md *metricspb.MetricsData)
	raw    []byte // used instead of the mutated request when set
	want   string
}{
	{name: "not protobuf", raw: []byte("\xff\xff\xff\xff"), want: "protobuf"},
	{name: "empty", raw: []byte{}, want: "0 resources"},
	{name: "JSON", raw: []byte(`{"resourceMetrics":[]}`), want: "protobuf"},
	{name: "two resources", mutate: func(md *metricspb.MetricsData) {
		md.ResourceMetrics = append(md.ResourceMetrics, md.ResourceMetrics[0])
	}, want: "2 resources"},
	{name: "other service", mutate: func(md *metricspb.MetricsData) {
		md.ResourceMetrics[0].Resource = &resourcepb.Resource{Attributes: []*commonpb.KeyValue{strAttr("service.name", "other"), strAttr("edgeinfer.device.id", "x")}}
	}, want: `service.name is "other"`},
	{name: "no device id", mutate: func(md *metricspb.MetricsData) {
		md.ResourceMetrics[0].Resource = &resourcepb.Resource{Attributes: []*commonpb.KeyValue{strAttr("service.name", "edgeinfer")}}
	}, want: "no edgeinfer.device.id"},
	{name: "long attribute", mutate: func(md *metricspb.MetricsData) {
		r := md.ResourceMetrics[0].Resource
		r.Attributes = append(r.Attributes, strAttr("x", strings.Repeat("a", 300)))
	}, want: "bytes long"},
	{name: "wrong bounds", mutate: func(md *metricspb.MetricsData) {
		metricNamed(md, metricTotal).GetHistogram().DataPoints[0].ExplicitBounds[3] = 7
	}, want: "bucket bound 3"},
	{name: "too few counts", mutate: func(md *metricspb.MetricsData) {
		dp := metricNamed(md, metricCompute).GetHistogram().DataPoints[0]
		dp.BucketCounts = dp.BucketCounts[:5]
	}, want: "bucket counts"},
	{name: "count mismatch", mutate: func(md *metricspb.MetricsData) {
		metricNamed(md, metricQueue).GetHistogram().DataPoints[0].Count++
	}, want: "add up to"},
	{name: "cumulative histogram", mutate: func(md *metricspb.MetricsData) {
		metricNamed(md, metricTotal).GetHistogram().AggregationTemporality = metricspb.AggregationTemporality_AGGREGATION_TEMPORALITY_CUMULATIVE
	}, want: "delta histogram"},
	{name: "negative count", mutate: func(md *metricspb.MetricsData) {
		metricNamed(md, metricRequests).GetSum().DataPoints[0].Value = &metricspb.NumberDataPoint_AsInt{AsInt: -1}
	}, want: "negative"},
	{name: "point without model", mutate: func(md *metricspb.MetricsData) {
		metricNamed(md, metricErrors).GetSum().DataPoints[0].Attributes = nil
	}, want: "without edgeinfer.model.name"},
	{name: "interval backwards", mutate: func(md *metricspb.MetricsData) {
		metricNamed(md, metricRequests).GetSum().DataPoints[0].StartTimeUnixNano = 1 << 62
	}, want: "bad interval"},
	{name: "NaN sum", mutate: func(md *metricspb.MetricsData) {
		nan := 0.0
		nan /= nan
		metricNamed(md, metricTotal).GetHistogram().DataPoints[0].Sum = &nan
	}, want: "sum NaN"},
	{name: "huge uptime", mutate: func(md *metricspb.MetricsData) {
		metricNamed(md, metricUptime).GetGauge().DataPoints[0].Value = &metricspb.NumberDataPoint_AsDouble{AsDouble: 1e30}
	}, want: "out of range"},
	{name: "unknown metric is ignored", mutate: func(md *metricspb.MetricsData) {
		sm := md.ResourceMetrics[0].ScopeMetrics[0]
		sm.Metrics = append(sm.Metrics, &metricspb.Metric{Name: "something.else"})
	}},
}

func TestDecodeRejects(t *testing.T) {
	for _, tc := range decodeCases {
		t.Run(tc.name, func(t *testing.T) {
			body := tc.raw
			if body == nil {
				md := validRequest(t)
				tc.mutate(md)
				var err error
				if body, err = proto.Marshal(md); err != nil {
					t.Fatal(err)
				}
			}
			_, err := Decode(body)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("Decode: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Decode error %v, want one containing %q", err, tc.want)
			}
			if !errors.Is(err, ErrMalformed) {
				t.Errorf("error %v does not wrap ErrMalformed", err)
			}
		})
	}
}

func TestDecodeTooLarge(t *testing.T) {
	if _, err := Decode(make([]byte, MaxBatchBytes+1)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("Decode of an oversize body: %v, want ErrTooLarge", err)
	}
	bomb := Gzip(make([]byte, 1<<20))
	if _, err := Gunzip(bomb, 1000); !errors.Is(err, ErrTooLarge) {
		t.Errorf("Gunzip past the limit: %v, want ErrTooLarge", err)
	}
	if _, err := Gunzip([]byte("not gzip"), 1000); !errors.Is(err, ErrMalformed) {
		t.Errorf("Gunzip of garbage: %v, want ErrMalformed", err)
	}
}

func FuzzDecode(f *testing.F) {
	for _, tc := range decodeCases {
		body := tc.raw
		if body == nil {
			md := validRequest(f)
			tc.mutate(md)
			body, _ = proto.Marshal(md)
		}
		f.Add(body)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		b, err := Decode(body)
		if err != nil {
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrTooLarge) {
				t.Fatalf("error %v wraps neither ErrMalformed nor ErrTooLarge", err)
			}
			return
		}
		// What Decode accepts must encode and decode to the same batch.
		p, err := Encode(b)
		if err != nil {
			t.Fatal(err)
		}
		again, err := Decode(p)
		if err != nil {
			t.Fatalf("re-decoding an accepted batch: %v", err)
		}
		if len(again.Models) != len(b.Models) {
			t.Fatalf("%d models after a round trip, want %d", len(again.Models), len(b.Models))
		}
		for _, m := range b.Models {
			_ = m.Total.Quantile(0.99)
		}
	})
}

// TestBatchSize reports the wire size of a batch of five models.
func TestBatchSize(t *testing.T) {
	p, err := Encode(sampleBatch(5))
	if err != nil {
		t.Fatal(err)
	}
	z := Gzip(p)
	t.Logf("batch of 5 models: %d bytes protobuf, %d bytes gzip", len(p), len(z))
	if back, err := Gunzip(z, MaxBatchBytes); err != nil || !bytes.Equal(back, p) {
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
