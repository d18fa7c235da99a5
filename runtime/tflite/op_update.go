package tflite

import (
	"github.com/edgeinfer/edgeinfer/runtime"
	"github.com/edgeinfer/edgeinfer/runtime/kernels"
)

func init() { register("DYNAMIC_UPDATE_SLICE", prepareUpdateSlice) }

// DYNAMIC_UPDATE_SLICE: the operand with the update written at start
// indices (int32 or int64, read at run time), each clamped so that the
// update fits, as TFLite clamps them.
func prepareUpdateSlice(c *opCtx) (kernel, error) {
	in, out, err := checkUnaryOf(c, 3)
	if err != nil {
		return nil, err
	}
	upd, start := c.input(1), c.input(2)
	if upd.dtype != in.dtype || len(upd.shape) != len(in.shape) {
		return nil, c.invalid("update %s must have the type and rank of %s", upd, in)
	}
	for d := range upd.shape {
		if upd.shape[d] > in.shape[d] {
			return nil, c.invalid("update %s does not fit in %s", upd, in)
		}
	}
	if start.numElements() != len(in.shape) || (start.dtype != runtime.Int32 && start.dtype != runtime.Int64) {
		return nil, c.invalid("start indices %s must be %d int32 or int64 values", start, len(in.shape))
	}
	if len(in.shape) > 8 {
		return nil, c.unsupported("rank %d", len(in.shape))
	}
	if err := checkMove(c, in, out); err != nil {
		return nil, err
	}
	es := in.dtype.Size()
	strides := shapeOpStrides(in.shape)
	for d := range strides {
		strides[d] *= es
	}
	return &updateSlice{in: in.shape, upd: upd.shape, strides: strides, es: es, wide: start.dtype == runtime.Int64}, nil
}

// updateSlice is a prepared DYNAMIC_UPDATE_SLICE.
type updateSlice struct {
	in, upd, strides []int
	es               int
	wide             bool // int64 start indices
}

func (k *updateSlice) bind(b *binding) step {
	start := make([]int, len(k.in))
	return func() error {
		for d := range start {
			var s int64
			if k.wide {
				s = i64(b.ins[2])[d]
			} else {
				s = int64(i32(b.ins[2])[d])
			}
			start[d] = int(max(0, min(s, int64(k.in[d]-k.upd[d]))))
		}
		kernels.UpdateSlice(b.ins[0], b.ins[1], b.outs[0], k.upd, start, k.strides, k.es)
		return nil
	}
}
