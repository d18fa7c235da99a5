package tflite

import (
	"github.com/edgeinfer/edgeinfer/runtime"
	"github.com/edgeinfer/edgeinfer/runtime/kernels"
)

func init() {
	register("ARG_MAX", func(c *opCtx) (kernel, error) { return prepareArgMax(c, false) })
	register("ARG_MIN", func(c *opCtx) (kernel, error) { return prepareArgMax(c, true) })
}

// prepareArgMax handles ARG_MAX and ARG_MIN. The axis is a constant scalar
// (or one-element) int32/int64 input; the output (int32 or int64, as the
// output tensor says) has the input's shape without that axis.
func prepareArgMax(c *opCtx, smallest bool) (kernel, error) {
	if err := c.arity(2, 2, 1); err != nil {
		return nil, err
	}
	in, out := c.input(0), c.output(0)
	v, ok := shapeOpInts(c.input(1))
	if !ok || len(v) != 1 {
		return nil, c.unsupported("axis %s must be a constant int32 or int64 scalar", c.input(1))
	}
	axis, ok := shapeOpAxis(v[0], len(in.shape))
	if !ok {
		return nil, c.invalid("axis %d out of range for %s", v[0], in)
	}
	want := append(append([]int{}, in.shape[:axis]...), in.shape[axis+1:]...)
	if !sameShape(want, out.shape) {
		return nil, c.invalid("output %s, want %v", out, want)
	}
	outer, n, inner := shapeOpProd(in.shape[:axis]), in.shape[axis], shapeOpProd(in.shape[axis+1:])
	if n == 0 {
		return nil, c.invalid("input %s is empty along axis %d", in, axis)
	}
	var run func(in, out []byte, lo, hi int)
	switch in.dtype {
	case runtime.Float32:
		run = argMaxRun(f32, out.dtype, outer, n, inner, smallest)
	case runtime.Int8:
		run = argMaxRun(i8, out.dtype, outer, n, inner, smallest)
	case runtime.UInt8:
		run = argMaxRun(func(b []byte) []byte { return b }, out.dtype, outer, n, inner, smallest)
	case runtime.Int32:
		run = argMaxRun(i32, out.dtype, outer, n, inner, smallest)
	default:
		return nil, c.unsupported("arg max of %s", in.dtype)
	}
	if run == nil {
		return nil, c.unsupported("arg max output %s", out.dtype)
	}
	return &elemKernel{n: outer * inner, grain: max(1, argMaxGrain/n), run: func(ins, outs [][]byte, lo, hi int) {
		run(ins[0], outs[0], lo, hi)
	}}, nil
}

// argMaxGrain is the fewest input values worth a tile of their own: the
// positions of a tile read n values each.
const argMaxGrain = 1 << 14

// argMaxRun binds the kernel of positions [lo, hi) for an input view and
// output type; nil when the output type is neither int32 nor int64.
func argMaxRun[T float32 | int8 | uint8 | int32](view func([]byte) []T, outType runtime.DType, outer, n, inner int, smallest bool) func(in, out []byte, lo, hi int) {
	switch outType {
	case runtime.Int32:
		return func(in, out []byte, lo, hi int) {
			kernels.ArgMax(view(in), i32(out), outer, n, inner, smallest, lo, hi)
		}
	case runtime.Int64:
		return func(in, out []byte, lo, hi int) {
			kernels.ArgMax(view(in), i64(out), outer, n, inner, smallest, lo, hi)
		}
	}
	return nil
}
