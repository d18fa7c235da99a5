package tflite

import (
	"fmt"

	"github.com/edgeinfer/edgeinfer/runtime"
	"github.com/edgeinfer/edgeinfer/runtime/kernels"
)

func init() {
	register("SCATTER_ND", prepareScatterND)
	register("CUMSUM", prepareCumsum)
	register("TOPK_V2", prepareTopK)
}

// errScatterIndex reports an index outside the output at run time.
var errScatterIndex = fmt.Errorf("%w: scatter index out of range", runtime.ErrInput)

// SCATTER_ND: zeros of the constant shape (input 2) with the updates
// (input 1) added at the int32/int64 indices (input 0); the output has
// the updates' type. An index outside the shape makes Run fail.
func prepareScatterND(c *opCtx) (kernel, error) {
	if err := c.arity(3, 3, 1); err != nil {
		return nil, err
	}
	idx, upd := c.input(0), c.input(1)
	shape, ok := shapeOpInts(c.input(2))
	if !ok {
		return nil, c.unsupported("shape %s must be a constant int32 or int64 tensor (the output's size depends on it)", c.input(2))
	}
	if len(idx.shape) < 1 {
		return nil, c.invalid("indices %s must have rank 1 or more", idx)
	}
	k := idx.shape[len(idx.shape)-1]
	if k < 1 || k > len(shape) {
		return nil, c.invalid("indices %s address %d dimensions of shape %v", idx, k, shape)
	}
	if err := settleShapeOut(c, upd.dtype, shape); err != nil {
		return nil, err
	}
	want := append(append([]int{}, idx.shape[:len(idx.shape)-1]...), shape[k:]...)
	if shapeOpProd(want) != upd.numElements() {
		return nil, c.invalid("updates %s, want %v", upd, want)
	}
	if !shapeOpSameQuant(upd, c.output(0)) {
		return nil, c.unsupported("scattering %s into %s with different quantization", upd, c.output(0))
	}
	dims := shape[:k]
	slice := shapeOpProd(shape[k:])
	strides := make([]int, k)
	for j := range strides {
		strides[j] = shapeOpProd(shape[j+1:])
	}
	var run func(ix []byte, u, o []byte) int
	switch upd.dtype {
	case runtime.Float32:
		run = scatterRun(idx.dtype, f32, dims, strides, slice)
	case runtime.Int32:
		run = scatterRun(idx.dtype, i32, dims, strides, slice)
	case runtime.Int64:
		run = scatterRun(idx.dtype, i64, dims, strides, slice)
	case runtime.Int8:
		run = scatterRun(idx.dtype, i8, dims, strides, slice)
	case runtime.UInt8:
		run = scatterRun(idx.dtype, raw, dims, strides, slice)
	default:
		return nil, c.unsupported("scattering %s", upd.dtype)
	}
	if idx.dtype != runtime.Int32 && idx.dtype != runtime.Int64 {
		return nil, c.unsupported("indices of type %s", idx.dtype)
	}
	return kernelFunc(func(b *binding) error {
		if bad := run(b.ins[0], b.ins[1], b.outs[0]); bad >= 0 {
			return fmt.Errorf("%w: position %d of indices, output dimensions %v", errScatterIndex, bad, dims)
		}
		return nil
	}), nil
}

// scatterRun returns kernels.ScatterND on bytes for update type T and
// indices of type it (int32 or int64).
func scatterRun[T ~int8 | ~uint8 | ~int32 | ~int64 | ~float32](it runtime.DType, view func([]byte) []T, dims, strides []int, slice int) func(ix, u, o []byte) int {
	if it == runtime.Int64 {
		return func(ix, u, o []byte) int { return kernels.ScatterND(i64(ix), view(u), view(o), dims, strides, slice) }
	}
	return func(ix, u, o []byte) int { return kernels.ScatterND(i32(ix), view(u), view(o), dims, strides, slice) }
}

// CUMSUM of float32, int32 and int64 values along a constant axis (input
// 1). CumsumOptions: exclusive 0, reverse 1.
func prepareCumsum(c *opCtx) (kernel, error) {
	in, _, err := checkUnaryOf(c, 2)
	if err != nil {
		return nil, err
	}
	av, ok := constScalar(c.input(1))
	if !ok || c.input(1).dtype != runtime.Int32 {
		return nil, c.unsupported("axis %s must be a constant int32 scalar", c.input(1))
	}
	axis, ok := shapeOpAxis(int(av), len(in.shape))
	if !ok {
		return nil, c.invalid("axis %d out of range for %s", int(av), in)
	}
	exclusive, reverse := c.n.opts.boolean(0), c.n.opts.boolean(1)
	outer, n, inner := shapeOpProd(in.shape[:axis]), in.shape[axis], shapeOpProd(in.shape[axis+1:])
	var run func(in, out []byte)
	switch in.dtype {
	case runtime.Float32:
		run = func(in, out []byte) { kernels.CumSum(f32(in), f32(out), outer, n, inner, exclusive, reverse) }
	case runtime.Int32:
		run = func(in, out []byte) { kernels.CumSum(i32(in), i32(out), outer, n, inner, exclusive, reverse) }
	case runtime.Int64:
		run = func(in, out []byte) { kernels.CumSum(i64(in), i64(out), outer, n, inner, exclusive, reverse) }
	default:
		return nil, c.unsupported("type %s", in.dtype)
	}
	return kernelFunc(func(b *binding) error { run(b.ins[0], b.outs[0]); return nil }), nil
}

// TOPK_V2: the k largest values along the last dimension, in descending
// order, and their int32 positions. k must be a constant: the outputs'
// size depends on it.
func prepareTopK(c *opCtx) (kernel, error) {
	if err := c.arity(2, 2, 2); err != nil {
		return nil, err
	}
	in := c.input(0)
	kv, ok := constScalar(c.input(1))
	if !ok || c.input(1).dtype != runtime.Int32 {
		return nil, c.unsupported("k %s is computed at run time: the outputs' size depends on its value (only a constant k is supported)", c.input(1))
	}
	if len(in.shape) < 1 {
		return nil, c.invalid("input %s must have rank 1 or more", in)
	}
	n, k := in.shape[len(in.shape)-1], int(kv)
	if k < 0 || k > n {
		return nil, c.invalid("k %d for input %s", k, in)
	}
	shape := append(append([]int{}, in.shape[:len(in.shape)-1]...), k)
	if err := c.settleOutput(0, in.dtype, shape); err != nil {
		return nil, err
	}
	if err := c.settleOutput(1, runtime.Int32, shape); err != nil {
		return nil, err
	}
	vals, idx := c.output(0), c.output(1)
	if vals.dtype != in.dtype || !sameShape(vals.shape, shape) || idx.dtype != runtime.Int32 || !sameShape(idx.shape, shape) {
		return nil, c.invalid("outputs %s and %s, want %s%v and int32%v", vals, idx, in.dtype, shape, shape)
	}
	if !shapeOpSameQuant(in, vals) {
		return nil, c.unsupported("top values of %s into %s with different quantization", in, vals)
	}
	var run func(in, vals, idx []byte)
	switch in.dtype {
	case runtime.Float32:
		run = func(in, vals, idx []byte) { kernels.TopK(f32(in), f32(vals), i32(idx), n, k) }
	case runtime.Int32:
		run = func(in, vals, idx []byte) { kernels.TopK(i32(in), i32(vals), i32(idx), n, k) }
	case runtime.Int64:
		run = func(in, vals, idx []byte) { kernels.TopK(i64(in), i64(vals), i32(idx), n, k) }
	case runtime.Int8:
		run = func(in, vals, idx []byte) { kernels.TopK(i8(in), i8(vals), i32(idx), n, k) }
	case runtime.UInt8:
		run = func(in, vals, idx []byte) { kernels.TopK(in, vals, i32(idx), n, k) }
	default:
		return nil, c.unsupported("type %s", in.dtype)
	}
	return kernelFunc(func(b *binding) error { run(b.ins[0], b.outs[0], b.outs[1]); return nil }), nil
}
