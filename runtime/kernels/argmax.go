package kernels

// Index types ArgMax can write.
type argIndex interface{ ~int32 | ~int64 }

// argChunk is how many positions ArgMax follows at once, keeping their
// best values on the stack while it reads the rows in order.
const argChunk = 64

// ArgMax writes, for each of outer x inner positions of in viewed as
// [outer, n, inner], the index along n of the largest value (or, with
// smallest set, the smallest); ties go to the lowest index, as in TFLite.
// Only positions [lo, hi) of the outer x inner are computed, so that a
// Pool can split them.
func ArgMax[T poolElem, I argIndex](in []T, out []I, outer, n, inner int, smallest bool, lo, hi int) {
	for p := lo; p < hi; {
		o, i0 := p/inner, p%inner
		i1 := min(inner, i0+argChunk, i0+hi-p)
		argMaxChunk(in[o*n*inner:(o+1)*n*inner], out[o*inner+i0:o*inner+i1], n, inner, i0, smallest)
		p += i1 - i0
	}
}

// argMaxChunk computes the len(idx) <= argChunk positions from i0 of one
// [n, inner] slab.
func argMaxChunk[T poolElem, I argIndex](slab []T, idx []I, n, inner, i0 int, smallest bool) {
	var best [argChunk]T
	w := len(idx)
	copy(best[:w], slab[i0:i0+w])
	clear(idx)
	for k := 1; k < n; k++ {
		row := slab[k*inner+i0 : k*inner+i0+w]
		for i, v := range row {
			if v > best[i] && !smallest || v < best[i] && smallest {
				best[i], idx[i] = v, I(k)
			}
		}
	}
}
