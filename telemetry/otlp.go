package telemetry

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	metricspb "go.opentelemetry.io/proto/otlp/metrics/v1"
	resourcepb "go.opentelemetry.io/proto/otlp/resource/v1"
	"google.golang.org/protobuf/proto"
)

// A Batch is one interval's figures from one device: what an upload
// carries and what Decode returns.
type Batch struct {
	// Device describes the sender (Temperature is not set by Decode; see
	// the Temperature field below).
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

// OTLP names. Metric names follow OpenTelemetry's conventions (dotted,
// durations in seconds); the Prometheus names in WritePrometheus are the
// same figures.
const (
	ServiceName = "edgeinfer"
	scopeName   = "github.com/edgeinfer/edgeinfer/telemetry"

	attrServiceName     = "service.name"
	attrServiceVersion  = "service.version"
	attrServiceInstance = "service.instance.id"
	attrDeviceID        = "edgeinfer.device.id"
	attrPlatform        = "edgeinfer.platform"
	attrModelName       = "edgeinfer.model.name"
	attrModelVersion    = "edgeinfer.model.version"

	metricRequests     = "edgeinfer.requests"
	metricErrors       = "edgeinfer.errors"
	metricCacheHits    = "edgeinfer.cache.hits"
	metricCacheMisses  = "edgeinfer.cache.misses"
	metricTotal        = "edgeinfer.request.duration"
	metricQueue        = "edgeinfer.queue.duration"
	metricCompute      = "edgeinfer.compute.duration"
	metricBatch        = "edgeinfer.batch.size"
	metricUptime       = "edgeinfer.uptime"
	metricInterval     = "edgeinfer.telemetry.interval"
	metricTemperature  = "edgeinfer.temperature"
	metricSpoolDropped = "edgeinfer.telemetry.spool.dropped"
)

// Limits Decode enforces on untrusted input.
const (
	// MaxBatchBytes is the largest encoded (uncompressed) batch accepted.
	MaxBatchBytes = 4 << 20
	// MaxModels is the most model versions one batch may carry.
	MaxModels = 1024
	maxString = 256
)

// ErrMalformed is wrapped by every error Decode returns for a body that is
// not a well-formed edgeinfer batch.
var ErrMalformed = errors.New("telemetry: malformed batch")

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
	sum(metricRequests, "{request}", "Requests answered.", func(s Snapshot) uint64 { return s.Requests })
	sum(metricErrors, "{request}", "Requests that failed.", func(s Snapshot) uint64 { return s.Errors })
	sum(metricCacheHits, "{request}", "Requests answered from the result cache.", func(s Snapshot) uint64 { return s.CacheHits })
	sum(metricCacheMisses, "{request}", "Requests the result cache could not answer.", func(s Snapshot) uint64 { return s.CacheMisses })

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
	hist(metricTotal, "s", "Whole request latency.", latencyBoundsSeconds, 1e9, func(s Snapshot) Histogram { return s.Total })
	hist(metricQueue, "s", "Time waiting for a batch slot.", latencyBoundsSeconds, 1e9, func(s Snapshot) Histogram { return s.Queue })
	hist(metricCompute, "s", "Time running the model.", latencyBoundsSeconds, 1e9, func(s Snapshot) Histogram { return s.Compute })
	hist(metricBatch, "{request}", "Requests per batch run.", batchBoundsFloat, 1, func(s Snapshot) Histogram { return s.Batches })
	if err != nil {
		return nil, err
	}

	gauge := func(name, unit, desc string, v float64) {
		ms = append(ms, &metricspb.Metric{Name: name, Unit: unit, Description: desc, Data: &metricspb.Metric_Gauge{Gauge: &metricspb.Gauge{
			DataPoints: []*metricspb.NumberDataPoint{{TimeUnixNano: end, Value: &metricspb.NumberDataPoint_AsDouble{AsDouble: v}}},
		}}})
	}
	gauge(metricUptime, "s", "Time since the agent started.", b.Uptime.Seconds())
	if b.Interval > 0 {
		gauge(metricInterval, "s", "Configured upload interval.", b.Interval.Seconds())
	}
	if b.HasTemperature {
		gauge(metricTemperature, "Cel", "SoC temperature.", b.Temperature)
	}
	ms = append(ms, &metricspb.Metric{Name: metricSpoolDropped, Unit: "{batch}", Description: "Telemetry batches dropped by the spool cap.",
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
	return []*commonpb.KeyValue{strAttr(attrModelName, m.Name), strAttr(attrModelVersion, m.Version)}
}

func resourceAttrs(d Device) []*commonpb.KeyValue {
	kv := []*commonpb.KeyValue{
		strAttr(attrServiceName, ServiceName),
		strAttr(attrServiceVersion, d.AgentVersion),
		strAttr(attrServiceInstance, d.ID),
		strAttr(attrDeviceID, d.ID),
		strAttr(attrPlatform, d.Platform),
	}
	for _, k := range sortedKeys(d.Attributes) {
		switch k {
		case attrServiceName, attrServiceVersion, attrServiceInstance, attrDeviceID, attrPlatform:
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

// Gunzip decompresses a gzip body, failing with ErrTooLarge when the
// result would exceed limit bytes.
func Gunzip(p []byte, limit int64) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(p))
	if err != nil {
		return nil, fmt.Errorf("%w: gzip: %v", ErrMalformed, err)
	}
	out, err := io.ReadAll(io.LimitReader(zr, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%w: gzip: %v", ErrMalformed, err)
	}
	if int64(len(out)) > limit {
		return nil, fmt.Errorf("%w: more than %d bytes uncompressed", ErrTooLarge, limit)
	}
	return out, nil
}

// ErrTooLarge reports a body above the size limit.
var ErrTooLarge = errors.New("telemetry: batch too large")

// Decode reads an OTLP ExportMetricsServiceRequest (protobuf, not
// compressed) sent by an edgeinfer agent. The body is untrusted: it must
// be at most MaxBatchBytes, carry exactly one resource with service.name
// "edgeinfer" and a device id, at most MaxModels model versions, and
// histograms with edgeinfer's bucket bounds and consistent counts.
// Metrics it does not know are ignored. Errors wrap ErrMalformed or
// ErrTooLarge.
func Decode(body []byte) (*Batch, error) {
	if len(body) > MaxBatchBytes {
		return nil, fmt.Errorf("%w: %d bytes, the limit is %d", ErrTooLarge, len(body), MaxBatchBytes)
	}
	var req metricspb.MetricsData
	if err := proto.Unmarshal(body, &req); err != nil {
		return nil, fmt.Errorf("%w: protobuf: %v", ErrMalformed, err)
	}
	if n := len(req.ResourceMetrics); n != 1 {
		return nil, fmt.Errorf("%w: %d resources, want 1", ErrMalformed, n)
	}
	rm := req.ResourceMetrics[0]
	b := &Batch{Device: Device{Attributes: map[string]string{}}}
	if err := decodeResource(rm.GetResource(), &b.Device); err != nil {
		return nil, err
	}
	d := decoder{models: map[modelKey]int{}, b: b}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.GetMetrics() {
			if err := d.metric(m); err != nil {
				return nil, fmt.Errorf("%w: metric %q: %v", ErrMalformed, m.GetName(), err)
			}
		}
	}
	for i := range b.Models {
		fillHistograms(&b.Models[i].Snapshot)
	}
	return b, nil
}

func decodeResource(r *resourcepb.Resource, d *Device) error {
	attrs := r.GetAttributes()
	if len(attrs) > 64 {
		return fmt.Errorf("%w: %d resource attributes, the limit is 64", ErrMalformed, len(attrs))
	}
	service := ""
	for _, kv := range attrs {
		v, ok := kv.GetValue().GetValue().(*commonpb.AnyValue_StringValue)
		if !ok {
			continue
		}
		if err := checkString("resource attribute", kv.GetKey()); err != nil {
			return err
		}
		if err := checkString("resource attribute "+kv.GetKey(), v.StringValue); err != nil {
			return err
		}
		switch kv.GetKey() {
		case attrServiceName:
			service = v.StringValue
		case attrServiceVersion:
			d.AgentVersion = v.StringValue
		case attrDeviceID:
			d.ID = v.StringValue
		case attrServiceInstance:
			if d.ID == "" {
				d.ID = v.StringValue
			}
		case attrPlatform:
			d.Platform = v.StringValue
		default:
			d.Attributes[kv.GetKey()] = v.StringValue
		}
	}
	if service != ServiceName {
		return fmt.Errorf("%w: resource service.name is %q, want %q", ErrMalformed, service, ServiceName)
	}
	if d.ID == "" {
		return fmt.Errorf("%w: resource has no %s", ErrMalformed, attrDeviceID)
	}
	return nil
}

func checkString(what, s string) error {
	if len(s) > maxString {
		return fmt.Errorf("%w: %s is %d bytes long, the limit is %d", ErrMalformed, what, len(s), maxString)
	}
	if !utf8.ValidString(s) {
		return fmt.Errorf("%w: %s is not UTF-8", ErrMalformed, what)
	}
	return nil
}

type decoder struct {
	b      *Batch
	models map[modelKey]int
}

// model returns the batch's entry for the model named by a data point's
// attributes, adding it the first time.
func (d *decoder) model(attrs []*commonpb.KeyValue) (*ModelDelta, error) {
	var k modelKey
	var haveName bool
	for _, kv := range attrs {
		switch kv.GetKey() {
		case attrModelName:
			k.name, haveName = kv.GetValue().GetStringValue(), true
		case attrModelVersion:
			k.version = kv.GetValue().GetStringValue()
		}
	}
	if !haveName || k.name == "" {
		return nil, fmt.Errorf("data point without %s", attrModelName)
	}
	if len(k.name) > maxString || len(k.version) > maxString || !utf8.ValidString(k.name) || !utf8.ValidString(k.version) {
		return nil, errors.New("model name or version too long or not UTF-8")
	}
	i, ok := d.models[k]
	if !ok {
		if len(d.b.Models) >= MaxModels {
			return nil, fmt.Errorf("more than %d model versions", MaxModels)
		}
		i = len(d.b.Models)
		d.models[k] = i
		d.b.Models = append(d.b.Models, ModelDelta{Name: k.name, Version: k.version})
	}
	return &d.b.Models[i], nil
}

func (d *decoder) interval(start, end uint64) error {
	if end == 0 || end > math.MaxInt64 || start > end {
		return fmt.Errorf("bad interval [%d, %d]", start, end)
	}
	s, e := time.Unix(0, int64(start)).UTC(), time.Unix(0, int64(end)).UTC()
	if d.b.End.IsZero() {
		d.b.Start, d.b.End = s, e
		return nil
	}
	if !e.Equal(d.b.End) {
		return errors.New("data points end at different times")
	}
	return nil
}

func (d *decoder) metric(m *metricspb.Metric) error {
	switch m.GetName() {
	case metricRequests, metricErrors, metricCacheHits, metricCacheMisses:
		s := m.GetSum()
		if s == nil || s.AggregationTemporality != metricspb.AggregationTemporality_AGGREGATION_TEMPORALITY_DELTA {
			return errors.New("want a delta sum")
		}
		for _, p := range s.DataPoints {
			md, err := d.model(p.Attributes)
			if err != nil {
				return err
			}
			if err := d.interval(p.StartTimeUnixNano, p.TimeUnixNano); err != nil {
				return err
			}
			v := p.GetAsInt()
			if v < 0 {
				return fmt.Errorf("negative count %d", v)
			}
			switch m.GetName() {
			case metricRequests:
				md.Requests = uint64(v)
			case metricErrors:
				md.Errors = uint64(v)
			case metricCacheHits:
				md.CacheHits = uint64(v)
			case metricCacheMisses:
				md.CacheMisses = uint64(v)
			}
		}
	case metricTotal, metricQueue, metricCompute, metricBatch:
		h := m.GetHistogram()
		if h == nil || h.AggregationTemporality != metricspb.AggregationTemporality_AGGREGATION_TEMPORALITY_DELTA {
			return errors.New("want a delta histogram")
		}
		bounds, ibounds, div := latencyBoundsSeconds, latencyBounds, 1e9
		if m.GetName() == metricBatch {
			bounds, ibounds, div = batchBoundsFloat, batchBounds, 1
		}
		for _, p := range h.DataPoints {
			md, err := d.model(p.Attributes)
			if err != nil {
				return err
			}
			if err := d.interval(p.StartTimeUnixNano, p.TimeUnixNano); err != nil {
				return err
			}
			hist, err := decodeHistogram(p, bounds, ibounds, div)
			if err != nil {
				return err
			}
			switch m.GetName() {
			case metricTotal:
				md.Total = hist
			case metricQueue:
				md.Queue = hist
			case metricCompute:
				md.Compute = hist
			case metricBatch:
				md.Batches = hist
			}
		}
	case metricUptime, metricInterval, metricTemperature:
		g := m.GetGauge()
		if g == nil || len(g.DataPoints) != 1 {
			return errors.New("want a gauge with one data point")
		}
		v := g.DataPoints[0].GetAsDouble()
		switch m.GetName() {
		case metricUptime, metricInterval:
			if !(v >= 0 && v < 1e9) { // also false for NaN
				return fmt.Errorf("%v s out of range", v)
			}
			if m.GetName() == metricUptime {
				d.b.Uptime = time.Duration(v * 1e9)
			} else {
				d.b.Interval = time.Duration(v * 1e9)
			}
		default:
			if !(v > -300 && v < 1000) {
				return fmt.Errorf("temperature %v °C out of range", v)
			}
			d.b.Temperature, d.b.HasTemperature = v, true
		}
	case metricSpoolDropped:
		s := m.GetSum()
		if s == nil || len(s.DataPoints) != 1 || s.DataPoints[0].GetAsInt() < 0 {
			return errors.New("want a sum with one non-negative data point")
		}
		d.b.SpoolDropped = uint64(s.DataPoints[0].GetAsInt())
	}
	return nil
}

func decodeHistogram(p *metricspb.HistogramDataPoint, bounds []float64, ibounds []int64, div float64) (Histogram, error) {
	if len(p.ExplicitBounds) != len(bounds) {
		return Histogram{}, fmt.Errorf("%d bucket bounds, want %d", len(p.ExplicitBounds), len(bounds))
	}
	for i, b := range p.ExplicitBounds {
		if b != bounds[i] {
			return Histogram{}, fmt.Errorf("bucket bound %d is %v, want %v", i, b, bounds[i])
		}
	}
	if len(p.BucketCounts) != len(bounds)+1 {
		return Histogram{}, fmt.Errorf("%d bucket counts, want %d", len(p.BucketCounts), len(bounds)+1)
	}
	var total uint64
	for _, c := range p.BucketCounts {
		if total+c < total {
			return Histogram{}, errors.New("bucket counts overflow")
		}
		total += c
	}
	if total != p.Count {
		return Histogram{}, fmt.Errorf("count %d but buckets add up to %d", p.Count, total)
	}
	s := p.GetSum()
	if math.IsNaN(s) || s < 0 || s*div > math.MaxInt64/2 {
		return Histogram{}, fmt.Errorf("sum %s out of range", strconv.FormatFloat(s, 'g', -1, 64))
	}
	return Histogram{Bounds: ibounds, Counts: append([]uint64(nil), p.BucketCounts...), Count: total, Sum: int64(math.Round(s * div))}, nil
}

// fillHistograms gives histograms a batch did not carry their empty form,
// so that every ModelDelta's histograms have bounds and counts.
func fillHistograms(s *Snapshot) {
	for _, h := range []struct {
		h      *Histogram
		bounds []int64
	}{{&s.Total, latencyBounds}, {&s.Queue, latencyBounds}, {&s.Compute, latencyBounds}, {&s.Batches, batchBounds}} {
		if h.h.Counts == nil {
			*h.h = Histogram{Bounds: h.bounds, Counts: make([]uint64, len(h.bounds)+1)}
		}
	}
}
