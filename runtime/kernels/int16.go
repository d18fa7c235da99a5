package kernels

import (
	"math"
	"math/bits"
)

// This file holds the arithmetic of TFLite's 16x8 quantization: int16
// activations quantized symmetrically (zero point 0, though the element-wise
// kernels accept any), int8 weights and int64 (or int32) biases, computed as
// TFLite's reference integer kernels do.

// MultiplyByQuantizedMultiplier64 scales a 64-bit accumulator by the
// fixed-point multiplier (q, shift) as TFLite's int64 overload does: the
// multiplier is first rounded to 16 bits, then one rounding shift.
func MultiplyByQuantizedMultiplier64(x int64, q int32, shift int) int32 {
	reduced := int64(0x7FFF)
	if q < 0x7FFF0000 {
		reduced = int64((q + 1<<15) >> 16)
	}
	total := uint(15 - shift)
	return int32((x*reduced + int64(1)<<(total-1)) >> total)
}

// CheckedLog2 returns the rounded base-2 logarithm of x and whether x is a
// power of two within TFLite's tolerance (its CheckedLog2).
func CheckedLog2(x float32) (int, bool) {
	l := float32(math.Log(float64(x))) * (1 / float32(math.Log(2)))
	r := float32(math.Round(float64(l)))
	return int(r), abs32(l-r) < 1e-3
}

func sat16(v int32) int16 { return int16(min(max(v, math.MinInt16), math.MaxInt16)) }

// AddQ16 is the precomputed arithmetic of an int16 ADD or SUB. In TFLite's
// general scheme both inputs are shifted left by 15 and scaled by
// fixed-point multipliers below one, added (or subtracted), and scaled to
// the output. The power-of-two scheme (the operator's
// pot_scale_int16 option, all scales powers of two and zero points 0)
// shifts one input right and adds with int16 saturation.
type AddQ16 struct {
	pot, sub         bool
	off1, off2, offO int32
	m1, m2, mo       int32
	s1, s2, so       int
	lo, hi           int32
}

// NewAddQ16 prepares out = a + b (a - b when sub) in TFLite's general
// scheme, clamped to [lo, hi].
func NewAddQ16(sub bool, a, b, out QParams, lo, hi int32) AddQ16 {
	q := AddQ16{sub: sub, off1: -a.Zero, off2: -b.Zero, offO: out.Zero, lo: lo, hi: hi}
	twiceMax := float64(2 * max(a.Scale, b.Scale))
	q.m1, q.s1 = QuantizeMultiplier(float64(a.Scale) / twiceMax)
	q.m2, q.s2 = QuantizeMultiplier(float64(b.Scale) / twiceMax)
	q.mo, q.so = QuantizeMultiplier(twiceMax / (float64(1<<15) * float64(out.Scale)))
	return q
}

// NewAddQ16POT prepares TFLite's power-of-two int16 ADD or SUB: shift1 and
// shift2 (at most 0, one of them 0) are log2 of each input scale over the
// output scale. ok is false when the shifts do not allow the scheme.
func NewAddQ16POT(sub bool, shift1, shift2 int, lo, hi int32) (q AddQ16, ok bool) {
	if shift1 > 0 || shift2 > 0 || (shift1 != 0 && shift2 != 0) {
		return q, false
	}
	return AddQ16{pot: true, sub: sub, s1: shift1, s2: shift2, lo: lo, hi: hi}, true
}

func (q *AddQ16) one(x, y int16) int16 {
	if q.pot {
		a := RoundingDivideByPOT(int32(x), -q.s1)
		b := RoundingDivideByPOT(int32(y), -q.s2)
		if q.sub {
			b = -b
		}
		return int16(min(max(int32(sat16(a+b)), q.lo), q.hi))
	}
	a := MultiplyByQuantizedMultiplier((int32(x)+q.off1)<<15, q.m1, q.s1)
	b := MultiplyByQuantizedMultiplier((int32(y)+q.off2)<<15, q.m2, q.s2)
	if q.sub {
		b = -b
	}
	r := MultiplyByQuantizedMultiplier(a+b, q.mo, q.so) + q.offO
	return int16(min(max(r, q.lo), q.hi))
}

// AddQ16Run computes the output elements [from, to) of the broadcast p.
func AddQ16Run(q *AddQ16, a, b, out []int16, p *Broadcast, from, to int) {
	sa, sb := p.innerSteps()
	it := p.runs(from, to)
	for {
		o, ao, bo, n := it.next()
		if n == 0 {
			return
		}
		x, y, z := span(a, ao, n, sa), span(b, bo, n, sb), out[o:o+n]
		for i := range z {
			z[i] = q.one(x[i*sa], y[i*sb])
		}
	}
}

// MulQ16 is the precomputed arithmetic of an int16 MUL (TFLite's reference
// integer Mul): the product of the inputs (zero points 0) scaled by one
// fixed-point multiplier.
type MulQ16 struct {
	m      int32
	s      int
	lo, hi int32
}

// NewMulQ16 prepares out = a * b clamped to [lo, hi].
func NewMulQ16(a, b, out QParams, lo, hi int32) MulQ16 {
	q := MulQ16{lo: lo, hi: hi}
	// TFLite forms the multiplier in float32.
	q.m, q.s = QuantizeMultiplier(float64(a.Scale * b.Scale / out.Scale))
	return q
}

// MulQ16Run computes the output elements [from, to) of the broadcast p.
func MulQ16Run(q *MulQ16, a, b, out []int16, p *Broadcast, from, to int) {
	sa, sb := p.innerSteps()
	it := p.runs(from, to)
	for {
		o, ao, bo, n := it.next()
		if n == 0 {
			return
		}
		x, y, z := span(a, ao, n, sa), span(b, bo, n, sb), out[o:o+n]
		for i := range z {
			r := MultiplyByQuantizedMultiplier(int32(x[i*sa])*int32(y[i*sb]), q.m, q.s)
			z[i] = int16(min(max(r, q.lo), q.hi))
		}
	}
}

// Requant16 requantizes the accumulators of a 16x8 convolution or matrix
// product, one fixed-point multiplier per output channel. With an int64
// bias TFLite accumulates in 64 bits and scales with its int64
// MultiplyByQuantizedMultiplier; with an int32 bias it accumulates in 32
// bits (wrapping) and scales with the 32-bit one; its 16x8
// FULLY_CONNECTED instead scales in float64 and rounds half away from zero.
type Requant16 struct {
	mult   []int32
	shift  []int
	bias   []int64
	acc32  bool
	scale  []float64
	zero   int32
	lo, hi int32
}

// NewRequant16 builds the requantization of n output channels from the
// input scale, the weight scales (one, or one per channel), the output
// scale and zero point, the bias (nil, or n values; acc32 when it was
// int32) and the clamp range.
func NewRequant16(n int, inScale float32, wScale []float32, outScale float32, outZP int32, bias []int64, acc32 bool, lo, hi int32) *Requant16 {
	r := &Requant16{mult: make([]int32, n), shift: make([]int, n), bias: make([]int64, n), acc32: acc32, zero: outZP, lo: lo, hi: hi}
	for c := range n {
		r.mult[c], r.shift[c] = QuantizeMultiplier(float64(inScale) * float64(channelScale(wScale, c)) / float64(outScale))
		if bias != nil {
			r.bias[c] = bias[c]
		}
	}
	return r
}

func channelScale(s []float32, c int) float32 {
	if len(s) > 1 {
		return s[c]
	}
	return s[0]
}

// ScaleInFloat switches r to TFLite's float64 requantization (its 16x8
// FULLY_CONNECTED).
func (r *Requant16) ScaleInFloat(inScale float32, wScale []float32, outScale float32) {
	r.scale = make([]float64, len(r.mult))
	for c := range r.scale {
		r.scale[c] = float64(inScale) * float64(channelScale(wScale, c)) / float64(outScale)
	}
}

func (r *Requant16) out(acc int64, c int) int16 {
	var v int32
	switch {
	case r.scale != nil:
		f := math.Round(float64(acc+r.bias[c]) * r.scale[c])
		v = int32(min(max(f, math.MinInt32), math.MaxInt32))
	case r.acc32:
		v = MultiplyByQuantizedMultiplier(int32(acc)+int32(r.bias[c]), r.mult[c], r.shift[c])
	default:
		v = MultiplyByQuantizedMultiplier64(acc+r.bias[c], r.mult[c], r.shift[c])
	}
	return int16(min(max(v+r.zero, r.lo), r.hi))
}

// ConvQ16 is a 16x8 CONV_2D: int16 input (zero point 0), int8 weights
// [OutC, KH, KW, InC] with zero point 0, 64-bit accumulation.
type ConvQ16 struct {
	s  ConvShape
	w  []int8
	rq *Requant16
}

// NewConvQ16 prepares a 16x8 convolution.
func NewConvQ16(s ConvShape, w []int8, rq *Requant16) *ConvQ16 {
	return &ConvQ16{s: s, w: w, rq: rq}
}

// Run computes output pixels [p0, p1) (batch, row, column order).
func (k *ConvQ16) Run(in, out []int16, p0, p1 int) {
	s := &k.s
	for p := p0; p < p1; p++ {
		b, oy, ox := p/(s.OutH*s.OutW), p/s.OutW%s.OutH, p%s.OutW
		y0, x0 := oy*s.StrideH-s.PadTop, ox*s.StrideW-s.PadLeft
		dst := out[p*s.OutC : (p+1)*s.OutC]
		for c := range dst {
			var acc int64
			wc := k.w[c*s.KH*s.KW*s.InC:]
			for ky := range s.KH {
				y := y0 + ky*s.DilH
				if y < 0 || y >= s.InH {
					continue
				}
				for kx := range s.KW {
					x := x0 + kx*s.DilW
					if x < 0 || x >= s.InW {
						continue
					}
					src := in[((b*s.InH+y)*s.InW+x)*s.InC:][:s.InC]
					wk := wc[(ky*s.KW+kx)*s.InC:][:s.InC]
					var sum int64
					for i, v := range src {
						sum += int64(v) * int64(wk[i])
					}
					acc += sum
				}
			}
			dst[c] = k.rq.out(acc, c)
		}
	}
}

// DepthwiseQ16 is a 16x8 DEPTHWISE_CONV_2D: weights [1, KH, KW, OutC],
// OutC = InC·Mult.
type DepthwiseQ16 struct {
	s    ConvShape
	mult int
	w    []int8
	rq   *Requant16
}

// NewDepthwiseQ16 prepares a 16x8 depthwise convolution with depth
// multiplier mult.
func NewDepthwiseQ16(s ConvShape, mult int, w []int8, rq *Requant16) *DepthwiseQ16 {
	return &DepthwiseQ16{s: s, mult: mult, w: w, rq: rq}
}

// Run computes output pixels [p0, p1).
func (k *DepthwiseQ16) Run(in, out []int16, p0, p1 int) {
	s := &k.s
	for p := p0; p < p1; p++ {
		b, oy, ox := p/(s.OutH*s.OutW), p/s.OutW%s.OutH, p%s.OutW
		y0, x0 := oy*s.StrideH-s.PadTop, ox*s.StrideW-s.PadLeft
		dst := out[p*s.OutC : (p+1)*s.OutC]
		for c := range dst {
			ic := c / k.mult
			var acc int64
			for ky := range s.KH {
				y := y0 + ky*s.DilH
				if y < 0 || y >= s.InH {
					continue
				}
				for kx := range s.KW {
					x := x0 + kx*s.DilW
					if x < 0 || x >= s.InW {
						continue
					}
					acc += int64(in[((b*s.InH+y)*s.InW+x)*s.InC+ic]) * int64(k.w[(ky*s.KW+kx)*s.OutC+c])
				}
			}
			dst[c] = k.rq.out(acc, c)
		}
	}
}

// FullyConnectedQ16 is a 16x8 FULLY_CONNECTED: weights [N, K].
type FullyConnectedQ16 struct {
	n, k int
	w    []int8
	rq   *Requant16
}

// NewFullyConnectedQ16 prepares y = W x + b for n outputs of k inputs.
func NewFullyConnectedQ16(n, k int, w []int8, rq *Requant16) *FullyConnectedQ16 {
	return &FullyConnectedQ16{n: n, k: k, w: w, rq: rq}
}

// Run computes rows [r0, r1) of the output.
func (f *FullyConnectedQ16) Run(in, out []int16, r0, r1 int) {
	for r := r0; r < r1; r++ {
		x := in[r*f.k : (r+1)*f.k]
		y := out[r*f.n : (r+1)*f.n]
		for c := range y {
			w := f.w[c*f.k : (c+1)*f.k]
			var acc int64
			for i, v := range x {
				acc += int64(v) * int64(w[i])
			}
			y[c] = f.rq.out(acc, c)
		}
	}
}

// Requantize is TFLite's integer QUANTIZE between quantized types (its
// Requantize): out = MultiplyByQuantizedMultiplier(in - inZero) + outZero,
// clamped to [lo, hi].
type Requantize struct {
	inZero, outZero int32
	m               int32
	s               int
	lo, hi          int32
}

// NewRequantize prepares a requantization from in to out whose type spans
// [lo, hi].
func NewRequantize(in, out QParams, lo, hi int32) Requantize {
	q := Requantize{inZero: in.Zero, outZero: out.Zero, lo: lo, hi: hi}
	q.m, q.s = QuantizeMultiplier(float64(in.Scale) / float64(out.Scale))
	return q
}

// Int is the integer element types QUANTIZE converts between.
type Int interface {
	~int8 | ~uint8 | ~int16 | ~int32
}

// RequantizeRun converts in to out.
func RequantizeRun[I, O Int](q *Requantize, in []I, out []O) {
	out = out[:len(in)]
	for i, v := range in {
		r := MultiplyByQuantizedMultiplier(int32(v)-q.inZero, q.m, q.s) + q.outZero
		out[i] = O(min(max(r, q.lo), q.hi))
	}
}

// QuantizeF32Int16 is TFLite's AffineQuantize to int16: round half away
// from zero of in/scale in float64, plus the zero point, saturated.
func QuantizeF32Int16(in []float32, out []int16, q QParams) {
	out = out[:len(in)]
	for i, v := range in {
		r := math.Round(float64(v) / float64(q.Scale))
		r = min(max(r, -1<<31), 1<<31-1)
		out[i] = sat16(int32(r) + q.Zero)
	}
}

// DequantizeInt16 computes out = scale·(in - zero) in float32.
func DequantizeInt16(in []int16, out []float32, q QParams) {
	out = out[:len(in)]
	for i, v := range in {
		out[i] = q.Scale * float32(int32(v)-q.Zero)
	}
}

// LeakyReluQ16 is TFLite's quantized LEAKY_RELU on int16: the identity
// and alpha branches each scale by their own fixed-point multiplier.
type LeakyReluQ16 struct {
	inZero, outZero int32
	mi, ma          int32
	si, sa          int
}

// NewLeakyReluQ16 prepares a LEAKY_RELU with slope alpha.
func NewLeakyReluQ16(in, out QParams, alpha float32) LeakyReluQ16 {
	q := LeakyReluQ16{inZero: in.Zero, outZero: out.Zero}
	q.ma, q.sa = QuantizeMultiplier(float64(in.Scale * alpha / out.Scale))
	q.mi, q.si = QuantizeMultiplier(float64(in.Scale / out.Scale))
	return q
}

// Run applies the operator to in.
func (q *LeakyReluQ16) Run(in, out []int16) {
	out = out[:len(in)]
	for i, v := range in {
		x := int32(v) - q.inZero
		var r int32
		if x >= 0 {
			r = MultiplyByQuantizedMultiplier(x, q.mi, q.si)
		} else {
			r = MultiplyByQuantizedMultiplier(x, q.ma, q.sa)
		}
		out[i] = sat16(r + q.outZero)
	}
}

// MeanQ16 finishes TFLite's int16 MEAN or SUM from the int32 sums of n
// elements each. A mean scales by the input/output scale ratio as a
// fixed-point multiplier with 1/n folded in (TFLite's reference
// QuantizedMeanOrSum, which its MEAN runs); a sum scales in float32 and
// rounds half away from zero (its optimized one, which its SUM runs).
type MeanQ16 struct {
	inZero, outZero int32
	n               int32
	m               int32
	s               int
	sum             bool
	scale, bias     float32
}

// NewMeanQ16 prepares the mean (or, with sum set, the sum) of n elements
// from in to out.
func NewMeanQ16(in, out QParams, n int, sum bool) MeanQ16 {
	q := MeanQ16{inZero: in.Zero, outZero: out.Zero, n: int32(n), sum: sum}
	if sum {
		q.scale = in.Scale / out.Scale
		q.bias = float32(float32(-in.Zero)*q.scale) * float32(n)
		return q
	}
	q.m, q.s = QuantizeMultiplier(float64(in.Scale) / float64(out.Scale))
	shift := min(63-bits.LeadingZeros64(uint64(n)), 32, 31+q.s)
	q.m = int32((int64(q.m) << shift) / int64(n))
	q.s -= shift
	return q
}

// Run writes the means (or sums) of the sums in acc.
func (q *MeanQ16) Run(acc []int32, out []int16) {
	out = out[:len(acc)]
	for i, v := range acc {
		var r int32
		if q.sum {
			f := math.Round(float64(float32(float32(v)*q.scale) + q.bias))
			r = int32(min(max(f, math.MinInt32), math.MaxInt32)) + q.outZero
		} else {
			r = MultiplyByQuantizedMultiplier(v-q.inZero*q.n, q.m, q.s) + q.outZero
		}
		out[i] = sat16(r)
	}
}

// ResizeBilinear16 is TFLite's integer bilinear resize (its
// ResizeBilinearInteger, which it runs for int16): source positions in
// steps of 2^-10, the four weighted neighbours summed in 64 bits and
// divided by 2^20 rounding half away from zero.
type ResizeBilinear16 struct {
	batches, inH, inW, c, outH, outW int
	ys, xs                           []interp10
}

// interp10 is one output coordinate's source: position·2^10 and the two
// neighbouring input indexes.
type interp10 struct{ v, lo, hi int32 }

// NewResizeBilinear16 prepares the resize of [batches, inH, inW, c] to
// [batches, outH, outW, c].
func NewResizeBilinear16(batches, inH, inW, c, outH, outW int, alignCorners, halfPixel bool) *ResizeBilinear16 {
	axis := func(in, out int) []interp10 {
		scale := (int32(1<<10)*int32(in) + int32(out)/2) / int32(out)
		if alignCorners && out > 1 {
			scale = (int32(1<<10)*int32(in-1) + int32(out-1)/2) / int32(out-1)
		}
		t := make([]interp10, out)
		for i := range t {
			v := int32(i) * scale
			if halfPixel {
				v += scale/2 - 1<<9
			}
			t[i] = interp10{v: v, lo: max(v/(1<<10), 0), hi: min((v+1<<10-1)/(1<<10), int32(in-1))}
		}
		return t
	}
	return &ResizeBilinear16{batches: batches, inH: inH, inW: inW, c: c, outH: outH, outW: outW,
		ys: axis(inH, outH), xs: axis(inW, outW)}
}

// Rows is the number of output rows (batches × output height).
func (k *ResizeBilinear16) Rows() int { return k.batches * k.outH }

// Run computes output rows [r0, r1).
func (k *ResizeBilinear16) Run(in, out []int16, r0, r1 int) {
	C := k.c
	for r := r0; r < r1; r++ {
		b, y := r/k.outH, k.ys[r%k.outH]
		img := in[b*k.inH*k.inW*C:]
		dy := int64(y.v - y.lo<<10)
		for ox, x := range k.xs {
			dx := int64(x.v - x.lo<<10)
			ll := img[(int(y.lo)*k.inW+int(x.lo))*C:][:C]
			lu := img[(int(y.hi)*k.inW+int(x.lo))*C:][:C]
			rl := img[(int(y.lo)*k.inW+int(x.hi))*C:][:C]
			ru := img[(int(y.hi)*k.inW+int(x.hi))*C:][:C]
			dst := out[(r*k.outW+ox)*C:][:C]
			for c := range dst {
				s := int64(ll[c])*(1<<10-dy)*(1<<10-dx) + int64(lu[c])*dy*(1<<10-dx) +
					int64(rl[c])*(1<<10-dy)*dx + int64(ru[c])*dy*dx
				round := int64(1 << 19)
				if s <= 0 {
					round = -round
				}
				dst[c] = int16((s + round) / (1 << 20))
			}
		}
	}
}
