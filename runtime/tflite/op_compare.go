package tflite

import (
	"github.com/edgeinfer/edgeinfer/runtime"
	"github.com/edgeinfer/edgeinfer/runtime/kernels"
)

func init() {
	register("LESS", prepareCompare(kernels.OpLess))
	register("LESS_EQUAL", prepareCompare(kernels.OpLessEqual))
	register("GREATER", prepareCompare(kernels.OpGreater))
	register("GREATER_EQUAL", prepareCompare(kernels.OpGreaterEqual))
	register("EQUAL", prepareCompare(kernels.OpEqual))
	register("NOT_EQUAL", prepareCompare(kernels.OpNotEqual))
	register("LOGICAL_AND", prepareLogical(func(a, b byte) byte { return kernels.Bool(a != 0 && b != 0) }))
	register("LOGICAL_OR", prepareLogical(func(a, b byte) byte { return kernels.Bool(a != 0 || b != 0) }))
	register("LOGICAL_NOT", prepareLogicalNot)
	register("SELECT", func(c *opCtx) (kernel, error) { return prepareSelect(c, false) })
	register("SELECT_V2", func(c *opCtx) (kernel, error) { return prepareSelect(c, true) })
}

// raw is the view of a 1-byte tensor (uint8, bool) as bytes.
func raw(b []byte) []byte { return b }

// binaryKernel runs f over the broadcast p of inputs 0 and 1 into output 0,
// through the typed views of the three tensors.
func binaryKernel[A, B, O any](p *kernels.BroadcastN, va func([]byte) []A, vb func([]byte) []B, vo func([]byte) []O, f func(A, B) O) kernel {
	return kernelFunc(func(b *binding) error {
		kernels.Binary(p, va(b.ins[0]), vb(b.ins[1]), vo(b.outs[0]), f)
		return nil
	})
}

// prepareBroadcast checks an operator whose output (of type dt) is the
// broadcast of the inputs listed, settles the output to that shape and
// plans the broadcast.
func prepareBroadcast(c *opCtx, dt runtime.DType, ins ...*tensor) (*kernels.BroadcastN, error) {
	shape := []int{}
	shapes := make([][]int, len(ins))
	for i, t := range ins {
		s, ok := broadcastShape(shape, t.shape)
		if !ok {
			return nil, c.invalid("input shapes do not broadcast: %s", t)
		}
		shape, shapes[i] = s, t.shape
	}
	if err := c.settleOutput(0, dt, shape); err != nil {
		return nil, err
	}
	out := c.output(0)
	if out.dtype != dt || !sameShape(out.shape, shape) {
		return nil, c.invalid("output %s, want %s%v", out, dt, shape)
	}
	p, err := kernels.NewBroadcastN(shape, shapes...)
	if err != nil {
		return nil, c.unsupported("%v", err)
	}
	return &p, nil
}

// prepareCompare returns the prepareFunc of a comparison: two inputs of one
// type (float32, int32, int64, int8 or uint8 with their quantization, and
// bool for EQUAL and NOT_EQUAL), broadcast, into a bool output.
func prepareCompare(op kernels.CompareOp) prepareFunc {
	return func(c *opCtx) (kernel, error) {
		if err := c.arity(2, 2, 1); err != nil {
			return nil, err
		}
		a, b := c.input(0), c.input(1)
		if a.dtype != b.dtype {
			return nil, c.invalid("inputs %s and %s types differ", a, b)
		}
		p, err := prepareBroadcast(c, runtime.Bool, a, b)
		if err != nil {
			return nil, err
		}
		switch a.dtype {
		case runtime.Float32:
			return binaryKernel(p, f32, f32, raw, kernels.CompareFunc[float32](op)), nil
		case runtime.Int32:
			return binaryKernel(p, i32, i32, raw, kernels.CompareFunc[int32](op)), nil
		case runtime.Int64:
			return binaryKernel(p, i64, i64, raw, kernels.CompareFunc[int64](op)), nil
		case runtime.Int8, runtime.UInt8:
			if a.quant == nil && b.quant == nil {
				if a.dtype == runtime.Int8 {
					return binaryKernel(p, i8, i8, raw, kernels.CompareFunc[int8](op)), nil
				}
				return binaryKernel(p, raw, raw, raw, kernels.CompareFunc[uint8](op)), nil
			}
			qa, oka := qparams(a)
			qb, okb := qparams(b)
			if !oka || !okb || qa.Scale >= 1 || qb.Scale >= 1 {
				return nil, c.unsupported("comparing quantized %s and %s: each needs one scale below 1", a, b)
			}
			if a.dtype == runtime.Int8 {
				return binaryKernel(p, i8, i8, raw, kernels.CompareQ[int8](op, qa.Zero, qb.Zero, qa.Scale, qb.Scale)), nil
			}
			return binaryKernel(p, raw, raw, raw, kernels.CompareQ[uint8](op, qa.Zero, qb.Zero, qa.Scale, qb.Scale)), nil
		case runtime.Bool:
			if op == kernels.OpEqual || op == kernels.OpNotEqual {
				eq := op == kernels.OpEqual
				return binaryKernel(p, raw, raw, raw, func(x, y byte) byte { return kernels.Bool((x != 0) == (y != 0) == eq) }), nil
			}
		}
		return nil, c.unsupported("comparing %s", a.dtype)
	}
}

// prepareLogical returns the prepareFunc of LOGICAL_AND or LOGICAL_OR: two
// bool inputs, broadcast.
func prepareLogical(f func(a, b byte) byte) prepareFunc {
	return func(c *opCtx) (kernel, error) {
		if err := c.arity(2, 2, 1); err != nil {
			return nil, err
		}
		a, b := c.input(0), c.input(1)
		if a.dtype != runtime.Bool || b.dtype != runtime.Bool {
			return nil, c.invalid("inputs %s and %s must be bool", a, b)
		}
		p, err := prepareBroadcast(c, runtime.Bool, a, b)
		if err != nil {
			return nil, err
		}
		return binaryKernel(p, raw, raw, raw, f), nil
	}
}

func prepareLogicalNot(c *opCtx) (kernel, error) {
	if err := c.arity(1, 1, 1); err != nil {
		return nil, err
	}
	in := c.input(0)
	if in.dtype != runtime.Bool {
		return nil, c.invalid("input %s must be bool", in)
	}
	if err := c.settleOutput(0, runtime.Bool, in.shape); err != nil {
		return nil, err
	}
	if out := c.output(0); !sameShape(out.shape, in.shape) || out.dtype != runtime.Bool {
		return nil, c.invalid("output %s, want bool%v", out, in.shape)
	}
	return kernelFunc(func(b *binding) error {
		out := b.outs[0]
		for i, v := range b.ins[0] {
			out[i] = kernels.Bool(v == 0)
		}
		return nil
	}), nil
}

// prepareSelect: output[i] = condition[i] ? x[i] : y[i]. SELECT_V2
// broadcasts all three; SELECT takes a condition of x's shape, or a vector
// that picks whole rows of x's first dimension. Values are copied as
// stored, quantized or not, as TFLite does.
func prepareSelect(c *opCtx, v2 bool) (kernel, error) {
	if err := c.arity(3, 3, 1); err != nil {
		return nil, err
	}
	cond, x, y := c.input(0), c.input(1), c.input(2)
	if cond.dtype != runtime.Bool {
		return nil, c.invalid("condition %s must be bool", cond)
	}
	if x.dtype != y.dtype {
		return nil, c.invalid("inputs %s and %s types differ", x, y)
	}
	cshape := cond.shape
	if !v2 {
		if !sameShape(x.shape, y.shape) {
			return nil, c.invalid("inputs %s and %s shapes differ", x, y)
		}
		switch {
		case sameShape(cond.shape, x.shape):
		case len(cond.shape) == 1 && len(x.shape) > 1 && cond.shape[0] == x.shape[0]:
			// A row selector: [n] broadcast as [n,1,...].
			cshape = append([]int{cond.shape[0]}, make([]int, len(x.shape)-1)...)
			for d := 1; d < len(cshape); d++ {
				cshape[d] = 1
			}
		default:
			return nil, c.invalid("condition %s must have the shape of %s or be a vector of its rows", cond, x)
		}
	}
	tc := *cond
	tc.shape = cshape
	p, err := prepareBroadcast(c, x.dtype, &tc, x, y)
	if err != nil {
		return nil, err
	}
	var sel kernelFunc
	switch x.dtype.Size() {
	case 1:
		sel = func(b *binding) error { kernels.Select(p, b.ins[0], b.ins[1], b.ins[2], b.outs[0]); return nil }
	case 2:
		sel = func(b *binding) error {
			kernels.Select(p, b.ins[0], u16(b.ins[1]), u16(b.ins[2]), u16(b.outs[0]))
			return nil
		}
	case 4:
		sel = func(b *binding) error {
			kernels.Select(p, b.ins[0], i32(b.ins[1]), i32(b.ins[2]), i32(b.outs[0]))
			return nil
		}
	case 8:
		sel = func(b *binding) error {
			kernels.Select(p, b.ins[0], i64(b.ins[1]), i64(b.ins[2]), i64(b.outs[0]))
			return nil
		}
	default:
		return nil, c.unsupported("selecting %s values", x.dtype)
	}
	return kernelFunc(sel), nil
}
