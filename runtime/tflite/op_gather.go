package tflite

import (
	"fmt"

	"github.com/edgeinfer/edgeinfer/runtime"
	"github.com/edgeinfer/edgeinfer/runtime/kernels"
)

func init() {
	register("GATHER_ND", prepareGatherND)
	register("GATHER", prepareGather)
}

// errGatherIndex reports an index outside the params tensor at run time.
var errGatherIndex = fmt.Errorf("%w: gather index out of range", runtime.ErrInput)

// gatherKernel is the step of GATHER and GATHER_ND for index type I: run
// copies params to out and returns the position of the first index out of
// range, or -1; the error names that index and, in where, the range it
// missed.
func gatherKernel[I int32 | int64](view func([]byte) []I, run func(params []byte, idx []I, out []byte) int, where string) kernel {
	return kernelFunc(func(b *binding) error {
		idx := view(b.ins[1])
		if bad := run(b.ins[0], idx, b.outs[0]); bad >= 0 {
			return fmt.Errorf("%w: %d at position %d, %s", errGatherIndex, idx[bad], bad, where)
		}
		return nil
	})
}

// prepareGatherND: output = indices.shape[:-1] + params.shape[k:], where k
// is the last dimension of the int32/int64 indices. An index outside params
// makes Run fail.
func prepareGatherND(c *opCtx) (kernel, error) {
	if err := c.arity(2, 2, 1); err != nil {
		return nil, err
	}
	params, idx, out := c.input(0), c.input(1), c.output(0)
	if len(idx.shape) < 1 {
		return nil, c.invalid("indices %s must have rank 1 or more", idx)
	}
	k := idx.shape[len(idx.shape)-1]
	if k > len(params.shape) {
		return nil, c.invalid("indices %s address more dimensions than params %s has", idx, params)
	}
	want := append(append([]int{}, idx.shape[:len(idx.shape)-1]...), params.shape[k:]...)
	if params.dtype != out.dtype || !sameShape(want, out.shape) {
		return nil, c.invalid("output %s, want %s%v", out, params.dtype, want)
	}
	if !shapeOpSameQuant(params, out) {
		return nil, c.unsupported("gathering %s into %s with different quantization", params, out)
	}
	es := params.dtype.Size()
	if es == 0 {
		return nil, c.unsupported("gathering %s", params.dtype)
	}
	dims := params.shape[:k]
	slice := shapeOpProd(params.shape[k:]) * es
	strides := make([]int, k)
	for j := range strides {
		strides[j] = shapeOpProd(params.shape[j+1:]) * es
	}
	where := fmt.Sprintf("params %v", dims)
	switch idx.dtype {
	case runtime.Int32:
		return gatherKernel(i32, func(p []byte, ix []int32, o []byte) int { return kernels.GatherND(p, ix, o, dims, strides, slice) }, where), nil
	case runtime.Int64:
		return gatherKernel(i64, func(p []byte, ix []int64, o []byte) int { return kernels.GatherND(p, ix, o, dims, strides, slice) }, where), nil
	}
	return nil, c.unsupported("indices of type %s", idx.dtype)
}

// GatherOptions: axis 0, batch_dims 1 (only 0 is supported). The output is
// params.shape[:axis] + indices.shape + params.shape[axis+1:]; an index
// outside params makes Run fail.
func prepareGather(c *opCtx) (kernel, error) {
	if err := c.arity(2, 2, 1); err != nil {
		return nil, err
	}
	params, idx, out := c.input(0), c.input(1), c.output(0)
	if c.n.opts.i32(1, 0) != 0 {
		return nil, c.unsupported("batch_dims %d", c.n.opts.i32(1, 0))
	}
	axis, ok := shapeOpAxis(int(c.n.opts.i32(0, 0)), len(params.shape))
	if !ok {
		return nil, c.invalid("axis %d out of range for %s", c.n.opts.i32(0, 0), params)
	}
	want := append(append(append([]int{}, params.shape[:axis]...), idx.shape...), params.shape[axis+1:]...)
	if params.dtype != out.dtype || !sameShape(want, out.shape) {
		return nil, c.invalid("output %s, want %s%v", out, params.dtype, want)
	}
	if !shapeOpSameQuant(params, out) {
		return nil, c.unsupported("gathering %s into %s with different quantization", params, out)
	}
	es := params.dtype.Size()
	if es == 0 {
		return nil, c.unsupported("gathering %s", params.dtype)
	}
	outer, n := shapeOpProd(params.shape[:axis]), params.shape[axis]
	slice := shapeOpProd(params.shape[axis+1:]) * es
	where := fmt.Sprintf("axis size %d", n)
	switch idx.dtype {
	case runtime.Int32:
		return gatherKernel(i32, func(p []byte, ix []int32, o []byte) int { return kernels.Gather(p, ix, o, outer, n, slice) }, where), nil
	case runtime.Int64:
		return gatherKernel(i64, func(p []byte, ix []int64, o []byte) int { return kernels.Gather(p, ix, o, outer, n, slice) }, where), nil
	}
	return nil, c.unsupported("indices of type %s", idx.dtype)
}
