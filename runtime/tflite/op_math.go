package tflite

import (
	"github.com/edgeinfer/edgeinfer/runtime"
	"github.com/edgeinfer/edgeinfer/runtime/kernels"
)

func init() {
	register("FLOOR", prepareMath(kernels.Floor, nil))
	register("CEIL", prepareMath(kernels.Ceil, nil))
	register("ROUND", prepareMath(kernels.RoundHalfEven, nil))
	register("SQUARE", prepareMath(func(x float32) float32 { return x * x }, nil))
	register("ELU", prepareMath(kernels.Elu, kernels.Elu))
	register("RELU_0_TO_1", prepareMath(func(x float32) float32 { return min(max(x, 0), 1) }, nil))
	register("GELU", prepareGelu)
	register("SIGN", prepareSign)
	register("FLOOR_MOD", prepareFloorMod)
	register("ATAN2", prepareAtan2)
	register("ADD_N", prepareAddN)
	register("LOG_SOFTMAX", prepareRows(func(c *opCtx, depth int) rowFunc {
		return func(in, out []float32, from, to int) { kernels.LogSoftmaxF32(in, out, depth, from, to) }
	}, logSoftmaxQ8))
	register("L2_NORMALIZATION", prepareRows(func(c *opCtx, depth int) rowFunc {
		return func(in, out []float32, from, to int) { kernels.L2NormalizeF32(in, out, depth, from, to) }
	}, l2NormQ8))
	register("LOCAL_RESPONSE_NORMALIZATION", prepareRows(func(c *opCtx, depth int) rowFunc {
		// LocalResponseNormalizationOptions: radius 0, bias 1, alpha 2, beta 3.
		radius := int(c.n.opts.i32(0, 0))
		bias, alpha, beta := c.n.opts.f32(1, 0), c.n.opts.f32(2, 0), c.n.opts.f32(3, 0)
		return func(in, out []float32, from, to int) {
			kernels.LRNF32(in, out, depth, from, to, radius, bias, alpha, beta)
		}
	}, nil))
}

// checkUnary checks a one-input operator whose output has the input's type
// and shape, settling the output to them.
func checkUnary(c *opCtx) (in, out *tensor, err error) { return checkUnaryOf(c, 1) }

// checkUnaryOf is checkUnary for an operator with ins inputs, the first
// of which gives the output its type and shape.
func checkUnaryOf(c *opCtx, ins int) (in, out *tensor, err error) {
	if err := c.arity(ins, ins, 1); err != nil {
		return nil, nil, err
	}
	in = c.input(0)
	if err := c.settleOutput(0, in.dtype, in.shape); err != nil {
		return nil, nil, err
	}
	out = c.output(0)
	if in.dtype != out.dtype || !sameShape(in.shape, out.shape) {
		return nil, nil, c.invalid("input %s and output %s differ in type or shape", in, out)
	}
	return in, out, nil
}

// prepareMath returns the prepareFunc of an element-wise float function;
// with q set, int8 and uint8 tensors run q through a 256-entry table built
// in float32, as TFLite builds its lookup tables.
func prepareMath(f, q func(float32) float32) prepareFunc {
	return func(c *opCtx) (kernel, error) {
		in, out, err := checkUnary(c)
		if err != nil {
			return nil, err
		}
		n := in.numElements()
		if in.dtype == runtime.Float32 {
			return &elemKernel{n: n, grain: elemGrain, run: func(ins, outs [][]byte, lo, hi int) {
				kernels.Map(f32(ins[0])[lo:hi], f32(outs[0])[lo:hi], f)
			}}, nil
		}
		if ok, signed := quantized8(in.dtype); ok && q != nil {
			qi, oki := qparams(in)
			qo, oko := qparams(out)
			if !oki || !oko {
				return nil, c.invalid("8-bit tensors need per-tensor quantization")
			}
			lut := kernels.NewLUT8Float(signed, qi, signed, qo, q)
			return lutKernel(&lut, n), nil
		}
		return nil, c.unsupported("type %s", in.dtype)
	}
}

// GeluOptions: approximate 0.
func prepareGelu(c *opCtx) (kernel, error) {
	g := kernels.Gelu(c.n.opts.boolean(0))
	return prepareMath(g, g)(c)
}

// SIGN of float32, int32 and int64 values.
func prepareSign(c *opCtx) (kernel, error) {
	in, _, err := checkUnary(c)
	if err != nil {
		return nil, err
	}
	var run func(in, out []byte)
	switch in.dtype {
	case runtime.Float32:
		run = func(in, out []byte) { kernels.Map(f32(in), f32(out), kernels.Sign[float32]) }
	case runtime.Int32:
		run = func(in, out []byte) { kernels.Map(i32(in), i32(out), kernels.Sign[int32]) }
	case runtime.Int64:
		run = func(in, out []byte) { kernels.Map(i64(in), i64(out), kernels.Sign[int64]) }
	default:
		return nil, c.unsupported("type %s", in.dtype)
	}
	return kernelFunc(func(b *binding) error { run(b.ins[0], b.outs[0]); return nil }), nil
}

// prepareArith checks a binary operator of one type whose output, of that
// type, is the broadcast of its inputs.
func prepareArith(c *opCtx) (*kernels.BroadcastN, runtime.DType, error) {
	if err := c.arity(2, 2, 1); err != nil {
		return nil, 0, err
	}
	a, b := c.input(0), c.input(1)
	if a.dtype != b.dtype {
		return nil, 0, c.invalid("inputs %s and %s types differ", a, b)
	}
	p, err := prepareBroadcast(c, a.dtype, a, b)
	return p, a.dtype, err
}

// FLOOR_MOD of int32, int64 and float32 values; an integer divisor of zero
// makes Run fail, as in TFLite.
func prepareFloorMod(c *opCtx) (kernel, error) {
	p, dt, err := prepareArith(c)
	if err != nil {
		return nil, err
	}
	switch dt {
	case runtime.Float32:
		return binaryKernel(p, f32, f32, f32, kernels.FloorModF32), nil
	case runtime.Int32:
		return floorModInt(p, i32), nil
	case runtime.Int64:
		return floorModInt(p, i64), nil
	}
	return nil, c.unsupported("type %s", dt)
}

// floorModInt is FLOOR_MOD of integers, which fails on a zero divisor
// before computing anything, as TFLite does.
func floorModInt[T int32 | int64](p *kernels.BroadcastN, view func([]byte) []T) kernel {
	return kernelFunc(func(b *binding) error {
		if err := kernels.CheckDivisor(view(b.ins[1])); err != nil {
			return err
		}
		kernels.Binary(p, view(b.ins[0]), view(b.ins[1]), view(b.outs[0]), kernels.FloorModInt[T])
		return nil
	})
}

// ATAN2 of float32 values: the angle of (x = input 1, y = input 0).
func prepareAtan2(c *opCtx) (kernel, error) {
	p, dt, err := prepareArith(c)
	if err != nil {
		return nil, err
	}
	if dt != runtime.Float32 {
		return nil, c.unsupported("type %s", dt)
	}
	return binaryKernel(p, f32, f32, f32, kernels.Atan2F32), nil
}

// rowFunc computes rows [from, to) of a float operator over the last
// dimension.
type rowFunc func(in, out []float32, from, to int)

// q8RowsFunc prepares the 8-bit form of a row operator.
type q8RowsFunc func(c *opCtx, in, out *tensor, depth, rows int) (kernel, error)

// prepareRows returns the prepareFunc of an operator computed row by row
// over the innermost dimension (LOG_SOFTMAX, L2_NORMALIZATION, LRN): mk
// builds the float32 row function from the options and the row length, q8
// (if set) prepares int8 and uint8 tensors. L2NormOptions holds a fused
// activation at slot 0: only none is accepted.
func prepareRows(mk func(c *opCtx, depth int) rowFunc, q8 q8RowsFunc) prepareFunc {
	return func(c *opCtx) (kernel, error) {
		in, out, err := checkUnary(c)
		if err != nil {
			return nil, err
		}
		if c.n.name == "L2_NORMALIZATION" && c.n.opts.u8(0, 0) != 0 {
			return nil, c.unsupported("fused activation %d", c.n.opts.u8(0, 0))
		}
		if len(in.shape) == 0 || in.numElements() == 0 {
			return nil, c.unsupported("input %s: rank 0 or empty", in)
		}
		depth := in.shape[len(in.shape)-1]
		rows := in.numElements() / depth
		if ok, _ := quantized8(in.dtype); ok && q8 != nil {
			return q8(c, in, out, depth, rows)
		}
		if in.dtype != runtime.Float32 {
			return nil, c.unsupported("type %s", in.dtype)
		}
		run := mk(c, depth)
		return &elemKernel{n: rows, grain: max(1, elemGrain/depth), run: func(ins, outs [][]byte, lo, hi int) {
			run(f32(ins[0]), f32(outs[0]), lo, hi)
		}}, nil
	}
}

// checkQ8Out checks the fixed output quantization TFLite requires of an
// 8-bit operator: scale, and zero point zs (int8) or zu (uint8).
func checkQ8Out(c *opCtx, in, out *tensor, scale float32, zs, zu int32) error {
	if _, ok := qparams(in); !ok {
		return c.invalid("input %s needs per-tensor quantization", in)
	}
	z := zu
	if in.dtype == runtime.Int8 {
		z = zs
	}
	if q, ok := qparams(out); !ok || q.Scale != scale || q.Zero != z {
		return c.invalid("output %s must have scale %g and zero point %d", out, scale, z)
	}
	return nil
}

// logSoftmaxQ8 is the 8-bit LOG_SOFTMAX: outputs of scale 16/256 and zero
// point 127 (int8) or 255 (uint8).
func logSoftmaxQ8(c *opCtx, in, out *tensor, depth, rows int) (kernel, error) {
	if err := checkQ8Out(c, in, out, 16.0/256, 127, 255); err != nil {
		return nil, err
	}
	qo, _ := qparams(out)
	s := kernels.NewSoftmaxQ8(in.scale(), 1, qo)
	inScale := in.scale()
	return &elemKernel{n: rows, grain: max(1, elemGrain/depth), run: func(ins, outs [][]byte, lo, hi int) {
		if in.dtype == runtime.Int8 {
			kernels.LogSoftmaxQ8(&s, i8(ins[0]), i8(outs[0]), depth, lo, hi, inScale)
		} else {
			kernels.LogSoftmaxQ8(&s, ins[0], outs[0], depth, lo, hi, inScale)
		}
	}}, nil
}

// l2NormQ8 is the 8-bit L2_NORMALIZATION: outputs of scale 1/128 and zero
// point 0 (int8) or 128 (uint8).
func l2NormQ8(c *opCtx, in, out *tensor, depth, rows int) (kernel, error) {
	if err := checkQ8Out(c, in, out, 1.0/128, 0, 128); err != nil {
		return nil, err
	}
	zp := in.zeroPoint()
	if in.dtype == runtime.Int8 {
		return kernelFunc(func(b *binding) error { kernels.L2NormalizeQ8(i8(b.ins[0]), i8(b.outs[0]), depth, zp); return nil }), nil
	}
	return kernelFunc(func(b *binding) error { kernels.L2NormalizeQ8(b.ins[0], b.outs[0], depth, zp); return nil }), nil
}

// ADD_N: the element-wise sum of any number of float32 or int32 inputs of
// one shape.
func prepareAddN(c *opCtx) (kernel, error) {
	n := c.numInputs()
	if n < 1 {
		return nil, c.invalid("has no inputs")
	}
	in, _, err := checkUnaryOf(c, n)
	if err != nil {
		return nil, err
	}
	for i := 1; i < n; i++ {
		if t := c.input(i); t.dtype != in.dtype || !sameShape(t.shape, in.shape) {
			return nil, c.invalid("input %s differs from %s in type or shape", t, in)
		}
	}
	switch in.dtype {
	case runtime.Float32:
		return addNKernel[float32]{n, f32}, nil
	case runtime.Int32:
		return addNKernel[int32]{n, i32}, nil
	}
	return nil, c.unsupported("type %s", in.dtype)
}

// addNKernel is ADD_N over n inputs of element type T.
type addNKernel[T int32 | float32] struct {
	n    int
	view func([]byte) []T
}

func (k addNKernel[T]) bind(b *binding) step {
	ins := make([][]T, k.n)
	return func() error {
		for i := range ins {
			ins[i] = k.view(b.ins[i])
		}
		kernels.AddN(ins, k.view(b.outs[0]))
		return nil
	}
}
