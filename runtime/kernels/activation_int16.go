package kernels

import (
	"math"
	"math/bits"
)

// sigmoidTable16 holds sigmoid(i/24) in 0.16 fixed point for i < 256,
// the table TFLite's int16 LOGISTIC and TANH interpolate in. Each entry is
// moved by half the error linear interpolation makes at the middle of its
// interval (sigmoid is concave there); the last is the limit 0xFFFF.
var sigmoidTable16 = func() (t [256]uint32) {
	f := func(x float64) float64 { return 65536 / (1 + math.Exp(-x/24)) }
	for i := range t {
		x := float64(i)
		chordErr := (f(x)+f(x+1))/2 - f(x+0.5)
		t[i] = uint32(math.Round(f(x) - chordErr/2))
	}
	t[255] = 0xFFFF
	return t
}()

// SigmoidQ16 is TFLite's int16 LOGISTIC (tanh when Tanh is set): the input
// rescaled by mult >> shift to steps of 1/(3·4096), then the sigmoid table
// interpolated; the output has scale 2^-15.
//
// At the power-of-two input scales where TFLite's optimized kernel (the
// one LiteRT runs) computes in gemmlowp fixed point, 2^-12 and for TANH
// also 2^-11, it does the same (fixed, with the input doubled when
// double); TFLite's reference kernel and TFLite Micro use the table there
// too, up to about 10 units of 2^-15 away.
type SigmoidQ16 struct {
	Tanh          bool
	fixed, double bool
	mult          int32
	shift         uint
}

// NewSigmoidQ16 prepares LOGISTIC (or TANH) of int16 inputs with the given
// scale.
func NewSigmoidQ16(inScale float32, tanh bool) SigmoidQ16 {
	q := SigmoidQ16{Tanh: tanh}
	if l, pot := CheckedLog2(inScale); pot {
		if shift := 12 + l; shift == 0 || (tanh && shift == 1) {
			q.fixed, q.double = true, shift == 1
			return q
		}
	}
	m := float64(inScale) * 4096 * 3
	for m <= 32767.0/2 && q.shift <= 30 {
		q.shift++
		m *= 2
	}
	q.mult = int32(m)
	return q
}

// Run applies the operator to in.
func (q *SigmoidQ16) Run(in, out []int16) {
	out = out[:len(in)]
	if q.fixed {
		q.runFixed(in, out)
		return
	}
	round := int32(0)
	if q.shift > 0 {
		round = 1 << (q.shift - 1)
	}
	for i, v := range in {
		x := (int32(v)*q.mult + round) >> q.shift
		a := uint32(x)
		if x < 0 {
			a = uint32(-x)
		}
		if q.Tanh {
			var r int32
			if h := a >> 8; h >= 255 {
				r = 0xFFFF << 8
			} else {
				ua, ub := sigmoidTable16[h], sigmoidTable16[h+1]
				r = int32(ua<<8 + (a&0xFF)*(ub-ua))
			}
			if x >= 0 {
				r = r - 1<<23 + 1<<7
			} else {
				r = -r + 1<<23 + 1<<7 - 1
			}
			out[i] = int16(r >> 8)
			continue
		}
		var r uint32
		if h := a >> 9; h >= 255 {
			r = 0x7FFF << 10
		} else {
			ua, ub := sigmoidTable16[h], sigmoidTable16[h+1]
			r = ua<<9 + (a&0x1FF)*(ub-ua)
		}
		if x >= 0 {
			r += 1 << 9
		} else {
			r = 1<<25 - r + 1<<9 - 1
		}
		out[i] = int16(r >> 10)
	}
}

// runFixed is Run at the scales of TFLite's fixed-point path.
func (q *SigmoidQ16) runFixed(in, out []int16) {
	for i, v := range in {
		if q.double {
			v = fpMulPOT(v, 1)
		}
		if q.Tanh {
			out[i] = TanhFixed16(v)
		} else {
			out[i] = LogisticFixed16(v)
		}
	}
}

// ReluQ16 is TFLite's quantized RELU and RELU6 on int16: a rescale by one
// fixed-point multiplier and a clamp to [lo, hi].
type ReluQ16 struct {
	inZero, outZero int32
	m               int32
	s               int
	lo, hi          int32
}

// NewReluQ16 prepares the rescale from in to out clamped to [lo, hi].
func NewReluQ16(in, out QParams, lo, hi int32) ReluQ16 {
	q := ReluQ16{inZero: in.Zero, outZero: out.Zero, lo: lo, hi: hi}
	q.m, q.s = QuantizeMultiplier(float64(in.Scale) / float64(out.Scale))
	return q
}

// Run applies the operator to in.
func (q *ReluQ16) Run(in, out []int16) {
	out = out[:len(in)]
	for i, v := range in {
		r := q.outZero + MultiplyByQuantizedMultiplier(int32(v)-q.inZero, q.m, q.s)
		out[i] = int16(min(max(r, q.lo), q.hi))
	}
}

// LUT16 is one of TFLite's 513-entry int16 tables: 512 samples of a
// function over the int16 input range, each corrected by half the
// interpolation error at its interval's midpoint, and the end value;
// lookups interpolate between neighbours.
type LUT16 [513]int16

// newLUT16 tabulates f for inputs inScale·(x - inZero) and outputs
// quantized with outScale and outZero, in the precision of F as TFLite's
// LUTPopulate does (float64 for its softmax tables, float32 otherwise).
// Products are converted explicitly so that no multiply-add is fused.
func newLUT16[F float32 | float64](inScale F, inZero int32, outScale F, outZero int32, f func(F) F) *LUT16 {
	var t LUT16
	round := func(x F) F { return F(math.Round(float64(x))) }
	clamp := func(v F) int16 { return int16(min(max(v, math.MinInt16), math.MaxInt16)) }
	inMin, inMax := inScale*F(math.MinInt16-inZero), inScale*F(math.MaxInt16-inZero)
	outMin, outMax := outScale*F(math.MinInt16-outZero), outScale*F(math.MaxInt16-outZero)
	step := (inMax - inMin) / 512
	inv := F(65536) / (outMax - outMin)
	for i := range 512 {
		x := inMin + F(F(i)*step)
		v, mid, next := f(x), f(x+step/2), f(inMin+F(F(i+1)*step))
		sample := round(F(v * inv))
		interp := round((F(next*inv) + round(F(v*inv))) / 2)
		bias := round((interp - round(F(mid*inv))) / 2)
		t[i] = clamp(sample - bias)
	}
	t[512] = clamp(round(F(f(inMax) * inv)))
	return &t
}

// lookup interpolates the table at x: the high 9 bits pick the interval,
// the low 7 the position in it.
func (t *LUT16) lookup(x int16) int16 {
	i := 256 + int32(x>>7)
	base, slope := int32(t[i]), int32(t[i+1])-int32(t[i])
	return int16(base + (slope*int32(x&0x7F)+64)>>7)
}

// Apply computes out[i] = t(in[i]).
func (t *LUT16) Apply(in, out []int16) {
	out = out[:len(in)]
	for i, v := range in {
		out[i] = t.lookup(v)
	}
}

// NewLogLUT16 is TFLite's int16 LOG table: log in float32, non-positive
// inputs mapped to the lowest output.
func NewLogLUT16(in, out QParams) *LUT16 {
	lowest := float32(math.MinInt16-out.Zero) * out.Scale
	return newLUT16(in.Scale, in.Zero, out.Scale, out.Zero, func(v float32) float32 {
		if v <= 0 {
			return lowest
		}
		return float32(math.Log(float64(v)))
	})
}

// NewRsqrtLUT16 is TFLite's int16 RSQRT table: 1/sqrt in float32, zero
// mapped to the highest output.
func NewRsqrtLUT16(in, out QParams) *LUT16 {
	return newLUT16(in.Scale, in.Zero, out.Scale, out.Zero, func(v float32) float32 {
		if v <= 0 {
			return math.MaxInt16 * out.Scale
		}
		return 1 / float32(math.Sqrt(float64(v)))
	})
}

// NewLogLUT8 is TFLite's int8 LOG table (its LUTPopulate): log in float32
// of each dequantized value, rounded half away from zero; non-positive
// inputs give the lowest output.
func NewLogLUT8(in, out QParams) LUT8 {
	var t LUT8
	lo, hi := TypeRange(true)
	lowest := float32(lo-out.Zero) * out.Scale
	inv := 1 / out.Scale
	for i := range 256 {
		x := byteValue(i, true)
		v := in.Scale * float32(x-in.Zero)
		y := lowest
		if v > 0 {
			y = float32(math.Log(float64(v)))
		}
		q := int32(float32(math.Round(float64(y*inv)))) + out.Zero
		t[i] = uint8(min(max(q, lo), hi))
	}
	return t
}

// SoftmaxQ16 is TFLite's int16 SOFTMAX (output scale 2^-15): differences
// from the row maximum rescaled onto [-10, 0] and looked up in an exp
// table, their sum inverted through a 1/(1+x) table.
type SoftmaxQ16 struct {
	exp, recip *LUT16
	m          int32
	s          int
}

// NewSoftmaxQ16 prepares a softmax of int16 inputs with scale inScale.
func NewSoftmaxQ16(inScale, beta float32) *SoftmaxQ16 {
	const span = 65535.0
	q := &SoftmaxQ16{
		exp:   newLUT16(10/span, math.MaxInt16, 2/span, 0, math.Exp),
		recip: newLUT16(1/span, math.MinInt16, 2/span, 0, func(x float64) float64 { return 1 / (1 + x) }),
	}
	q.m, q.s = QuantizeMultiplier(float64(inScale) * float64(beta) / (10 / span))
	return q
}

// Run computes rows [from, to) of depth values each.
func (q *SoftmaxQ16) Run(in, out []int16, depth, from, to int) {
	for r := from; r < to; r++ {
		x, y := in[r*depth:(r+1)*depth], out[r*depth:(r+1)*depth]
		m := int16(math.MinInt16)
		for _, v := range x {
			m = max(m, v)
		}
		var sum int32
		for i, v := range x {
			d := MultiplyByQuantizedMultiplier(int32(v)-int32(m), q.m, q.s) + 32767
			y[i] = q.exp.lookup(int16(min(max(d, math.MinInt16), math.MaxInt16)))
			sum += int32(y[i])
		}
		head := bits.LeadingZeros32(uint32(sum))
		shifted := int32((int64(sum)<<(head-1) + 1<<13) >> 14)
		sym := shifted - (1<<15 + 1<<16)
		recip := int64(q.recip.lookup(int16(min(max(sym, math.MinInt16), math.MaxInt16))))
		right := uint(31 - head)
		round := int64(1) << (right - 1)
		for i, e := range y {
			v := int32((int64(e)*recip + round) >> right)
			y[i] = int16(min(max(v, 0), math.MaxInt16))
		}
	}
}

// SoftmaxQ8To16Run is TFLite's 8-bit to int16 SOFTMAX: the float table of
// SoftmaxQ8, rounded half away from zero into the int16 output.
func SoftmaxQ8To16Run[T Q8](s *SoftmaxQ8, in []T, out []int16, depth, from, to int) {
	for r := from; r < to; r++ {
		x, y := in[r*depth:(r+1)*depth], out[r*depth:(r+1)*depth]
		m := int32(x[0])
		for _, v := range x[1:] {
			m = max(m, int32(v))
		}
		base := 255 - m
		var sum float32
		for _, v := range x {
			sum += s.table[base+int32(v)]
		}
		inv := 1 / (sum * s.outScale)
		for i, v := range x {
			p := s.table[base+int32(v)] * inv
			y[i] = sat16(int32(math.Round(float64(p))) + s.zero)
		}
	}
}
