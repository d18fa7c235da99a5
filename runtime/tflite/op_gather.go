package tflite

import (
	"fmt"

	"github.com/edgeinfer/edgeinfer/runtime"
	"github.com/edgeinfer/edgeinfer/runtime/kernels"
)

func init() {
	register("GATHER_ND", prepareGatherND)
	register("GATHER", prepareGather)
	register("EMBEDDING_LOOKUP", prepareEmbeddingLookup)
}

// errGatherIndex reports an index outside the params tensor at run time.
var errGatherIndex = fmt.Errorf("%w: gather index out of range", runtime.ErrInput)

// gatherKernel is the step of GATHER and GATHER_ND for index type I: run
// copies params to out and returns the position of the first index out of
// range, or -1; the error names that index and, in where, the range it
// missed. Params are input 0 and indices input 1 unless swapped
// (EMBEDDING_LOOKUP).
func gatherKernel[I int32 | int64](view func([]byte) []I, run func(params []byte, idx []I, out []byte) int, where string, swapped bool) kernel {
	pi, ii := 0, 1
	if swapped {
		pi, ii = 1, 0
	}
	return kernelFunc(func(b *binding) error {
		idx := view(b.ins[ii])
		if bad := run(b.ins[pi], idx, b.outs[0]); bad >= 0 {
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
		return gatherKernel(i32, func(p []byte, ix []int32, o []byte) int { return kernels.GatherND(p, ix, o, dims, strides, slice) }, where, false), nil
	case runtime.Int64:
		return gatherKernel(i64, func(p []byte, ix []int64, o []byte) int { return kernels.GatherND(p, ix, o, dims, strides, slice) }, where, false), nil
	}
	return nil, c.unsupported("indices of type %s", idx.dtype)
}

// GatherOptions: axis 0, batch_dims 1 (negative counts from the indices'
// rank). The first batch_dims dimensions of params and indices match and
// pair up; the output is params.shape[:axis] + indices.shape[batch_dims:] +
// params.shape[axis+1:]. An index outside params makes Run fail.
func prepareGather(c *opCtx) (kernel, error) {
	if err := c.arity(2, 2, 1); err != nil {
		return nil, err
	}
	params, idx := c.input(0), c.input(1)
	axis, ok := shapeOpAxis(int(c.n.opts.i32(0, 0)), len(params.shape))
	if !ok {
		return nil, c.invalid("axis %d out of range for %s", c.n.opts.i32(0, 0), params)
	}
	bd := int(c.n.opts.i32(1, 0))
	if bd < 0 {
		bd += len(idx.shape)
	}
	if bd < 0 || bd > axis || bd > len(idx.shape) || !sameShape(params.shape[:bd], idx.shape[:bd]) {
		return nil, c.invalid("batch_dims %d for params %s, indices %s and axis %d", c.n.opts.i32(1, 0), params, idx, axis)
	}
	want := append(append(append([]int{}, params.shape[:axis]...), idx.shape[bd:]...), params.shape[axis+1:]...)
	return gatherInto(c, params, idx, want, shapeOpProd(params.shape[:bd]), shapeOpProd(params.shape[bd:axis]), params.shape[axis], false)
}

// gatherInto finishes GATHER and EMBEDDING_LOOKUP: output 0 of shape want
// takes, for each of batch batches and outer blocks in each, the slices of
// params along a dimension of size n that the batch's indices pick;
// swapped says indices come first.
func gatherInto(c *opCtx, params, idx *tensor, want []int, batch, outer, n int, swapped bool) (kernel, error) {
	out := c.output(0)
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
	slice := 0
	if n > 0 && outer > 0 && batch > 0 {
		slice = params.numElements() / (batch * outer * n) * es
	}
	ib := 0
	if batch > 0 {
		ib = idx.numElements() / batch
	}
	pb, ob := outer*n*slice, outer*ib*slice
	where := fmt.Sprintf("axis size %d", n)
	switch idx.dtype {
	case runtime.Int32:
		return gatherKernel(i32, func(p []byte, ix []int32, o []byte) int {
			return gatherBatches(p, ix, o, batch, ib, pb, ob, outer, n, slice)
		}, where, swapped), nil
	case runtime.Int64:
		return gatherKernel(i64, func(p []byte, ix []int64, o []byte) int {
			return gatherBatches(p, ix, o, batch, ib, pb, ob, outer, n, slice)
		}, where, swapped), nil
	}
	return nil, c.unsupported("indices of type %s", idx.dtype)
}

// gatherBatches runs kernels.Gather on each of batch batches of ib indices,
// pb bytes of params and ob bytes of output, and returns the position of
// the first index out of range, or -1.
func gatherBatches[I int32 | int64](p []byte, ix []I, o []byte, batch, ib, pb, ob, outer, n, slice int) int {
	for b := range batch {
		if bad := kernels.Gather(p[b*pb:(b+1)*pb], ix[b*ib:(b+1)*ib], o[b*ob:(b+1)*ob], outer, n, slice); bad >= 0 {
			return b*ib + bad
		}
	}
	return -1
}

// EMBEDDING_LOOKUP: rows of the table (input 1) picked by the int32 ids
// (input 0): a GATHER on axis 0, or, for an int8 or uint8 table looked up
// into float32 (TFLite's hybrid lookup), rows scaled by the table's scale
// or the row's own.
func prepareEmbeddingLookup(c *opCtx) (kernel, error) {
	if err := c.arity(2, 2, 1); err != nil {
		return nil, err
	}
	ids, table := c.input(0), c.input(1)
	if len(ids.shape) != 1 || len(table.shape) < 1 {
		return nil, c.invalid("ids %s must be a vector and table %s have rank 1 or more", ids, table)
	}
	if ids.dtype != runtime.Int32 {
		return nil, c.invalid("ids %s must be int32", ids)
	}
	want := append([]int{ids.shape[0]}, table.shape[1:]...)
	if out := c.output(0); shapeOpIs8Bit(table.dtype) && out.dtype == runtime.Float32 {
		return prepareHybridLookup(c, ids, table, out, want)
	}
	return gatherInto(c, table, ids, want, 1, 1, table.shape[0], true)
}

// prepareHybridLookup dequantizes the looked-up rows of an 8-bit table:
// each value, read as int8 whatever the table's type (as TFLite reads it,
// without a zero point), times the row's scale.
func prepareHybridLookup(c *opCtx, ids, table, out *tensor, want []int) (kernel, error) {
	if !sameShape(out.shape, want) {
		return nil, c.invalid("output %s, want float32%v", out, want)
	}
	rows := table.shape[0]
	if table.quant == nil || (len(table.quant.Scale) != 1 && (len(table.quant.Scale) != rows || table.quant.Axis != 0)) {
		return nil, c.invalid("table %s needs one scale, or one per row", table)
	}
	scales := table.quant.Scale
	cols := 0
	if rows > 0 {
		cols = table.numElements() / rows
	}
	return kernelFunc(func(b *binding) error {
		id, tab, o := i32(b.ins[0]), i8(b.ins[1]), f32(b.outs[0])
		for i, r := range id {
			if r < 0 || int(r) >= rows {
				return fmt.Errorf("%w: %d at position %d, table of %d rows", errGatherIndex, r, i, rows)
			}
			s := scales[0]
			if len(scales) > 1 {
				s = scales[r]
			}
			kernels.ScaleInt8(tab[int(r)*cols:(int(r)+1)*cols], o[i*cols:(i+1)*cols], s)
		}
		return nil
	}), nil
}
