package kernels

// PadConst writes in (row-major, shape inShape) into out (shape outShape)
// shifted by before[d] in each dimension, and fills the rest of out with
// value. Ranks are equal and at most 8; before[d]+inShape[d] <= outShape[d].
func PadConst[T any](in, out []T, inShape, outShape, before []int, value T) {
	for i := range out {
		out[i] = value
	}
	r := len(inShape)
	if r == 0 {
		copy(out, in)
		return
	}
	if len(in) == 0 {
		return
	}
	var outStride [8]int
	s := 1
	for d := r - 1; d >= 0; d-- {
		outStride[d] = s
		s *= outShape[d]
	}
	o := 0
	for d := 0; d < r; d++ {
		o += before[d] * outStride[d]
	}
	last := inShape[r-1]
	var idx [8]int
	for i := 0; i < len(in); i += last {
		copy(out[o:o+last], in[i:i+last])
		for d := r - 2; d >= 0; d-- {
			idx[d]++
			o += outStride[d]
			if idx[d] < inShape[d] {
				break
			}
			o -= outStride[d] * inShape[d]
			idx[d] = 0
		}
	}
}
