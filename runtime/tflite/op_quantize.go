package tflite

import (
	"github.com/edgeinfer/edgeinfer/runtime"
	"github.com/edgeinfer/edgeinfer/runtime/kernels"
)

func init() {
	register("QUANTIZE", prepareQuantize)
	register("DEQUANTIZE", prepareDequantize)
}

// prepareQuantize handles float32 -> int8/uint8 and the 8-bit requantizing
// forms (int8/uint8 -> int8/uint8), all with per-tensor output parameters.
func prepareQuantize(c *opCtx) (kernel, error) {
	if err := c.arity(1, 1, 1); err != nil {
		return nil, err
	}
	in, out := c.input(0), c.output(0)
	if in.numElements() != out.numElements() {
		return nil, c.invalid("input %s and output %s sizes differ", in, out)
	}
	if k, err := prepareQuantize16(c, in, out); k != nil || err != nil {
		return k, err
	}
	okOut, outSigned := quantized8(out.dtype)
	if !okOut {
		return nil, c.unsupported("output type %s", out.dtype)
	}
	qo, ok := qparams(out)
	if !ok {
		return nil, c.unsupported("output %s without per-tensor quantization", out)
	}
	n := out.numElements()
	if in.dtype == runtime.Float32 {
		k := &elemKernel{n: n, grain: elemGrain}
		if outSigned {
			k.run = func(ins, outs [][]byte, lo, hi int) {
				kernels.QuantizeF32(f32(ins[0])[lo:hi], i8(outs[0])[lo:hi], qo)
			}
		} else {
			k.run = func(ins, outs [][]byte, lo, hi int) {
				kernels.QuantizeF32(f32(ins[0])[lo:hi], outs[0][lo:hi], qo)
			}
		}
		return k, nil
	}
	okIn, inSigned := quantized8(in.dtype)
	if !okIn {
		return nil, c.unsupported("input type %s", in.dtype)
	}
	qi, ok := qparams(in)
	if !ok {
		return nil, c.invalid("input %s without per-tensor quantization", in)
	}
	lut := kernels.NewRequantizeLUT(inSigned, qi, outSigned, qo)
	return lutKernel(&lut, n), nil
}

// prepareDequantize handles the DEQUANTIZE operators left after constant
// folding: int8/uint8 (per-tensor) and float16 tensors computed at run time.
func prepareDequantize(c *opCtx) (kernel, error) {
	if err := c.arity(1, 1, 1); err != nil {
		return nil, err
	}
	in, out := c.input(0), c.output(0)
	if in.numElements() != out.numElements() {
		return nil, c.invalid("input %s and output %s sizes differ", in, out)
	}
	if out.dtype != runtime.Float32 {
		return nil, c.unsupported("output type %s", out.dtype)
	}
	n := out.numElements()
	if in.dtype == runtime.Float16 {
		return &elemKernel{n: n, grain: elemGrain, run: func(ins, outs [][]byte, lo, hi int) {
			x, y := u16(ins[0])[lo:hi], f32(outs[0])[lo:hi]
			for i, h := range x {
				y[i] = kernels.Float16ToFloat32(h)
			}
		}}, nil
	}
	if in.dtype == runtime.Int16 {
		return prepareDequantize16(c, in, n)
	}
	ok, signed := quantized8(in.dtype)
	if !ok {
		return nil, c.unsupported("input type %s", in.dtype)
	}
	qi, ok := qparams(in)
	if !ok {
		return nil, c.unsupported("input %s without per-tensor quantization", in)
	}
	d := kernels.NewDequantizer(signed, qi)
	return &elemKernel{n: n, grain: elemGrain, run: func(ins, outs [][]byte, lo, hi int) {
		d.Apply(ins[0][lo:hi], f32(outs[0])[lo:hi])
	}}, nil
}
