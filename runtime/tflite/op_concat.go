package tflite

import (
	"github.com/edgeinfer/edgeinfer/runtime"
	"github.com/edgeinfer/edgeinfer/runtime/kernels"
)

func init() { register("CONCATENATION", prepareConcat) }

// ConcatenationOptions: axis 0, fused_activation_function 1.
func prepareConcat(c *opCtx) (kernel, error) {
	if c.numInputs() < 1 {
		return nil, c.invalid("has no inputs")
	}
	if err := c.arity(c.numInputs(), c.numInputs(), 1); err != nil {
		return nil, err
	}
	act, err := c.activation(1)
	if err != nil {
		return nil, err
	}
	if act != kernels.ActNone {
		return nil, c.unsupported("fused activation %d on concatenation", act)
	}
	out := c.output(0)
	axis, ok := shapeOpAxis(int(c.n.opts.i32(0, 0)), len(out.shape))
	if !ok {
		return nil, c.invalid("axis %d out of range for %s", c.n.opts.i32(0, 0), out)
	}
	ins := make([]*tensor, c.numInputs())
	for i := range ins {
		ins[i] = c.input(i)
	}
	return prepareJoin(c, ins, out, axis, false)
}

// joinPart is one input of a concatenation or pack.
type joinPart struct {
	// block is the size of the input's slice of one output row, offset
	// where it starts in the row: in elements when requant is set, else in
	// bytes.
	block, offset int
	requant       bool
	r             kernels.Requant8
}

// prepareJoin validates and prepares joining ins along axis of out: a
// concatenation, or, with stack set, a pack (each input is one slice of a
// new axis). 8-bit inputs whose quantization differs from the output's are
// requantized as TFLite's ConcatenationWithScaling does.
func prepareJoin(c *opCtx, ins []*tensor, out *tensor, axis int, stack bool) (kernel, error) {
	es := out.dtype.Size()
	if es == 0 {
		return nil, c.unsupported("joining %s tensors", out.dtype)
	}
	outer := shapeOpProd(out.shape[:axis])
	row := shapeOpProd(out.shape[axis:])
	parts := make([]joinPart, len(ins))
	along := 0
	for i, in := range ins {
		if in.dtype != out.dtype {
			return nil, c.invalid("input %s and output %s types differ", in, out)
		}
		want := len(out.shape)
		if stack {
			want--
		}
		if len(in.shape) != want {
			return nil, c.invalid("input %s does not match output %s", in, out)
		}
		for d := range out.shape {
			od := d
			if stack && d >= axis {
				od = d + 1
			}
			if d >= want || od == axis && !stack {
				continue
			}
			if in.shape[d] != out.shape[od] {
				return nil, c.invalid("input %s does not match output %s along dimension %d", in, out, d)
			}
		}
		n := 1
		if !stack {
			n = in.shape[axis]
		}
		p := joinPart{block: shapeOpProd(in.shape[axis:]), offset: along * shapeOpProd(out.shape[axis+1:])}
		along += n
		if in.dtype == runtime.Int16 && !shapeOpSameQuant(in, out) {
			return nil, c.unsupported("joining int16 %s into %s with different quantization", in, out)
		}
		if shapeOpIs8Bit(in.dtype) && !shapeOpSameQuant(in, out) {
			if in.quant == nil || out.quant == nil || out.scale() == 0 {
				return nil, c.invalid("input %s and output %s need quantization parameters", in, out)
			}
			p.requant = true
			p.r = kernels.NewRequant8(in.scale(), in.zeroPoint(), out.scale(), out.zeroPoint())
		} else {
			p.block *= es
			p.offset *= es
		}
		parts[i] = p
	}
	if along != out.shape[axis] {
		return nil, c.invalid("inputs add up to %d along axis %d, output %s", along, axis, out)
	}
	qmin, qmax := shapeOpQRange(out.dtype)
	signed := out.dtype == runtime.Int8
	return kernelFunc(func(b *binding) error {
		dst := b.outs[0]
		for i, p := range parts {
			switch {
			case !p.requant:
				kernels.ScatterBlocks(dst, b.ins[i], outer, p.block, row*es, p.offset)
			case signed:
				kernels.ScatterBlocksRequant(i8(dst), i8(b.ins[i]), outer, p.block, row, p.offset, p.r, qmin, qmax)
			default:
				kernels.ScatterBlocksRequant(dst, b.ins[i], outer, p.block, row, p.offset, p.r, qmin, qmax)
			}
		}
		return nil
	}), nil
}
