package kernels

import (
	"math"
	"unsafe"
)

// addQ8SIMD and mulQ8SIMD, when set, are the XNNPACK schemes of AddQ8Run
// and MulQ8Run on n contiguous elements of x (int8 when signed is 1, else
// uint8) into z; CPU files set them from init. addQ8SIMD reads n elements
// of y, mulQ8SIMD those of y when ystep is 1 and takes yv for every y - zb
// when it is 0.
var (
	addQ8SIMD func(x, y, z *byte, n int, ma, mb, bias, shift, zero, lo, hi, signed int32)
	mulQ8SIMD func(x, y, z *byte, n, ystep int, za, zb, yv int32, scale, lo, hi float32, zero, signed int32)
)

// simdMinRun is the shortest run of elements worth a SIMD call.
const simdMinRun = 16

// bytePtr returns the address of s[i] as a *byte.
func bytePtr[T Q8](s []T, i int) *byte { return (*byte)(unsafe.Pointer(&s[i])) }

// signedFlag is 1 when T is signed, else 0.
func signedFlag[T Q8]() int32 {
	if m := T(0) - 1; m < 0 {
		return 1
	}
	return 0
}

// Q8 is an 8-bit quantized element type.
type Q8 interface{ ~int8 | ~uint8 }

// QParams are per-tensor affine quantization parameters:
// real = Scale * (q - Zero).
type QParams struct {
	Scale float32
	Zero  int32
}

// byteValue is the integer a byte holds as an int8 (signed) or uint8.
func byteValue(i int, signed bool) int32 {
	if signed {
		return int32(int8(uint8(i)))
	}
	return int32(i)
}

// TypeRange is the value range of an 8-bit type.
func TypeRange(signed bool) (lo, hi int32) {
	if signed {
		return math.MinInt8, math.MaxInt8
	}
	return 0, math.MaxUint8
}

// AddQ8 is the precomputed arithmetic of an 8-bit quantized ADD or SUB. The
// sum is formed as acc = ta[x] + tb[y] from two 256-entry tables and then
// requantized, which reproduces both schemes exactly:
//
//   - XNNPACK's (used by TFLite's XNNPACK delegate, and so by the reference
//     outputs, when both input/output scale ratios lie in [2^-10, 2^8)):
//     acc = bias + x*ma + y*mb with 21-bit multipliers, out = acc >> shift.
//   - TFLite's builtin kernel otherwise: inputs shifted left by 20 and scaled
//     by fixed-point multipliers, out = MultiplyByQuantizedMultiplier(acc).
type AddQ8 struct {
	ta, tb [256]int32
	shift  int // > 0 selects the XNNPACK scheme
	// ma, mb and bias are the XNNPACK scheme's multipliers and bias
	// (ta[x] = bias + x·ma, tb[y] = y·mb), for the SIMD kernel.
	ma, mb, bias int32
	mult         int32
	multExp      int
	zero         int32
	lo, hi       int32
}

// NewAddQ8 prepares out = a + b (or a - b when sub) for 8-bit operands of
// the given signedness, clamped to [lo, hi] (the fused activation's range
// within the type).
func NewAddQ8(signed, sub bool, a, b, out QParams, lo, hi int32) AddQ8 {
	q := AddQ8{zero: out.Zero, lo: lo, hi: hi}
	ra, rb := a.Scale/out.Scale, b.Scale/out.Scale
	inRange := func(r float32) bool { return r >= 1.0/1024 && r < 256 }
	if inRange(ra) && inRange(rb) {
		if sub {
			rb = -rb
		}
		_, e := math.Frexp(float64(max(abs32(ra), abs32(rb))))
		q.shift = 21 - e // 20 multiplier bits above the largest scale's exponent
		ma := int32(math.RoundToEven(math.Ldexp(float64(ra), q.shift)))
		mb := int32(math.RoundToEven(math.Ldexp(float64(rb), q.shift)))
		bias := int32(1)<<(q.shift-1) - ma*a.Zero - mb*b.Zero
		q.ma, q.mb, q.bias = ma, mb, bias
		for i := range 256 {
			q.ta[i] = bias + byteValue(i, signed)*ma
			q.tb[i] = byteValue(i, signed) * mb
		}
		return q
	}
	const leftShift = 20
	twiceMax := 2 * math.Max(float64(a.Scale), float64(b.Scale))
	ma, ea := QuantizeMultiplier(float64(a.Scale) / twiceMax)
	mb, eb := QuantizeMultiplier(float64(b.Scale) / twiceMax)
	q.mult, q.multExp = QuantizeMultiplier(twiceMax / (float64(1<<leftShift) * float64(out.Scale)))
	for i := range 256 {
		q.ta[i] = MultiplyByQuantizedMultiplier((byteValue(i, signed)-a.Zero)*(1<<leftShift), ma, ea)
		q.tb[i] = MultiplyByQuantizedMultiplier((byteValue(i, signed)-b.Zero)*(1<<leftShift), mb, eb)
		if sub {
			q.tb[i] = -q.tb[i]
		}
	}
	return q
}

// XNNPACK reports whether q uses XNNPACK's arithmetic.
func (q *AddQ8) XNNPACK() bool { return q.shift > 0 }

func abs32(x float32) float32 { return math.Float32frombits(math.Float32bits(x) &^ (1 << 31)) }

// AddQ8Run computes the output elements [from, to) of the broadcast p.
func AddQ8Run[T Q8](q *AddQ8, a, b, out []T, p *Broadcast, from, to int) {
	if period, ok := p.periodic(simdMinRun); ok {
		if to-from >= lutMinRun*period {
			addQ8Periodic(q, a, b[:period], out, from, to)
			return
		}
		// b repeats a few values (per-channel constants): one pass
		// with their table entries at hand, not one run per period.
		var tb [simdMinRun]int32
		for j := range period {
			tb[j] = q.tb[uint8(b[j])]
		}
		x, z := a[from:to], out[from:to]
		j := from % period
		for i := range z {
			acc := q.ta[uint8(x[i])] + tb[j]
			if q.shift > 0 {
				acc = acc>>q.shift + q.zero
			} else {
				acc = MultiplyByQuantizedMultiplier(acc, q.mult, q.multExp) + q.zero
			}
			z[i] = T(min(max(acc, q.lo), q.hi))
			if j++; j == period {
				j = 0
			}
		}
		return
	}
	sa, sb := p.innerSteps()
	it := p.runs(from, to)
	for {
		o, ao, bo, n := it.next()
		if n == 0 {
			return
		}
		x, y, z := span(a, ao, n, sa), span(b, bo, n, sb), out[o:o+n]
		if q.shift > 0 && addQ8SIMD != nil && n >= simdMinRun {
			// A one-value operand's share goes into the bias, and the
			// other operand is read twice, the second time weighed 0
			// (int32 sums wrap alike in any order).
			simd := true
			switch {
			case sa == 1 && sb == 1:
				_, _ = x[n-1], y[n-1]
				addQ8SIMD(bytePtr(x, 0), bytePtr(y, 0), bytePtr(z, 0), n, q.ma, q.mb, q.bias, int32(q.shift), q.zero, q.lo, q.hi, signedFlag[T]())
			case sa == 1 && sb == 0:
				_ = x[n-1]
				addQ8SIMD(bytePtr(x, 0), bytePtr(x, 0), bytePtr(z, 0), n, q.ma, 0, q.bias+q.tb[uint8(y[0])], int32(q.shift), q.zero, q.lo, q.hi, signedFlag[T]())
			case sa == 0 && sb == 1:
				_ = y[n-1]
				addQ8SIMD(bytePtr(y, 0), bytePtr(y, 0), bytePtr(z, 0), n, q.mb, 0, q.ta[uint8(x[0])], int32(q.shift), q.zero, q.lo, q.hi, signedFlag[T]())
			default:
				simd = false
			}
			if simd {
				continue
			}
		}
		if q.shift > 0 {
			for i := range z {
				acc := q.ta[uint8(x[i*sa])] + q.tb[uint8(y[i*sb])]
				z[i] = T(min(max(acc>>q.shift+q.zero, q.lo), q.hi))
			}
			continue
		}
		for i := range z {
			acc := q.ta[uint8(x[i*sa])] + q.tb[uint8(y[i*sb])]
			z[i] = T(min(max(MultiplyByQuantizedMultiplier(acc, q.mult, q.multExp)+q.zero, q.lo), q.hi))
		}
	}
}

// lutMinRun is how many output elements per value of the periodic operand
// make a table of all 256 sums per value pay off.
const lutMinRun = 1024

// requant returns the output of the sum acc of table entries.
func (q *AddQ8) requant(acc int32) int32 {
	if q.shift > 0 {
		acc = acc>>q.shift + q.zero
	} else {
		acc = MultiplyByQuantizedMultiplier(acc, q.mult, q.multExp) + q.zero
	}
	return min(max(acc, q.lo), q.hi)
}

// addQ8Periodic computes the output elements [from, to) of a op y where y
// repeats its len(y) values along a: it tabulates the 256 outputs for each
// of them first, so each element costs one lookup.
func addQ8Periodic[T Q8](q *AddQ8, a, y, out []T, from, to int) {
	period := len(y)
	var lut [simdMinRun][256]T
	for j, v := range y {
		tb := q.tb[uint8(v)]
		for i := range 256 {
			lut[j][i] = T(q.requant(q.ta[i] + tb))
		}
	}
	x, z := a[from:to], out[from:to]
	i, j := 0, from%period
	for ; j != 0 && i < len(z); i++ {
		z[i] = lut[j][uint8(x[i])]
		if j++; j == period {
			j = 0
		}
	}
	for ; i+period <= len(z); i += period {
		xs, zs := x[i:i+period], z[i:i+period]
		for k := range zs {
			zs[k] = lut[k][uint8(xs[k])]
		}
	}
	for k := range z[i:] {
		z[i+k] = lut[k][uint8(x[i+k])]
	}
}

// MulQ8 is the precomputed arithmetic of an 8-bit quantized MUL. Like
// TFLite with its XNNPACK delegate, it uses XNNPACK's float requantization
// (product * scale, rounded to nearest even) when the product-to-output scale
// ratio lies in [2^-16, 2^8), and TFLite's fixed-point multiplier otherwise.
type MulQ8 struct {
	za, zb   int32
	useFloat bool
	scale    float32
	flo, fhi float32
	mult     int32
	multExp  int
	zero     int32
	lo, hi   int32
}

// NewMulQ8 prepares out = a * b clamped to [lo, hi].
func NewMulQ8(a, b, out QParams, lo, hi int32) MulQ8 {
	q := MulQ8{za: a.Zero, zb: b.Zero, zero: out.Zero, lo: lo, hi: hi}
	r := a.Scale * b.Scale / out.Scale
	if r >= 1.0/65536 && r < 256 {
		q.useFloat = true
		q.scale = r
		q.flo, q.fhi = float32(lo-out.Zero), float32(hi-out.Zero)
		return q
	}
	q.mult, q.multExp = QuantizeMultiplier(float64(r))
	return q
}

// XNNPACK reports whether q uses XNNPACK's arithmetic.
func (q *MulQ8) XNNPACK() bool { return q.useFloat }

// magicBias rounds a float32 of magnitude below 2^22 to the nearest integer
// (ties to even) when added: the integer lands in the low mantissa bits.
const (
	magicBias     = 12582912.0 // 1.5 * 2^23
	magicBiasBits = 0x4B400000
)

// MulQ8Run computes the output elements [from, to) of the broadcast p.
func MulQ8Run[T Q8](q *MulQ8, a, b, out []T, p *Broadcast, from, to int) {
	sa, sb := p.innerSteps()
	it := p.runs(from, to)
	for {
		o, ao, bo, n := it.next()
		if n == 0 {
			return
		}
		x, y, z := span(a, ao, n, sa), span(b, bo, n, sb), out[o:o+n]
		if q.useFloat && mulQ8SIMD != nil && n >= simdMinRun && sa+sb >= 1 {
			// One operand may be one value: then it is y (the product
			// commutes), passed as y - zb.
			za, zb := q.za, q.zb
			if sa == 0 {
				x, y, za, zb = y, x, zb, za
			}
			ystep, yv := 1, int32(0)
			if sa == 0 || sb == 0 {
				ystep, yv = 0, int32(y[0])-zb
			}
			_, _ = x[n-1], y[ystep*(n-1)]
			mulQ8SIMD(bytePtr(x, 0), bytePtr(y, 0), bytePtr(z, 0), n, ystep, za, zb, yv, q.scale, q.flo, q.fhi, q.zero, signedFlag[T]())
			continue
		}
		if q.useFloat {
			for i := range z {
				acc := (int32(x[i*sa]) - q.za) * (int32(y[i*sb]) - q.zb)
				f := min(max(float32(acc)*q.scale, q.flo), q.fhi)
				z[i] = T(int32(math.Float32bits(f+magicBias)) - magicBiasBits + q.zero)
			}
			continue
		}
		for i := range z {
			acc := (int32(x[i*sa]) - q.za) * (int32(y[i*sb]) - q.zb)
			z[i] = T(min(max(MultiplyByQuantizedMultiplier(acc, q.mult, q.multExp)+q.zero, q.lo), q.hi))
		}
	}
}
