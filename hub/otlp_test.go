package hub

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	metricspb "go.opentelemetry.io/proto/otlp/metrics/v1"
	resourcepb "go.opentelemetry.io/proto/otlp/resource/v1"
	"google.golang.org/protobuf/proto"

	"github.com/edgeinfer/edgeinfer/telemetry"
)

var testStart = time.Date(2026, 11, 28, 3, 0, 0, 0, time.UTC)

// sampleBatch is a batch of n models with some traffic each, as an agent
// encodes it.
func sampleBatch(n int) *telemetry.Batch {
	r := telemetry.NewRecorder()
	b := &telemetry.Batch{
		Device: telemetry.Device{ID: "dev-a", AgentVersion: "0.3.0", Platform: "raspberrypi-4b",
			Attributes: map[string]string{"host.arch": "arm64", "edgeinfer.cores": "4"}},
		Start: testStart, End: testStart.Add(time.Minute), Uptime: 3 * time.Minute, Interval: time.Minute,
		Temperature: 48.5, HasTemperature: true, SpoolDropped: 2,
	}
	for i := range n {
		m := r.Model(fmt.Sprintf("model-%d", i), "v1")
		for j := range 200 {
			m.Observe(telemetry.Observation{
				Queue: time.Duration(j) * time.Microsecond, Compute: time.Duration(2000+j*37*(i+1)) * time.Microsecond,
				Total: time.Duration(2100+j*37*(i+1)) * time.Microsecond, Batch: 1 + j%4, Error: j%50 == 0,
			})
		}
		m.Observe(telemetry.Observation{Total: 20 * time.Microsecond, CacheHit: true})
		b.Models = append(b.Models, telemetry.ModelDelta{Name: m.Name(), Version: m.Version(), Snapshot: m.Snapshot()})
	}
	return b
}

func strAttr(k, v string) *commonpb.KeyValue {
	return &commonpb.KeyValue{Key: k, Value: &commonpb.AnyValue{Value: &commonpb.AnyValue_StringValue{StringValue: v}}}
}

func TestEncodeDecodeRoundTrip(t *testing.T) {
	b := sampleBatch(3)
	p, err := telemetry.Encode(b)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeBatch(p)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, b) {
		t.Errorf("decodeBatch(telemetry.Encode(b)) differs:\n got %+v\nwant %+v", got, b)
	}
}

// validRequest is a well-formed request for the mutations below.
func validRequest(t testing.TB) *metricspb.MetricsData {
	p, err := telemetry.Encode(sampleBatch(1))
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
		metricNamed(md, telemetry.MetricTotal).GetHistogram().DataPoints[0].ExplicitBounds[3] = 7
	}, want: "bucket bound 3"},
	{name: "too few counts", mutate: func(md *metricspb.MetricsData) {
		dp := metricNamed(md, telemetry.MetricCompute).GetHistogram().DataPoints[0]
		dp.BucketCounts = dp.BucketCounts[:5]
	}, want: "bucket counts"},
	{name: "count mismatch", mutate: func(md *metricspb.MetricsData) {
		metricNamed(md, telemetry.MetricQueue).GetHistogram().DataPoints[0].Count++
	}, want: "add up to"},
	{name: "cumulative histogram", mutate: func(md *metricspb.MetricsData) {
		metricNamed(md, telemetry.MetricTotal).GetHistogram().AggregationTemporality = metricspb.AggregationTemporality_AGGREGATION_TEMPORALITY_CUMULATIVE
	}, want: "delta histogram"},
	{name: "negative count", mutate: func(md *metricspb.MetricsData) {
		metricNamed(md, telemetry.MetricRequests).GetSum().DataPoints[0].Value = &metricspb.NumberDataPoint_AsInt{AsInt: -1}
	}, want: "negative"},
	{name: "point without model", mutate: func(md *metricspb.MetricsData) {
		metricNamed(md, telemetry.MetricErrors).GetSum().DataPoints[0].Attributes = nil
	}, want: "without edgeinfer.model.name"},
	{name: "interval backwards", mutate: func(md *metricspb.MetricsData) {
		metricNamed(md, telemetry.MetricRequests).GetSum().DataPoints[0].StartTimeUnixNano = 1 << 62
	}, want: "bad interval"},
	{name: "NaN sum", mutate: func(md *metricspb.MetricsData) {
		nan := 0.0
		nan /= nan
		metricNamed(md, telemetry.MetricTotal).GetHistogram().DataPoints[0].Sum = &nan
	}, want: "sum NaN"},
	{name: "huge uptime", mutate: func(md *metricspb.MetricsData) {
		metricNamed(md, telemetry.MetricUptime).GetGauge().DataPoints[0].Value = &metricspb.NumberDataPoint_AsDouble{AsDouble: 1e30}
	}, want: "out of range"},
	{name: "unknown metric is ignored", mutate: func(md *metricspb.MetricsData) {
		sm := md.ResourceMetrics[0].ScopeMetrics[0]
		sm.Metrics = append(sm.Metrics, &metricspb.Metric{Name: "something.else"})
	}},
}

func TestDecodeBatchRejects(t *testing.T) {
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
			_, err := decodeBatch(body)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("Decode: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Decode error %v, want one containing %q", err, tc.want)
			}
			if !errors.Is(err, errMalformed) {
				t.Errorf("error %v does not wrap errMalformed", err)
			}
		})
	}
}

func TestDecodeBatchTooLarge(t *testing.T) {
	if _, err := decodeBatch(make([]byte, maxBatchBytes+1)); !errors.Is(err, errTooLarge) {
		t.Errorf("Decode of an oversize body: %v, want errTooLarge", err)
	}
	bomb := telemetry.Gzip(make([]byte, 1<<20))
	if _, err := gunzip(bomb, 1000); !errors.Is(err, errTooLarge) {
		t.Errorf("Gunzip past the limit: %v, want errTooLarge", err)
	}
	if _, err := gunzip([]byte("not gzip"), 1000); !errors.Is(err, errMalformed) {
		t.Errorf("Gunzip of garbage: %v, want errMalformed", err)
	}
}

func FuzzDecodeBatch(f *testing.F) {
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
		b, err := decodeBatch(body)
		if err != nil {
			if !errors.Is(err, errMalformed) && !errors.Is(err, errTooLarge) {
				t.Fatalf("error %v wraps neither errMalformed nor errTooLarge", err)
			}
			return
		}
		// What Decode accepts must encode and decode to the same batch.
		p, err := telemetry.Encode(b)
		if err != nil {
			t.Fatal(err)
		}
		again, err := decodeBatch(p)
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
