package tflite

import (
	"github.com/edgeinfer/edgeinfer/runtime"
	"github.com/edgeinfer/edgeinfer/runtime/kernels"
)

func init() {
	register("REDUCE_PROD", prepareReduceProd)
	register("REDUCE_ANY", func(c *opCtx) (kernel, error) { return prepareReduceBool(c, false) })
	register("REDUCE_ALL", func(c *opCtx) (kernel, error) { return prepareReduceBool(c, true) })
}

// checkReduce checks a reduction whose output has the input's type
// and plans it.
func checkReduce(c *opCtx) (in *tensor, g *kernels.ReduceGeom, err error) {
	if err := c.arity(2, 2, 1); err != nil {
		return nil, nil, err
	}
	in, out := c.input(0), c.output(0)
	if in.dtype != out.dtype {
		return nil, nil, c.invalid("input %s and output %s types differ", in, out)
	}
	g, _, _, err = reduceGeometry(c, in, out)
	return in, g, err
}

// REDUCE_PROD of float32, int32 and int64 values (ReducerOptions as for
// the other reductions).
func prepareReduceProd(c *opCtx) (kernel, error) {
	in, g, err := checkReduce(c)
	if err != nil {
		return nil, err
	}
	var run func(in, out []byte)
	switch in.dtype {
	case runtime.Float32:
		run = func(in, out []byte) { kernels.ReduceProd(g, f32(in), f32(out)) }
	case runtime.Int32:
		run = func(in, out []byte) { kernels.ReduceProd(g, i32(in), i32(out)) }
	case runtime.Int64:
		run = func(in, out []byte) { kernels.ReduceProd(g, i64(in), i64(out)) }
	default:
		return nil, c.unsupported("reduction of %s", in.dtype)
	}
	return kernelFunc(func(b *binding) error { run(b.ins[0], b.outs[0]); return nil }), nil
}

// REDUCE_ANY and REDUCE_ALL of bool values.
func prepareReduceBool(c *opCtx, all bool) (kernel, error) {
	in, g, err := checkReduce(c)
	if err != nil {
		return nil, err
	}
	if in.dtype != runtime.Bool {
		return nil, c.invalid("input %s must be bool", in)
	}
	return kernelFunc(func(b *binding) error {
		kernels.ReduceAnyAll(g, b.ins[0], b.outs[0], all)
		return nil
	}), nil
}
