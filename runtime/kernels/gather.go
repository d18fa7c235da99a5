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
