package kernels

// Index types ArgMax can write.
type argIndex interface{ ~int32 | ~int64 }

// ArgMax writes, for each of outer x inner positions of in viewed as
// [outer, n, inner], the index along n of the largest value (or, with
// smallest set, the smallest); ties go to the lowest index, as in TFLite.
func ArgMax[T poolElem, I argIndex](in []T, out []I, outer, n, inner int, smallest bool) {
	for o := 0; o < outer; o++ {
		base := o * n * inner
		idx := out[o*inner : (o+1)*inner]
		clear(idx)
		for k := 1; k < n; k++ {
			row := in[base+k*inner : base+(k+1)*inner]
			for i, v := range row {
				best := in[base+int(idx[i])*inner+i]
				if v > best && !smallest || v < best && smallest {
					idx[i] = I(k)
				}
			}
		}
	}
}
