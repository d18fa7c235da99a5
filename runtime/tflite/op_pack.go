package tflite

import "github.com/edgeinfer/edgeinfer/runtime/kernels"

func init() {
	register("PACK", preparePack)
	register("UNPACK", prepareUnpack)
}

// PackOptions: values_count 0, axis 1. The inputs become slices of a new
// output axis; 8-bit inputs quantized differently from the output are
// requantized like a concatenation.
func preparePack(c *opCtx) (kernel, error) {
	n := c.numInputs()
	if n < 1 {
		return nil, c.invalid("has no inputs")
	}
	if err := c.arity(n, n, 1); err != nil {
		return nil, err
	}
	if vc := int(c.n.opts.i32(0, 0)); vc != n {
		return nil, c.invalid("values_count %d, but %d inputs", vc, n)
	}
	out := c.output(0)
	axis, ok := shapeOpAxis(int(c.n.opts.i32(1, 0)), len(out.shape))
	if !ok {
		return nil, c.invalid("axis %d out of range for %s", c.n.opts.i32(1, 0), out)
	}
	if out.shape[axis] != n {
		return nil, c.invalid("output %s should have %d along axis %d", out, n, axis)
	}
	ins := make([]*tensor, n)
	for i := range ins {
		ins[i] = c.input(i)
	}
	return prepareJoin(c, ins, out, axis, true)
}

// UnpackOptions: num 0, axis 1. Each output is one slice of the input along
// axis.
func prepareUnpack(c *opCtx) (kernel, error) {
	in := c.input(0)
	if in == nil {
		return nil, c.invalid("required input 0 is absent")
	}
	axis, ok := shapeOpAxis(int(c.n.opts.i32(1, 0)), len(in.shape))
	if !ok {
		return nil, c.invalid("axis %d out of range for %s", c.n.opts.i32(1, 0), in)
	}
	num := in.shape[axis]
	if err := c.arity(1, 1, num); err != nil {
		return nil, err
	}
	if n := int(c.n.opts.i32(0, 0)); n != num && n != 0 {
		return nil, c.invalid("num %d, but input %s has %d along axis %d", n, in, num, axis)
	}
	es := in.dtype.Size()
	if es == 0 {
		return nil, c.unsupported("unpacking %s", in.dtype)
	}
	want := append(append([]int{}, in.shape[:axis]...), in.shape[axis+1:]...)
	for i := 0; i < num; i++ {
		out := c.output(i)
		if out.dtype != in.dtype || !sameShape(out.shape, want) {
			return nil, c.invalid("output %s, want %s%v", out, in.dtype, want)
		}
		if !shapeOpSameQuant(in, out) {
			return nil, c.unsupported("unpacking %s into %s with different quantization", in, out)
		}
	}
	outer := shapeOpProd(in.shape[:axis])
	block := shapeOpProd(in.shape[axis+1:]) * es
	stride := num * block
	return kernelFunc(func(b *binding) error {
		for i, dst := range b.outs {
			kernels.GatherBlocks(dst, b.ins[0], outer, block, stride, i*block)
		}
		return nil
	}), nil
}
