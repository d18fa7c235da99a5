package kernels

// GatherND copies, for each row of k indices in indices, the slice of
// params they address into consecutive slices of out. dims[j] and
// strides[j] (in elements) are the first k dimensions of params and their
// strides; slice is the element count each row addresses. It returns the
// position in indices of the first out-of-range index, or -1 when all are
// in range (out is then complete).
func GatherND[T any, I argIndex](params []T, indices []I, out []T, dims, strides []int, slice int) int {
	k := len(dims)
	if k == 0 {
		for o := 0; o+slice <= len(out); o += slice {
			copy(out[o:o+slice], params[:slice])
		}
		return -1
	}
	for r, o := 0, 0; r+k <= len(indices); r, o = r+k, o+slice {
		off := 0
		for j, v := range indices[r : r+k] {
			if v < 0 || int64(v) >= int64(dims[j]) {
				return r + j
			}
			off += int(v) * strides[j]
		}
		copy(out[o:o+slice], params[off:off+slice])
	}
	return -1
}

// Gather copies, for each outer block o and each index k of indices, the
// slice of slice elements at params[(o*n + indices[k])*slice:] into out,
// in order. It returns the position of the first index outside [0, n), or
// -1 when all are in range (out is then complete).
func Gather[T any, I argIndex](params []T, indices []I, out []T, outer, n, slice int) int {
	for k, v := range indices {
		if v < 0 || int64(v) >= int64(n) {
			return k
		}
	}
	o := 0
	for b := 0; b < outer; b++ {
		for _, v := range indices {
			src := (b*n + int(v)) * slice
			copy(out[o:o+slice], params[src:src+slice])
			o += slice
		}
	}
	return -1
}
