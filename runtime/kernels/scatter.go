package kernels

// ScatterND zeroes out and adds each slice of updates (slice elements per
// row of k indices) at the offset its indices address: dims[j] and
// strides[j] (in elements) are the first k dimensions of out and their
// strides. Rows that address one slice twice add up, as in TFLite. It
// returns the position in indices of the first out-of-range index, or -1.
func ScatterND[T ~int8 | ~uint8 | ~int32 | ~int64 | ~float32, I argIndex](indices []I, updates, out []T, dims, strides []int, slice int) int {
	clear(out)
	k := len(dims)
	for r, u := 0, 0; r+k <= len(indices) && k > 0; r, u = r+k, u+slice {
		off := 0
		for j, v := range indices[r : r+k] {
			if v < 0 || int64(v) >= int64(dims[j]) {
				return r + j
			}
			off += int(v) * strides[j]
		}
		dst := out[off : off+slice]
		for i, v := range updates[u : u+slice] {
			dst[i] += v
		}
	}
	return -1
}

// CumSum sets out to the running sums of in, viewed as [outer, n, inner],
// along the middle dimension: exclusive leaves each element out of its own
// sum, reverse sums from the end.
func CumSum[T ~int32 | ~int64 | ~float32](in, out []T, outer, n, inner int, exclusive, reverse bool) {
	for o := range outer {
		base := o * n * inner
		for i := range inner {
			var acc T
			for j := range n {
				if reverse {
					j = n - 1 - j
				}
				p := base + j*inner + i
				if exclusive {
					out[p] = acc
					acc += in[p]
				} else {
					acc += in[p]
					out[p] = acc
				}
			}
		}
	}
}

// TopK writes, for each of the rows of n values in in, the k largest
// values in descending order to vals and their positions to idx; of equal
// values the earlier comes first, as in TFLite.
func TopK[T Ordered](in, vals []T, idx []int32, n, k int) {
	for r := 0; r*n < len(in) && k > 0; r++ {
		row := in[r*n : (r+1)*n]
		v, x := vals[r*k:(r+1)*k], idx[r*k:(r+1)*k]
		cnt := 0
		for j, e := range row {
			if cnt == k && !(e > v[k-1]) {
				continue
			}
			p := min(cnt, k-1)
			for p > 0 && e > v[p-1] {
				v[p], x[p] = v[p-1], x[p-1]
				p--
			}
			v[p], x[p] = e, int32(j)
			cnt = min(cnt+1, k)
		}
	}
}
