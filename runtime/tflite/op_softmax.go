package tflite

import (
	"github.com/edgeinfer/edgeinfer/runtime"
	"github.com/edgeinfer/edgeinfer/runtime/kernels"
)

func init() { register("SOFTMAX", prepareSoftmax) }

// softmaxGrain is the fewest values per parallel chunk of rows.
const softmaxGrain = 1 << 13

// prepareSoftmax handles float32 and 8-bit (int8 -> int8, uint8 -> uint8)
// softmax over the last dimension. SoftmaxOptions: beta 0.
func prepareSoftmax(c *opCtx) (kernel, error) {
	if err := c.arity(1, 1, 1); err != nil {
		return nil, err
	}
	in, out := c.input(0), c.output(0)
	if in.dtype != out.dtype && out.dtype != runtime.Int16 {
		return nil, c.unsupported("types %s -> %s", in.dtype, out.dtype)
	}
	if len(in.shape) == 0 || !sameShape(in.shape, out.shape) {
		return nil, c.invalid("input %s and output %s shapes differ or are scalar", in, out)
	}
	beta := c.n.opts.f32(0, 0)
	depth := in.shape[len(in.shape)-1]
	if depth == 0 {
		return &elemKernel{run: func([][]byte, [][]byte, int, int) {}}, nil
	}
	rows := in.numElements() / depth
	k := &elemKernel{n: rows, grain: max(1, softmaxGrain/depth)}
	if out.dtype == runtime.Int16 {
		return prepareSoftmax16(c, beta, depth, k)
	}
	if in.dtype == runtime.Float32 {
		k.run = func(ins, outs [][]byte, lo, hi int) {
			kernels.SoftmaxF32(f32(ins[0]), f32(outs[0]), depth, lo, hi, beta)
		}
		return k, nil
	}
	ok, signed := quantized8(in.dtype)
	if !ok {
		return nil, c.unsupported("type %s", in.dtype)
	}
	qi, oki := qparams(in)
	qo, oko := qparams(out)
	if !oki || !oko {
		return nil, c.invalid("8-bit tensors need per-tensor quantization")
	}
	s := kernels.NewSoftmaxQ8(qi.Scale, beta, qo)
	if signed {
		k.run = func(ins, outs [][]byte, lo, hi int) {
			kernels.SoftmaxQ8Run(&s, i8(ins[0]), i8(outs[0]), depth, lo, hi)
		}
	} else {
		k.run = func(ins, outs [][]byte, lo, hi int) {
			kernels.SoftmaxQ8Run(&s, ins[0], outs[0], depth, lo, hi)
		}
	}
	return k, nil
}
