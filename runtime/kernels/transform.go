package kernels

// MapCopy fills dst, a row-major tensor of the given shape (rank 1 to 8),
// with dst[i0,...,ik] = src[offs[0][i0] + ... + offs[k][ik]]: each output
// dimension maps its indices to element offsets in src. Transposes, slices,
// strided slices, tiles, mirror pads and depth/space rearrangements are all
// such maps. When the innermost map is consecutive (offs[k][i] =
// offs[k][0] + i), whole rows are copied.
func MapCopy[T any](dst, src []T, shape []int, offs [][]int) {
	r := len(shape)
	last := shape[r-1]
	if last == 0 || len(dst) == 0 {
		return
	}
	inner := offs[r-1]
	contig := true
	for i, o := range inner {
		if o != inner[0]+i {
			contig = false
			break
		}
	}
	var idx [8]int
	base := 0
	for d := 0; d < r-1; d++ {
		base += offs[d][0]
	}
	for o := 0; o < len(dst); o += last {
		row := dst[o : o+last]
		if contig {
			copy(row, src[base+inner[0]:base+inner[0]+last])
		} else {
			for i, off := range inner {
				row[i] = src[base+off]
			}
		}
		for d := r - 2; d >= 0; d-- {
			m := offs[d]
			base -= m[idx[d]]
			idx[d]++
			if idx[d] < shape[d] {
				base += m[idx[d]]
				break
			}
			idx[d] = 0
			base += m[0]
		}
	}
}
