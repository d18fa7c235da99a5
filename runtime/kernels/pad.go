package kernels

// PadConst writes in (row-major, shape inShape) into out (shape outShape)
// shifted by before[d] in each dimension, and fills the rest of out with
// value. Ranks are equal and at most 8; before[d]+inShape[d] <= outShape[d].
func PadConst[T any](in, out []T, inShape, outShape, before []int, value T) {
	r := len(inShape)
	if r == 0 || len(in) == 0 {
		fill(out, value)
		copy(out, in)
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
	// The rows of in land at increasing offsets: fill the gaps between
	// them (and after the last) rather than all of out first.
	last := inShape[r-1]
	var idx [8]int
	filled := 0
	for i := 0; i < len(in); i += last {
		fill(out[filled:o], value)
		copy(out[o:o+last], in[i:i+last])
		filled = o + last
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
	fill(out[filled:], value)
}
