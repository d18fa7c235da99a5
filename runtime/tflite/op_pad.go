package tflite

import (
	"github.com/edgeinfer/edgeinfer/runtime"
	"github.com/edgeinfer/edgeinfer/runtime/kernels"
)

func init() {
	register("PAD", preparePad)
	register("PADV2", preparePad)
}

// preparePad handles PAD (padding with zero, or the output zero point for
// quantized tensors) and PADV2 (padding with a constant third input). The
// paddings input is a constant int32 or int64 [rank, 2] tensor.
func preparePad(c *opCtx) (kernel, error) {
	if err := c.arity(2, 3, 1); err != nil {
		return nil, err
	}
	in, pads, out := c.input(0), c.input(1), c.output(0)
	r := len(in.shape)
	if r > 8 || len(out.shape) != r {
		return nil, c.invalid("input %s and output %s ranks", in, out)
	}
	p, ok := shapeOpInts(pads)
	if !ok {
		return nil, c.unsupported("paddings %s must be a constant int32 or int64 tensor", pads)
	}
	if len(p) != 2*r {
		return nil, c.invalid("paddings %s for rank %d input", pads, r)
	}
	before := make([]int, r)
	for d := 0; d < r; d++ {
		lo, hi := p[2*d], p[2*d+1]
		if !shapeOpPadOK(in.shape[d], lo, hi, out.shape[d]) {
			return nil, c.invalid("paddings %v do not take %s to %s", p, in, out)
		}
		before[d] = lo
	}
	if in.dtype != out.dtype {
		return nil, c.invalid("input %s and output %s types differ", in, out)
	}
	v := c.input(2)
	if v != nil && (v.dtype != in.dtype || !v.isConst() || v.numElements() != 1) {
		return nil, c.unsupported("pad value %s must be a constant scalar of the input type", v)
	}
	if (shapeOpIs8Bit(in.dtype) || in.dtype == runtime.Int16) && !shapeOpSameQuant(in, out) {
		return nil, c.unsupported("padding %s into %s with different quantization", in, out)
	}
	inShape, outShape := in.shape, out.shape
	switch in.dtype {
	case runtime.Float32:
		var fill float32
		if v != nil {
			fill = f32(v.data)[0]
		}
		return kernelFunc(func(b *binding) error {
			kernels.PadConst(f32(b.ins[0]), f32(b.outs[0]), inShape, outShape, before, fill)
			return nil
		}), nil
	case runtime.Int32:
		var fill int32
		if v != nil {
			fill = i32(v.data)[0]
		}
		return kernelFunc(func(b *binding) error {
			kernels.PadConst(i32(b.ins[0]), i32(b.outs[0]), inShape, outShape, before, fill)
			return nil
		}), nil
	case runtime.Int64:
		var fill int64
		if v != nil {
			fill = i64(v.data)[0]
		}
		return kernelFunc(func(b *binding) error {
			kernels.PadConst(i64(b.ins[0]), i64(b.outs[0]), inShape, outShape, before, fill)
			return nil
		}), nil
	case runtime.Int16:
		fill := int16(out.zeroPoint())
		if v != nil {
			fill = i16(v.data)[0]
		}
		return kernelFunc(func(b *binding) error {
			kernels.PadConst(i16(b.ins[0]), i16(b.outs[0]), inShape, outShape, before, fill)
			return nil
		}), nil
	case runtime.Int8, runtime.UInt8:
		fill := byte(out.zeroPoint())
		if v != nil {
			fill = v.data[0]
		}
		return kernelFunc(func(b *binding) error {
			kernels.PadConst(b.ins[0], b.outs[0], inShape, outShape, before, fill)
			return nil
		}), nil
	}
	return nil, c.unsupported("padding %s", in.dtype)
}
