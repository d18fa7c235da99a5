package kernels

import "math"

// SoftmaxQ8To16Run computes rows [from, to) of an int8 -> int16 softmax
// with the table of s (TFLite's optimized Softmax<int8_t, int16_t>: the
// same float table and sum as the 8-bit one, rounded to nearest and
// clamped to int16).
func SoftmaxQ8To16Run(s *SoftmaxQ8, in []int8, out []int16, depth, from, to int) {
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
			q := int32(math.Round(float64(p))) + s.zero
			y[i] = int16(min(max(q, math.MinInt16), math.MaxInt16))
		}
	}
}
