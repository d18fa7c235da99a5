package telemetry

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"time"

	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	metricspb "go.opentelemetry.io/proto/otlp/metrics/v1"
	resourcepb "go.opentelemetry.io/proto/otlp/resource/v1"
	"google.golang.org/protobuf/proto"
)

// A Batch is one interval's figures from one device: what an upload
// carries (Encode) and what the hub reads back from it.
type Batch struct {
	// Device describes the sender (its Temperature func is not carried;
	// see the Temperature field below).
	Device Device
	// Start and End bound the interval the deltas cover.
	Start, End time.Time
	// Uptime is the agent's uptime at End.
	Uptime time.Duration
	// Interval is the agent's configured upload interval (0: unknown), so
	// a receiver can tell when a device is overdue.
	Interval time.Duration
	// Temperature is the SoC temperature at End, when HasTemperature.
	Temperature    float64
	HasTemperature bool
	// SpoolDropped is how many batches the device's spool cap had dropped,
	// since its state file was created, when this batch was made.
	SpoolDropped uint64
	// Models holds each model version's change over the interval.
	Models []ModelDelta
}

// ModelDelta is one model version's change over an interval.
type ModelDelta struct {
	Name, Version string
	Snapshot
}

// OTLP names: the wire schema Encode writes and the hub decodes. Metric
// names follow OpenTelemetry's conventions (dotted, durations in seconds);
// the Prometheus names in WritePrometheus are the same figures.
const (
	ServiceName = "edgeinfer"
	scopeName   = "github.com/edgeinfer/edgeinfer/telemetry"

	AttrServiceName     = "service.name"
	AttrServiceVersion  = "service.version"
	AttrServiceInstance = "service.instance.id"
	AttrDeviceID        = "edgeinfer.device.id"
	AttrPlatform        = "edgeinfer.platform"
	AttrModelName       = "edgeinfer.model.name"
	AttrModelVersion    = "edgeinfer.model.version"

	MetricRequests     = "edgeinfer.requests"
	MetricErrors       = "edgeinfer.errors"
	MetricCacheHits    = "edgeinfer.cache.hits"
	MetricCacheMisses  = "edgeinfer.cache.misses"
	MetricTotal        = "edgeinfer.request.duration"
	MetricQueue        = "edgeinfer.queue.duration"
	MetricCompute      = "edgeinfer.compute.duration"
	MetricBatch        = "edgeinfer.batch.size"
	MetricUptime       = "edgeinfer.uptime"
	MetricInterval     = "edgeinfer.telemetry.interval"
	MetricTemperature  = "edgeinfer.temperature"
	MetricSpoolDropped = "edgeinfer.telemetry.spool.dropped"
)

var (
	latencyBoundsSeconds = boundsAsFloat(latencyBounds, 1e9)
	batchBoundsFloat     = boundsAsFloat(batchBounds, 1)
)

func boundsAsFloat(b []int64, div float64) []float64 {
	out := make([]float64, len(b))
	for i, v := range b {
		out[i] = float64(v) / div
	}
	return out
}

// Encode turns a batch into an OTLP ExportMetricsServiceRequest in
// protobuf (uncompressed): one resource (the device) with one scope.
// Counters are monotonic delta sums, latencies and batch sizes delta
// explicit-bucket histograms, uptime and temperature gauges, and the
// spool's drop count a cumulative sum.
func Encode(b *Batch) ([]byte, error) {
	start, end := unixNano(b.Start), unixNano(b.End)
	ms := []*metricspb.Metric{}
	var err error
	sum := func(name, unit, desc string, get func(Snapshot) uint64) {
		pts := make([]*metricspb.NumberDataPoint, len(b.Models))
		for i, m := range b.Models {
			pts[i] = &metricspb.NumberDataPoint{
				Attributes: modelAttrs(m), StartTimeUnixNano: start, TimeUnixNano: end,
				Value: &metricspb.NumberDataPoint_AsInt{AsInt: int64(get(m.Snapshot))},
			}
		}
		ms = append(ms, &metricspb.Metric{Name: name, Unit: unit, Description: desc, Data: &metricspb.Metric_Sum{Sum: &metricspb.Sum{
			DataPoints: pts, AggregationTemporality: metricspb.AggregationTemporality_AGGREGATION_TEMPORALITY_DELTA, IsMonotonic: true,
		}}})
	}
	sum(MetricRequests, "{request}", "Requests answered.", func(s Snapshot) uint64 { return s.Requests })
	sum(MetricErrors, "{request}", "Requests that failed.", func(s Snapshot) uint64 { return s.Errors })
	sum(MetricCacheHits, "{request}", "Requests answered from the result cache.", func(s Snapshot) uint64 { return s.CacheHits })
	sum(MetricCacheMisses, "{request}", "Requests the result cache could not answer.", func(s Snapshot) uint64 { return s.CacheMisses })

	hist := func(name, unit, desc string, bounds []float64, div float64, get func(Snapshot) Histogram) {
		pts := make([]*metricspb.HistogramDataPoint, len(b.Models))
		for i, m := range b.Models {
			h := get(m.Snapshot)
			switch {
			case h.Counts == nil:
				h.Counts = make([]uint64, len(bounds)+1)
			case len(h.Counts) != len(bounds)+1:
				err = fmt.Errorf("telemetry: encode %s of model %s: %d bucket counts, want %d", name, m.Name, len(h.Counts), len(bounds)+1)
			}
			s := float64(h.Sum) / div
			pts[i] = &metricspb.HistogramDataPoint{
				Attributes: modelAttrs(m), StartTimeUnixNano: start, TimeUnixNano: end,
				Count: h.Count, Sum: &s, BucketCounts: h.Counts, ExplicitBounds: bounds,
			}
		}
		ms = append(ms, &metricspb.Metric{Name: name, Unit: unit, Description: desc, Data: &metricspb.Metric_Histogram{Histogram: &metricspb.Histogram{
			DataPoints: pts, AggregationTemporality: metricspb.AggregationTemporality_AGGREGATION_TEMPORALITY_DELTA,
		}}})
	}
	hist(MetricTotal, "s", "Whole request latency.", latencyBoundsSeconds, 1e9, func(s Snapshot) Histogram { return s.Total })
	hist(MetricQueue, "s", "Time waiting for a batch slot.", latencyBoundsSeconds, 1e9, func(s Snapshot) Histogram { return s.Queue })
	hist(MetricCompute, "s", "Time running the model.", latencyBoundsSeconds, 1e9, func(s Snapshot) Histogram { return s.Compute })
	hist(MetricBatch, "{request}", "Requests per batch run.", batchBoundsFloat, 1, func(s Snapshot) Histogram { return s.Batches })
	if err != nil {
		return nil, err
	}

	gauge := func(name, unit, desc string, v float64) {
		ms = append(ms, &metricspb.Metric{Name: name, Unit: unit, Description: desc, Data: &metricspb.Metric_Gauge{Gauge: &metricspb.Gauge{
			DataPoints: []*metricspb.NumberDataPoint{{TimeUnixNano: end, Value: &metricspb.NumberDataPoint_AsDouble{AsDouble: v}}},
		}}})
	}
	gauge(MetricUptime, "s", "Time since the agent started.", b.Uptime.Seconds())
	if b.Interval > 0 {
		gauge(MetricInterval, "s", "Configured upload interval.", b.Interval.Seconds())
	}
	if b.HasTemperature {
		gauge(MetricTemperature, "Cel", "SoC temperature.", b.Temperature)
	}
	ms = append(ms, &metricspb.Metric{Name: MetricSpoolDropped, Unit: "{batch}", Description: "Telemetry batches dropped by the spool cap.",
		Data: &metricspb.Metric_Sum{Sum: &metricspb.Sum{
			DataPoints:             []*metricspb.NumberDataPoint{{TimeUnixNano: end, Value: &metricspb.NumberDataPoint_AsInt{AsInt: int64(b.SpoolDropped)}}},
			AggregationTemporality: metricspb.AggregationTemporality_AGGREGATION_TEMPORALITY_CUMULATIVE, IsMonotonic: true,
		}}})

	req := &metricspb.MetricsData{ResourceMetrics: []*metricspb.ResourceMetrics{{
		Resource: &resourcepb.Resource{Attributes: resourceAttrs(b.Device)},
		ScopeMetrics: []*metricspb.ScopeMetrics{{
			Scope:   &commonpb.InstrumentationScope{Name: scopeName, Version: b.Device.AgentVersion},
			Metrics: ms,
		}},
	}}}
	// MetricsData has the wire format of the collector's
	// ExportMetricsServiceRequest (field 1: repeated ResourceMetrics)
	// without linking the gRPC service code into the agent.
	out, err := proto.Marshal(req)
	if err != nil {
		return nil, fmt.Errorf("telemetry: encode batch: %w", err)
	}
	return out, nil
}

func unixNano(t time.Time) uint64 {
	if t.IsZero() {
		return 0
	}
	return uint64(t.UnixNano())
}

func strAttr(k, v string) *commonpb.KeyValue {
	return &commonpb.KeyValue{Key: k, Value: &commonpb.AnyValue{Value: &commonpb.AnyValue_StringValue{StringValue: v}}}
}

func modelAttrs(m ModelDelta) []*commonpb.KeyValue {
	return []*commonpb.KeyValue{strAttr(AttrModelName, m.Name), strAttr(AttrModelVersion, m.Version)}
}

func resourceAttrs(d Device) []*commonpb.KeyValue {
	kv := []*commonpb.KeyValue{
		strAttr(AttrServiceName, ServiceName),
		strAttr(AttrServiceVersion, d.AgentVersion),
		strAttr(AttrServiceInstance, d.ID),
		strAttr(AttrDeviceID, d.ID),
		strAttr(AttrPlatform, d.Platform),
	}
	for _, k := range sortedKeys(d.Attributes) {
		switch k {
		case AttrServiceName, AttrServiceVersion, AttrServiceInstance, AttrDeviceID, AttrPlatform:
			continue
		}
		kv = append(kv, strAttr(k, d.Attributes[k]))
	}
	return kv
}

// Gzip compresses an encoded batch for the wire.
func Gzip(p []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(p) // writes to a bytes.Buffer cannot fail
	zw.Close()
	return buf.Bytes()
}
