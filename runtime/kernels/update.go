package kernels

// UpdateSlice copies operand to out and then writes update, a block of
// shape ushape, at the element offsets start of out, whose row-major
// element strides (in bytes, like every size here) are strides. The start
// must keep the block inside.
func UpdateSlice(operand, update, out []byte, ushape, start, strides []int, es int) {
	copy(out, operand)
	r := len(ushape)
	if r == 0 {
		copy(out, update[:es])
		return
	}
	for _, d := range ushape {
		if d == 0 {
			return
		}
	}
	row := ushape[r-1] * es
	var idx [8]int
	for src := 0; src < len(update); src += row {
		off := 0
		for d := range r {
			off += (start[d] + idx[d]) * strides[d]
		}
		copy(out[off:off+row], update[src:src+row])
		for d := r - 2; d >= 0; d-- {
			if idx[d]++; idx[d] < ushape[d] {
				break
			}
			idx[d] = 0
		}
	}
}
