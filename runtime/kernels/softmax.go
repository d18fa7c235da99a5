package kernels

import "math"

// SoftmaxF32 computes, for each row of depth values, out = e^((x - max) *
// beta) / sum over the row. Rows [from, to) are computed.
func SoftmaxF32(in, out []float32, depth, from, to int, beta float32) {
	for r := from; r < to; r++ {
		x, y := in[r*depth:(r+1)*depth], out[r*depth:(r+1)*depth]
		m := x[0]
		for _, v := range x[1:] {
			m = max(m, v)
		}
		var sum float64
		for i, v := range x {
			e := float32(math.Exp(float64(float32(v-m) * beta)))
			y[i] = e
			sum += float64(e)
		}
		inv := float32(1 / sum)
		for i := range y {
			y[i] *= inv
		}
	}
}

// SoftmaxQ8 is the precomputed arithmetic of an 8-bit SOFTMAX, following
// TFLite's optimized kernel (the one its XNNPACK delegate leaves to TFLite,
// outside aarch64): a float table of e^(-scale*beta*d) for the 256 possible
// distances d from the row maximum, a float sum, and a rounded quotient.
type SoftmaxQ8 struct {
	table    [256]float32 // table[255-d] = e^(-scale*beta*d)
	outScale float32
	zero     int32
}

// NewSoftmaxQ8 prepares a softmax of inputs with scale inScale into out.
func NewSoftmaxQ8(inScale, beta float32, out QParams) SoftmaxQ8 {
	s := SoftmaxQ8{outScale: out.Scale, zero: out.Zero}
	scale := -inScale * beta
	for d := range 256 {
		s.table[255-d] = float32(math.Exp(float64(scale * float32(d))))
	}
	return s
}

// SoftmaxQ8Run computes rows [from, to) of depth values each.
func SoftmaxQ8Run[T Q8](s *SoftmaxQ8, in, out []T, depth, from, to int) {
	signed := signedQ8[T]()
	lo, hi := TypeRange(signed)
	for r := from; r < to; r++ {
		x, y := in[r*depth:(r+1)*depth], out[r*depth:(r+1)*depth]
		m := int32(x[0])
		for _, v := range x[1:] {
			m = max(m, int32(v))
		}
		base := 255 - m // table index of the value v is base + v
		var sum float32
		for _, v := range x {
			sum += s.table[base+int32(v)]
		}
		inv := 1 / (sum * s.outScale)
		for i, v := range x {
			p := float32(s.table[base+int32(v)] * inv)
			var q int32
			if signed {
				q = int32(math.Round(float64(p)))
			} else {
				q = int32(p + 0.5)
			}
			y[i] = T(min(max(q+s.zero, lo), hi))
		}
	}
}
