package tflite

import (
	"github.com/edgeinfer/edgeinfer/runtime"
	"github.com/edgeinfer/edgeinfer/runtime/kernels"
)

func init() { register("PRELU", preparePRelu) }

// preparePRelu: out = x >= 0 ? x : x·alpha, alpha broadcast against x
// (usually one slope per channel). Float32, and int8/uint8 with the
// input, alpha and output of one type.
func preparePRelu(c *opCtx) (kernel, error) {
	if err := c.arity(2, 2, 1); err != nil {
		return nil, err
	}
	in, alpha, out := c.input(0), c.input(1), c.output(0)
	if in.dtype != alpha.dtype || in.dtype != out.dtype {
		return nil, c.invalid("mixed types %s (input), %s (alpha) -> %s", in.dtype, alpha.dtype, out.dtype)
	}
	if shape, ok := broadcastShape(in.shape, alpha.shape); ok {
		if err := c.settleOutput(0, in.dtype, shape); err != nil {
			return nil, err
		}
	}
	p, err := kernels.NewBroadcast(in.shape, alpha.shape, out.shape)
	if err != nil {
		return nil, c.invalid("input %s, alpha %s, output %s: %v", in, alpha, out, err)
	}
	k := &elemKernel{n: p.Len(), grain: elemGrain}
	if in.dtype == runtime.Float32 {
		k.run = func(ins, outs [][]byte, from, to int) {
			kernels.PReluF32(f32(ins[0]), f32(ins[1]), f32(outs[0]), &p, from, to)
		}
		return k, nil
	}
	ok, signed := quantized8(in.dtype)
	if !ok {
		return nil, c.unsupported("type %s", in.dtype)
	}
	qi, oki := qparams(in)
	qa, oka := qparams(alpha)
	qo, oko := qparams(out)
	if !oki || !oka || !oko {
		return nil, c.invalid("8-bit input %s, alpha %s and output %s need per-tensor quantization", in, alpha, out)
	}
	lo, hi := kernels.TypeRange(signed)
	q := kernels.NewPReluQ8(qi, qa, qo, lo, hi)
	if signed {
		k.run = func(ins, outs [][]byte, from, to int) {
			kernels.PReluQ8Run(&q, i8(ins[0]), i8(ins[1]), i8(outs[0]), &p, from, to)
		}
	} else {
		k.run = func(ins, outs [][]byte, from, to int) {
			kernels.PReluQ8Run(&q, ins[0], ins[1], outs[0], &p, from, to)
		}
	}
	return k, nil
}
