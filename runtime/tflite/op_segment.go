package tflite

import (
	"fmt"
	"math"

	"github.com/edgeinfer/edgeinfer/runtime"
	"github.com/edgeinfer/edgeinfer/runtime/kernels"
)

func init() {
	register("UNSORTED_SEGMENT_SUM", prepareSegment(kernels.SegmentSum))
	register("UNSORTED_SEGMENT_PROD", prepareSegment(kernels.SegmentProd))
	register("UNSORTED_SEGMENT_MAX", prepareSegment(kernels.SegmentMax))
	register("UNSORTED_SEGMENT_MIN", prepareSegment(kernels.SegmentMin))
}

// errSegmentID reports a segment id past the number of segments at run
// time.
var errSegmentID = fmt.Errorf("%w: segment id out of range", runtime.ErrInput)

// prepareSegment returns the prepareFunc of an UNSORTED_SEGMENT_*
// operator: data (float32 or int32), int32 segment ids of a prefix of
// data's shape, and a constant number of segments, which sizes the output
// [num_segments] + data.shape[rank(ids):].
func prepareSegment(op kernels.SegmentOp) prepareFunc {
	return func(c *opCtx) (kernel, error) {
		if err := c.arity(3, 3, 1); err != nil {
			return nil, err
		}
		data, ids := c.input(0), c.input(1)
		nv, ok := constScalar(c.input(2))
		if !ok || c.input(2).dtype != runtime.Int32 || nv < 0 {
			return nil, c.unsupported("num_segments %s must be a constant non-negative int32 scalar (the output's size depends on it)", c.input(2))
		}
		if ids.dtype != runtime.Int32 || len(ids.shape) > len(data.shape) || !sameShape(ids.shape, data.shape[:len(ids.shape)]) {
			return nil, c.invalid("segment ids %s must be int32 with a prefix of the shape of %s", ids, data)
		}
		tail := data.shape[len(ids.shape):]
		if err := settleShapeOut(c, data.dtype, append([]int{int(nv)}, tail...)); err != nil {
			return nil, err
		}
		slice := shapeOpProd(tail)
		var run func(in, ids, out []byte) int
		switch data.dtype {
		case runtime.Float32:
			init := segmentInit[float32](op, -math.MaxFloat32, math.MaxFloat32)
			run = func(in, ids, out []byte) int {
				return kernels.UnsortedSegment(op, f32(in), i32(ids), f32(out), slice, init)
			}
		case runtime.Int32:
			init := segmentInit[int32](op, math.MinInt32, math.MaxInt32)
			run = func(in, ids, out []byte) int {
				return kernels.UnsortedSegment(op, i32(in), i32(ids), i32(out), slice, init)
			}
		default:
			return nil, c.unsupported("type %s", data.dtype)
		}
		segs := int(nv)
		return kernelFunc(func(b *binding) error {
			if bad := run(b.ins[0], b.ins[1], b.outs[0]); bad >= 0 {
				return fmt.Errorf("%w: %d at position %d, %d segments", errSegmentID, i32(b.ins[1])[bad], bad, segs)
			}
			return nil
		}), nil
	}
}

// segmentInit is the value of an empty segment, as in TFLite: 0 for sums,
// 1 for products, the type's lowest value lo for maxima and highest hi for
// minima.
func segmentInit[T int32 | float32](op kernels.SegmentOp, lo, hi T) T {
	switch op {
	case kernels.SegmentProd:
		return 1
	case kernels.SegmentMax:
		return lo
	case kernels.SegmentMin:
		return hi
	}
	return 0
}
