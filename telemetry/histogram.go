package telemetry

import (
	"fmt"
	"math"
	"sync/atomic"
	"time"
)

// Latency bucket layout: upper bounds 2^(k/4) seconds for k in
// [boundKMin, boundKMax]. In OTLP terms this is the exponential layout of
// scale 2, written out as explicit bounds.
const (
	boundKMin = -80 // 2^-20 s ≈ 0.95 µs
	boundKMax = 27  // 2^6.75 s ≈ 107.6 s
	// NumLatencyBounds is the number of latency bucket bounds; a latency
	// histogram has one more bucket, for values above the last bound.
	NumLatencyBounds = boundKMax - boundKMin + 1
)

// latencyBounds are the inclusive upper bounds of the latency buckets in
// nanoseconds, ascending.
var latencyBounds = func() []int64 {
	b := make([]int64, NumLatencyBounds)
	for i := range b {
		k := boundKMin + i
		b[i] = int64(math.Round(1e9 * math.Exp2(float64(k)/4)))
	}
	return b
}()

// batchBounds are the inclusive upper bounds of the batch-size buckets.
var (
	batchBoundArr = [...]int64{1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256}
	batchBounds   = batchBoundArr[:]
)

// LatencyBounds returns the latency bucket bounds (a copy).
func LatencyBounds() []time.Duration {
	out := make([]time.Duration, len(latencyBounds))
	for i, b := range latencyBounds {
		out[i] = time.Duration(b)
	}
	return out
}

// Histogram is a snapshot of bucketed observations. Counts[i] counts the
// values v with Bounds[i-1] < v <= Bounds[i]; the last count is for values
// above the last bound. For latency histograms values are nanoseconds, for
// the batch-size histogram they are requests per batch.
type Histogram struct {
	Bounds []int64  // shared between histograms of one kind: do not modify
	Counts []uint64 // len(Bounds)+1
	Count  uint64   // sum of Counts
	Sum    int64    // sum of the observed values
}

// Quantile estimates the q-quantile (0 <= q <= 1) of a latency histogram
// by linear interpolation inside the bucket that holds it, as Prometheus's
// histogram_quantile does. An empty histogram gives 0.
func (h Histogram) Quantile(q float64) time.Duration {
	return time.Duration(h.QuantileValue(q))
}

// QuantileValue is Quantile in the histogram's own unit (nanoseconds for
// latencies, requests for batch sizes).
func (h Histogram) QuantileValue(q float64) int64 {
	if h.Count == 0 || len(h.Counts) != len(h.Bounds)+1 || math.IsNaN(q) {
		return 0
	}
	q = min(max(q, 0), 1)
	rank := q * float64(h.Count)
	var seen float64
	for i, c := range h.Counts {
		if c == 0 {
			continue
		}
		if seen+float64(c) >= rank {
			if i == len(h.Bounds) {
				return h.Bounds[len(h.Bounds)-1]
			}
			lo := int64(0)
			if i > 0 {
				lo = h.Bounds[i-1]
			}
			hi := h.Bounds[i]
			frac := (rank - seen) / float64(c)
			return lo + int64(frac*float64(hi-lo))
		}
		seen += float64(c)
	}
	return h.Bounds[len(h.Bounds)-1]
}

// Mean is the mean observed value, in the histogram's unit (0 when empty).
func (h Histogram) Mean() float64 {
	if h.Count == 0 {
		return 0
	}
	return float64(h.Sum) / float64(h.Count)
}

// Sub returns h minus an earlier snapshot of the same histogram: the
// observations made in between.
func (h Histogram) Sub(prev Histogram) Histogram {
	out := Histogram{Bounds: h.Bounds, Counts: make([]uint64, len(h.Counts)), Sum: h.Sum - prev.Sum}
	for i, c := range h.Counts {
		if i < len(prev.Counts) {
			c -= prev.Counts[i]
		}
		out.Counts[i] = c
		out.Count += c
	}
	return out
}

// Add returns the merge of two histograms with the same bounds.
func (h Histogram) Add(o Histogram) Histogram {
	if h.Counts == nil {
		return o.clone()
	}
	out := h.clone()
	for i := range out.Counts {
		if i < len(o.Counts) {
			out.Counts[i] += o.Counts[i]
		}
	}
	out.Count += o.Count
	out.Sum += o.Sum
	return out
}

func (h Histogram) clone() Histogram {
	h.Counts = append([]uint64(nil), h.Counts...)
	return h
}

// bucketOf returns the index of the bucket that holds v: the first bound
// >= v, or len(bounds) when v is above them all.
func bucketOf(bounds []int64, v int64) int {
	lo, hi := 0, len(bounds)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if bounds[mid] < v {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}

// latencyHist is the live, concurrently updated form of a latency
// histogram.
type latencyHist struct {
	counts [NumLatencyBounds + 1]atomic.Uint64
	sum    atomic.Int64
}

func (h *latencyHist) observe(d time.Duration) {
	v := max(int64(d), 0)
	h.counts[bucketOf(latencyBounds, v)].Add(1)
	h.sum.Add(v)
}

func (h *latencyHist) snapshot() Histogram { return snapshot(latencyBounds, h.counts[:], &h.sum) }

// batchHist is the live form of the batch-size histogram.
type batchHist struct {
	counts [len(batchBoundArr) + 1]atomic.Uint64
	sum    atomic.Int64
}

func (h *batchHist) observe(n int) {
	v := int64(n)
	h.counts[bucketOf(batchBounds, v)].Add(1)
	h.sum.Add(v)
}

func (h *batchHist) snapshot() Histogram { return snapshot(batchBounds, h.counts[:], &h.sum) }

// snapshot copies live bucket counters into a Histogram.
func snapshot(bounds []int64, counts []atomic.Uint64, sum *atomic.Int64) Histogram {
	out := Histogram{Bounds: bounds, Counts: make([]uint64, len(counts)), Sum: sum.Load()}
	for i := range counts {
		c := counts[i].Load()
		out.Counts[i] = c
		out.Count += c
	}
	return out
}

// LatencyHistogram rebuilds a latency histogram from its bucket counts
// (NumLatencyBounds+1 of them, as in Histogram.Counts) and its sum in
// nanoseconds, for example after storing them.
func LatencyHistogram(counts []uint64, sum int64) (Histogram, error) {
	if len(counts) != NumLatencyBounds+1 {
		return Histogram{}, fmt.Errorf("telemetry: %d latency bucket counts, want %d", len(counts), NumLatencyBounds+1)
	}
	h := Histogram{Bounds: latencyBounds, Counts: append([]uint64(nil), counts...), Sum: sum}
	for _, c := range counts {
		h.Count += c
	}
	return h, nil
}

// LatencyBoundsNanos returns the latency bucket bounds in nanoseconds, the
// Bounds of every latency Histogram (shared: do not modify).
func LatencyBoundsNanos() []int64 { return latencyBounds }

// BatchBounds returns the batch-size bucket bounds, the Bounds of every
// batch-size Histogram (shared: do not modify).
func BatchBounds() []int64 { return batchBounds }
