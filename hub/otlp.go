package hub

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

	"github.com/edgeinfer/edgeinfer/telemetry"
)

// The hub reads the agents' batches (telemetry.Encode's OTLP) back with
// size and shape checks: the bodies are untrusted.

// The bucket bounds a batch's histograms must carry: the agent's, in the
// units of the wire (seconds for latencies).
var (
	latencyBounds        = telemetry.LatencyBoundsNanos()
	batchBounds          = telemetry.BatchBounds()
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

type modelKey struct{ name, version string }

// Limits decodeBatch enforces on untrusted input.
const (
	// maxBatchBytes is the largest encoded (uncompressed) batch accepted.
	maxBatchBytes = 4 << 20
	// maxModels is the most model versions one batch may carry.
	maxModels = 1024
	maxString = 256
)

// errMalformed is wrapped by every error decodeBatch returns for a body that is
// not a well-formed edgeinfer batch.
var errMalformed = errors.New("hub: malformed batch")

// Gunzip decompresses a gzip body, failing with errTooLarge when the
// result would exceed limit bytes.
func gunzip(p []byte, limit int64) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(p))
	if err != nil {
		return nil, fmt.Errorf("%w: gzip: %v", errMalformed, err)
	}
	out, err := io.ReadAll(io.LimitReader(zr, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%w: gzip: %v", errMalformed, err)
	}
	if int64(len(out)) > limit {
		return nil, fmt.Errorf("%w: more than %d bytes uncompressed", errTooLarge, limit)
	}
	return out, nil
}

// errTooLarge reports a body above the size limit.
var errTooLarge = errors.New("hub: batch too large")

// decodeBatch reads an OTLP ExportMetricsServiceRequest (protobuf, not
// compressed) sent by an edgeinfer agent. The body is untrusted: it must
// be at most maxBatchBytes, carry exactly one resource with service.name
// "edgeinfer" and a device id, at most maxModels model versions, and
// histograms with edgeinfer's bucket bounds and consistent counts.
// Metrics it does not know are ignored. Errors wrap errMalformed or
// errTooLarge.
func decodeBatch(body []byte) (*telemetry.Batch, error) {
	if len(body) > maxBatchBytes {
		return nil, fmt.Errorf("%w: %d bytes, the limit is %d", errTooLarge, len(body), maxBatchBytes)
	}
	var req metricspb.MetricsData
	if err := proto.Unmarshal(body, &req); err != nil {
		return nil, fmt.Errorf("%w: protobuf: %v", errMalformed, err)
	}
	if n := len(req.ResourceMetrics); n != 1 {
		return nil, fmt.Errorf("%w: %d resources, want 1", errMalformed, n)
	}
	rm := req.ResourceMetrics[0]
	b := &telemetry.Batch{Device: telemetry.Device{Attributes: map[string]string{}}}
	if err := decodeResource(rm.GetResource(), &b.Device); err != nil {
		return nil, err
	}
	d := decoder{models: map[modelKey]int{}, b: b}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.GetMetrics() {
			if err := d.metric(m); err != nil {
				return nil, fmt.Errorf("%w: metric %q: %v", errMalformed, m.GetName(), err)
			}
		}
	}
	for i := range b.Models {
		fillHistograms(&b.Models[i].Snapshot)
	}
	return b, nil
}

func decodeResource(r *resourcepb.Resource, d *telemetry.Device) error {
	attrs := r.GetAttributes()
	if len(attrs) > 64 {
		return fmt.Errorf("%w: %d resource attributes, the limit is 64", errMalformed, len(attrs))
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
		case telemetry.AttrServiceName:
			service = v.StringValue
		case telemetry.AttrServiceVersion:
			d.AgentVersion = v.StringValue
		case telemetry.AttrDeviceID:
			d.ID = v.StringValue
		case telemetry.AttrServiceInstance:
			if d.ID == "" {
				d.ID = v.StringValue
			}
		case telemetry.AttrPlatform:
			d.Platform = v.StringValue
		default:
			d.Attributes[kv.GetKey()] = v.StringValue
		}
	}
	if service != telemetry.ServiceName {
		return fmt.Errorf("%w: resource service.name is %q, want %q", errMalformed, service, telemetry.ServiceName)
	}
	if d.ID == "" {
		return fmt.Errorf("%w: resource has no %s", errMalformed, telemetry.AttrDeviceID)
	}
	return nil
}

func checkString(what, s string) error {
	if len(s) > maxString {
		return fmt.Errorf("%w: %s is %d bytes long, the limit is %d", errMalformed, what, len(s), maxString)
	}
	if !utf8.ValidString(s) {
		return fmt.Errorf("%w: %s is not UTF-8", errMalformed, what)
	}
	return nil
}

type decoder struct {
	b      *telemetry.Batch
	models map[modelKey]int
}

// model returns the batch's entry for the model named by a data point's
// attributes, adding it the first time.
func (d *decoder) model(attrs []*commonpb.KeyValue) (*telemetry.ModelDelta, error) {
	var k modelKey
	var haveName bool
	for _, kv := range attrs {
		switch kv.GetKey() {
		case telemetry.AttrModelName:
			k.name, haveName = kv.GetValue().GetStringValue(), true
		case telemetry.AttrModelVersion:
			k.version = kv.GetValue().GetStringValue()
		}
	}
	if !haveName || k.name == "" {
		return nil, fmt.Errorf("data point without %s", telemetry.AttrModelName)
	}
	if len(k.name) > maxString || len(k.version) > maxString || !utf8.ValidString(k.name) || !utf8.ValidString(k.version) {
		return nil, errors.New("model name or version too long or not UTF-8")
	}
	i, ok := d.models[k]
	if !ok {
		if len(d.b.Models) >= maxModels {
			return nil, fmt.Errorf("more than %d model versions", maxModels)
		}
		i = len(d.b.Models)
		d.models[k] = i
		d.b.Models = append(d.b.Models, telemetry.ModelDelta{Name: k.name, Version: k.version})
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
	case telemetry.MetricRequests, telemetry.MetricErrors, telemetry.MetricCacheHits, telemetry.MetricCacheMisses:
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
			case telemetry.MetricRequests:
				md.Requests = uint64(v)
			case telemetry.MetricErrors:
				md.Errors = uint64(v)
			case telemetry.MetricCacheHits:
				md.CacheHits = uint64(v)
			case telemetry.MetricCacheMisses:
				md.CacheMisses = uint64(v)
			}
		}
	case telemetry.MetricTotal, telemetry.MetricQueue, telemetry.MetricCompute, telemetry.MetricBatch:
		h := m.GetHistogram()
		if h == nil || h.AggregationTemporality != metricspb.AggregationTemporality_AGGREGATION_TEMPORALITY_DELTA {
			return errors.New("want a delta histogram")
		}
		bounds, ibounds, div := latencyBoundsSeconds, latencyBounds, 1e9
		if m.GetName() == telemetry.MetricBatch {
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
			case telemetry.MetricTotal:
				md.Total = hist
			case telemetry.MetricQueue:
				md.Queue = hist
			case telemetry.MetricCompute:
				md.Compute = hist
			case telemetry.MetricBatch:
				md.Batches = hist
			}
		}
	case telemetry.MetricUptime, telemetry.MetricInterval, telemetry.MetricTemperature:
		g := m.GetGauge()
		if g == nil || len(g.DataPoints) != 1 {
			return errors.New("want a gauge with one data point")
		}
		v := g.DataPoints[0].GetAsDouble()
		switch m.GetName() {
		case telemetry.MetricUptime, telemetry.MetricInterval:
			if !(v >= 0 && v < 1e9) { // also false for NaN
				return fmt.Errorf("%v s out of range", v)
			}
			if m.GetName() == telemetry.MetricUptime {
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
	case telemetry.MetricSpoolDropped:
		s := m.GetSum()
		if s == nil || len(s.DataPoints) != 1 || s.DataPoints[0].GetAsInt() < 0 {
			return errors.New("want a sum with one non-negative data point")
		}
		d.b.SpoolDropped = uint64(s.DataPoints[0].GetAsInt())
	}
	return nil
}

func decodeHistogram(p *metricspb.HistogramDataPoint, bounds []float64, ibounds []int64, div float64) (telemetry.Histogram, error) {
	if len(p.ExplicitBounds) != len(bounds) {
		return telemetry.Histogram{}, fmt.Errorf("%d bucket bounds, want %d", len(p.ExplicitBounds), len(bounds))
	}
	for i, b := range p.ExplicitBounds {
		if b != bounds[i] {
			return telemetry.Histogram{}, fmt.Errorf("bucket bound %d is %v, want %v", i, b, bounds[i])
		}
	}
	if len(p.BucketCounts) != len(bounds)+1 {
		return telemetry.Histogram{}, fmt.Errorf("%d bucket counts, want %d", len(p.BucketCounts), len(bounds)+1)
	}
	var total uint64
	for _, c := range p.BucketCounts {
		if total+c < total {
			return telemetry.Histogram{}, errors.New("bucket counts overflow")
		}
		total += c
	}
	if total != p.Count {
		return telemetry.Histogram{}, fmt.Errorf("count %d but buckets add up to %d", p.Count, total)
	}
	s := p.GetSum()
	if math.IsNaN(s) || s < 0 || s*div > math.MaxInt64/2 {
		return telemetry.Histogram{}, fmt.Errorf("sum %s out of range", strconv.FormatFloat(s, 'g', -1, 64))
	}
	return telemetry.Histogram{Bounds: ibounds, Counts: append([]uint64(nil), p.BucketCounts...), Count: total, Sum: int64(math.Round(s * div))}, nil
}

// fillHistograms gives histograms a batch did not carry their empty form,
// so that every ModelDelta's histograms have bounds and counts.
func fillHistograms(s *telemetry.Snapshot) {
	for _, h := range []struct {
		h      *telemetry.Histogram
		bounds []int64
	}{{&s.Total, latencyBounds}, {&s.Queue, latencyBounds}, {&s.Compute, latencyBounds}, {&s.Batches, batchBounds}} {
		if h.h.Counts == nil {
			*h.h = telemetry.Histogram{Bounds: h.bounds, Counts: make([]uint64, len(h.bounds)+1)}
		}
	}
}
