package kernels

// SegmentOp is the reduction of an UNSORTED_SEGMENT_* operator.
type SegmentOp uint8

// The reductions of UNSORTED_SEGMENT_SUM, _PROD, _MAX and _MIN.
const (
	SegmentSum SegmentOp = iota
	SegmentProd
	SegmentMax
	SegmentMin
)

// Segmentable is an element type of the segment reductions.
type Segmentable interface{ ~int32 | ~float32 }

// UnsortedSegment reduces the rows of in (slice elements each) into the
// rows of out named by ids: out has len(out)/slice segments, each starting
// at init (the reduction's identity: 0, 1, or the type's lowest or highest
// value). Negative ids drop their row, as in TFLite. It returns the
// position of the first id at or past the number of segments, or -1.
func UnsortedSegment[T Segmentable](op SegmentOp, in []T, ids []int32, out []T, slice int, init T) int {
	for i := range out {
		out[i] = init
	}
	if slice == 0 {
		return -1
	}
	segs := len(out) / slice
	for i, id := range ids {
		if id < 0 {
			continue
		}
		if int(id) >= segs {
			return i
		}
		dst, src := out[int(id)*slice:][:slice], in[i*slice:][:slice]
		for j, v := range src {
			switch op {
			case SegmentSum:
				dst[j] += v
			case SegmentProd:
				dst[j] *= v
			case SegmentMax:
				dst[j] = max(dst[j], v)
			case SegmentMin:
				dst[j] = min(dst[j], v)
			}
		}
	}
	return -1
}

// AddN sets out to the element-wise sum of the inputs.
func AddN[T ~int32 | ~float32](ins [][]T, out []T) {
	copy(out, ins[0])
	for _, in := range ins[1:] {
		for i, v := range in[:len(out)] {
			out[i] += v
		}
	}
}
