package kernels

import "math"

// A fully connected layer is the matrix product of its input rows (batches
// of depth values) with the weights [units×depth]: a pointwise convolution,
// run by ConvF32 and ConvQ. Only the dynamic-range (hybrid) form, which
// quantizes its float input on the fly, has its own kernel.

// FullyConnectedShape is the geometry of a fully connected layer as a
// pointwise convolution: batches pixels of depth values, units outputs each.
func FullyConnectedShape(batches, units, depth int) ConvShape {
	return ConvShape{
		Batches: 1, InH: 1, InW: batches, InC: depth,
		OutH: 1, OutW: batches, OutC: units,
		KH: 1, KW: 1, StrideH: 1, StrideW: 1, DilH: 1, DilW: 1,
	}
}

// FullyConnectedHybrid is a dynamic-range fully connected layer: float
// input and output, int8 weights. Each input row is quantized to int8 on
// the fly (TFLite's hybrid kernel): symmetrically with scale max|x|/127, or
// asymmetrically over [min(x,0), max(x,0)] when Asymmetric is set.
type FullyConnectedHybrid struct {
	W          *PackedQ
	H          *Hybrid
	Asymmetric bool
}

// NewFullyConnectedHybrid packs the int8 weights [units][depth] with their
// scale(s) and the float bias (nil for none).
func NewFullyConnectedHybrid(w []int8, units, depth int, wScale, bias []float32, asymmetric bool, lo, hi float32) *FullyConnectedHybrid {
	return &FullyConnectedHybrid{
		W:          PackQ(w, units, depth, []int32{0}),
		H:          NewHybrid(units, wScale, bias, lo, hi),
		Asymmetric: asymmetric,
	}
}

// Panels is the number of unit panels.
func (f *FullyConnectedHybrid) Panels() int { return panels(f.W.N) }

// Quantize quantizes input rows [m0, m1) into q (same layout as in) and
// their scales and zero points into scale[m] and zp[m].
func (f *FullyConnectedHybrid) Quantize(in []float32, q []int8, scale []float32, zp []int32, m0, m1 int) {
	k := f.W.K
	for m := m0; m < m1; m++ {
		if f.Asymmetric {
			scale[m], zp[m] = quantizeAsymmetric(in[m*k:(m+1)*k], q[m*k:(m+1)*k])
		} else {
			scale[m], zp[m] = quantizeSymmetric(in[m*k:(m+1)*k], q[m*k:(m+1)*k]), 0
		}
	}
}

// Run computes batches [m0, m1) for unit panels [p0, p1) from rows that
// Quantize prepared.
func (f *FullyConnectedHybrid) Run(q []int8, scale []float32, zp []int32, out []float32, m0, m1, p0, p1 int) {
	k, n := f.W.K, f.W.N
	GemmHybrid(q[m0*k:], k, m1-m0, scale[m0:], zp[m0:], f.W, f.H, p0, p1, out[m0*n:], n)
}

// quantizeSymmetric is TFLite's SymmetricQuantizeFloats: q = round(x·127/max|x|).
func quantizeSymmetric(x []float32, q []int8) float32 {
	var r float32
	for _, v := range x {
		r = max(r, float32(math.Abs(float64(v))))
	}
	if r == 0 {
		clear(q)
		return 1
	}
	inv := 127 / r
	for i, v := range x {
		q[i] = int8(min(max(math.Round(float64(v*inv)), -127), 127))
	}
	return r / 127
}

// quantizeAsymmetric is TFLite's AsymmetricQuantizeFloats over the range
// [min(x, 0), max(x, 0)] mapped onto [-128, 127].
func quantizeAsymmetric(x []float32, q []int8) (float32, int32) {
	var lo, hi float64
	for _, v := range x {
		lo, hi = min(lo, float64(v)), max(hi, float64(v))
	}
	if lo == hi {
		clear(q)
		return 1, 0
	}
	const qmin, qmax = -128.0, 127.0
	scale := (hi - lo) / (qmax - qmin)
	zpFromMin, zpFromMax := qmin-lo/scale, qmax-hi/scale
	zpf := zpFromMax
	if math.Abs(qmin)+math.Abs(lo/scale) < math.Abs(qmax)+math.Abs(hi/scale) {
		zpf = zpFromMin
	}
	zp := int32(math.Round(min(max(zpf, qmin), qmax)))
	s := float32(scale)
	inv := 1 / s
	for i, v := range x {
		q[i] = int8(min(max(math.Round(float64(float32(zp)+v*inv)), qmin), qmax))
	}
	return s, zp
}
