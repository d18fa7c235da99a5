package kernels

import "math"

// L2NormalizeQ8 divides each row of depth int8 or uint8 values (less the
// zero point zp) by the row's Euclidean norm, into outputs with scale
// 1/128 (zero point 0 for int8, 128 for uint8), with TFLite's integer
// arithmetic for each type.
func L2NormalizeQ8[T Q8](in, out []T, depth int, zp int32) {
	signed := signedQ8[T]()
	lo, hi := TypeRange(signed)
	for r := 0; (r+1)*depth <= len(in) && depth > 0; r++ {
		x, y := in[r*depth:(r+1)*depth], out[r*depth:(r+1)*depth]
		var acc int32
		for _, v := range x {
			d := int32(v) - zp
			acc += d * d
		}
		m, s := invSqrtMultiplier(acc, -1)
		for i, v := range x {
			d := int32(v) - zp
			var q int32
			if signed {
				q = MultiplyByQuantizedMultiplier(d, m, s+7)
			} else {
				q = 128 + RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(128*d, m), -s)
			}
			y[i] = T(min(max(q, lo), hi))
		}
	}
}

// LogSoftmaxQ8 is TFLite's 8-bit LOG_SOFTMAX for rows [from, to) of depth
// values: with the table of e^(-inScale*d) for distances d to the row
// maximum (as SoftmaxQ8 builds it), out = rint((inScale*(x - max) -
// log(sum)) / outScale) + outZero in float32.
func LogSoftmaxQ8[T Q8](s *SoftmaxQ8, in, out []T, depth, from, to int, inScale float32) {
	lo, hi := TypeRange(signedQ8[T]())
	scale := inScale / s.outScale
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
		pre := (inScale*float32(m) + float32(math.Log(float64(sum)))) / s.outScale
		for i, v := range x {
			p := scale*float32(v) - pre
			q := int32(math.RoundToEven(float64(p))) + s.zero
			y[i] = T(min(max(q, lo), hi))
		}
	}
}
