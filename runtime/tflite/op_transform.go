package tflite

import (
	"math"

	"github.com/edgeinfer/edgeinfer/runtime"
)

// Helpers shared by the shape, data-movement and reduction operators.

// shapeOpAxis resolves a possibly negative axis against a rank.
func shapeOpAxis(axis, rank int) (int, bool) {
	if axis < 0 {
		axis += rank
	}
	return axis, axis >= 0 && axis < rank
}

// shapeOpProd multiplies the dimensions of a shape.
func shapeOpProd(dims []int) int {
	n := 1
	for _, d := range dims {
		n *= d
	}
	return n
}

// shapeOpQRange returns the value range of an 8-bit quantized type.
func shapeOpQRange(d runtime.DType) (qmin, qmax int32) {
	if d == runtime.UInt8 {
		return 0, math.MaxUint8
	}
	return math.MinInt8, math.MaxInt8
}

// shapeOpIs8Bit reports whether d is int8 or uint8.
func shapeOpIs8Bit(d runtime.DType) bool { return d == runtime.Int8 || d == runtime.UInt8 }

// shapeOpSameQuant reports whether two tensors share per-tensor scale and
// zero point (both unquantized counts as the same).
func shapeOpSameQuant(a, b *tensor) bool {
	return a.scale() == b.scale() && a.zeroPoint() == b.zeroPoint()
}

// shapeOpInts reads a constant int32 or int64 tensor as ints.
func shapeOpInts(t *tensor) ([]int, bool) {
	if t == nil || !t.isConst() {
		return nil, false
	}
	var out []int
	switch t.dtype {
	case runtime.Int32:
		for _, v := range i32(t.data) {
			out = append(out, int(v))
		}
	case runtime.Int64:
		for _, v := range i64(t.data) {
			if v < math.MinInt32 || v > math.MaxInt32 {
				return nil, false
			}
			out = append(out, int(v))
		}
	default:
		return nil, false
	}
	return out, true
}
