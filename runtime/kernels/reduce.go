package kernels

import "math"

// ReduceGeom describes a reduction of a row-major tensor: Shape is the
// input shape (rank 1 to 8) and OutStride[d] the output stride of input
// dimension d, 0 for reduced dimensions.
type ReduceGeom struct {
	Shape, OutStride []int
}

// walk calls row for every run of the innermost dimension with the run's
// input offset and the output index of its first element.
func (g *ReduceGeom) walk(n int, row func(in, out int)) {
	r := len(g.Shape)
	last := g.Shape[r-1]
	if last == 0 {
		return
	}
	var idx [8]int
	o := 0
	for i := 0; i < n; i += last {
		row(i, o)
		for d := r - 2; d >= 0; d-- {
			idx[d]++
			o += g.OutStride[d]
			if idx[d] < g.Shape[d] {
				break
			}
			o -= g.OutStride[d] * g.Shape[d]
			idx[d] = 0
		}
	}
}

type sumElem interface {
	~float32 | ~int8 | ~uint8 | ~int16 | ~int32
}

// ReduceSum sets acc to the sums of in over the reduced dimensions.
func ReduceSum[T sumElem, A ~float32 | ~int32](g *ReduceGeom, in []T, acc []A) {
	clear(acc)
	last := g.Shape[len(g.Shape)-1]
	ls := g.OutStride[len(g.Shape)-1]
	g.walk(len(in), func(i, o int) {
		src := in[i : i+last]
		if ls == 0 {
			s := acc[o]
			for _, v := range src {
				s += A(v)
			}
			acc[o] = s
			return
		}
		dst := acc[o : o+last]
		for j, v := range src {
			dst[j] += A(v)
		}
	})
}

// KeepsLast says whether the last dimension is not reduced, so that
// ReduceSumCols can split the reduction by columns of it.
func (g *ReduceGeom) KeepsLast() bool { return g.OutStride[len(g.Shape)-1] != 0 }

// ReduceSumCols is ReduceSum, for a geometry that KeepsLast, over the
// columns [c0, c1) of the last dimension only: acc's other columns are
// left alone, so that a Pool can split the columns. Each sum adds the same
// values in the same order as ReduceSum.
func ReduceSumCols[T sumElem, A ~float32 | ~int32](g *ReduceGeom, in []T, acc []A, c0, c1 int) {
	last := g.Shape[len(g.Shape)-1]
	for r := 0; r < len(acc); r += last {
		clear(acc[r+c0 : r+c1])
	}
	g.walk(len(in), func(i, o int) {
		dst := acc[o+c0 : o+c1]
		for j, v := range in[i+c0 : i+c1] {
			dst[j] += A(v)
		}
	})
}

// Rows calls f with the output index range [lo, hi) of columns [c0, c1)
// of each output row, for a geometry that KeepsLast and outElems outputs.
func (g *ReduceGeom) Rows(outElems, c0, c1 int, f func(lo, hi int)) {
	last := g.Shape[len(g.Shape)-1]
	for r := 0; r < outElems; r += last {
		f(r+c0, r+c1)
	}
}

// ReduceMax sets out to the maxima (or, with smallest set, minima) of in
// over the reduced dimensions; init must be the type's lowest (highest)
// value.
func ReduceMax[T poolElem](g *ReduceGeom, in, out []T, init T, smallest bool) {
	for i := range out {
		out[i] = init
	}
	last := g.Shape[len(g.Shape)-1]
	ls := g.OutStride[len(g.Shape)-1]
	g.walk(len(in), func(i, o int) {
		for j, v := range in[i : i+last] {
			p := o + j*ls
			if smallest {
				out[p] = min(out[p], v)
			} else {
				out[p] = max(out[p], v)
			}
		}
	})
}

// MeanF32 divides float sums by the element count n of each reduction.
func MeanF32(acc, out []float32, n int) {
	inv := 1 / float32(n)
	for i, s := range acc {
		out[i] = s * inv
	}
}

// MeanQ turns int32 sums of n quantized values into quantized means as
// XNNPACK's mean operator does (which is what TFLite runs with its default
// delegate): q = round_half_even(clamp(float32(sum - n*inZP) * scale)) +
// outZP, with scale = (in_scale / out_scale) * (1/n) in float32 and the
// clamp at [qmin-outZP, qmax-outZP].
func MeanQ[T ~int8 | ~uint8](acc []int32, out []T, n int, inZP, outZP int32, ratio float32, qmin, qmax int32) {
	scale := ratio * float32(1/float64(n))
	lo, hi := float32(qmin-outZP), float32(qmax-outZP)
	bias := int32(n) * inZP
	for i, s := range acc {
		x := min(max(float32(s-bias)*scale, lo), hi)
		out[i] = T(int32(math.RoundToEven(float64(x))) + outZP)
	}
}
