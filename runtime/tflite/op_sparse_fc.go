package tflite

import (
	"github.com/edgeinfer/edgeinfer/runtime"
	"github.com/edgeinfer/edgeinfer/runtime/kernels"
)

// sparseFCBlock returns the block size of weights stored in a sparse
// format TFLite's FULLY_CONNECTED computes with directly, or 0: rows
// dense and columns compressed, either weight by weight (float32 only) or
// in blocks of 1×4 (float32) or 1×16 (int8).
func sparseFCBlock(w *tensor) int {
	sp := w.sparse
	if sp == nil || len(w.shape) != 2 || len(sp.levels) < 2 || sp.levels[0].csr || !sp.levels[1].csr {
		return 0
	}
	if len(sp.levels) == 2 {
		if w.dtype == runtime.Float32 {
			return 1
		}
		return 0
	}
	if len(sp.levels) != 4 || sp.blockMap[0] != 0 || sp.blockMap[1] != 1 || sp.blockSize[0] != 1 {
		return 0
	}
	switch b := sp.blockSize[1]; {
	case w.dtype == runtime.Float32 && b == 4, w.dtype == runtime.Int8 && b == 16:
		return b
	}
	return 0
}

// prepareSparseFC returns the kernel of a FULLY_CONNECTED layer with
// sparse weights, or nil when the layer is one the dense kernels run
// (other types, formats or weight zero points).
func prepareSparseFC(c *opCtx, act kernels.Activation, batches, units, depth int) (kernel, error) {
	in, w, bias, out := c.input(0), c.input(1), c.input(2), c.output(0)
	block := sparseFCBlock(w)
	if block == 0 {
		return nil, nil
	}
	switch {
	case in.dtype == runtime.Float32 && out.dtype == runtime.Float32 && biasIs(bias, runtime.Float32):
		s := kernels.NewSparseFC(f32(w.data), units, depth, block)
		b := constF32(bias)
		lo, hi := act.FloatRange()
		return &elemKernel{n: batches * units, grain: sparseGrain(s.Kept(), units), run: func(ins, outs [][]byte, o0, o1 int) {
			kernels.SparseFCF32(s, f32(ins[0]), b, f32(outs[0]), lo, hi, o0, o1)
		}}, nil
	case in.dtype == runtime.Int8 && out.dtype == runtime.Int8 && biasIs(bias, runtime.Int32):
		rq, wzp, err := requant(c, in, w, out, units, 0, act)
		if err != nil {
			return nil, err
		}
		for _, z := range wzp {
			if z != 0 {
				return nil, nil
			}
		}
		if b := constI32(bias); b != nil {
			copy(rq.Bias, b)
		}
		s := kernels.NewSparseFC(i8(w.data), units, depth, block)
		zp := in.zeroPoint()
		return &elemKernel{n: batches * units, grain: sparseGrain(s.Kept(), units), run: func(ins, outs [][]byte, o0, o1 int) {
			kernels.SparseFCQ(s, i8(ins[0]), zp, rq, i8(outs[0]), o0, o1)
		}}, nil
	}
	return nil, nil
}

// sparseGrain is the fewest outputs worth handing to another goroutine
// when each output sums about kept/units products.
func sparseGrain(kept, units int) int {
	return max(1, elemGrain/max(1, kept/max(units, 1)))
}
