package tflite

import (
	"math"

	"github.com/edgeinfer/edgeinfer/runtime"
	"github.com/edgeinfer/edgeinfer/runtime/kernels"
)

func init() {
	register("RELU", prepareUnary(kernels.OpRelu))
	register("RELU6", prepareUnary(kernels.OpRelu6))
	register("RELU_N1_TO_1", prepareUnary(kernels.OpReluN1To1))
	register("LOGISTIC", prepareUnary(kernels.OpLogistic))
	register("TANH", prepareUnary(kernels.OpTanh))
	register("SQRT", prepareUnary(kernels.OpSqrt))
	register("RSQRT", prepareUnary(kernels.OpRsqrt))
	register("EXP", prepareUnary(kernels.OpExp))
	register("NEG", prepareUnary(kernels.OpNeg))
	register("ABS", prepareUnary(kernels.OpAbs))
	register("HARD_SWISH", prepareUnary(kernels.OpHardSwish))
	register("LEAKY_RELU", prepareUnary(kernels.OpLeakyRelu))
}

// prepareUnary returns the prepareFunc of an element-wise unary operator.
// Float32 runs the function directly; 8-bit types run a 256-entry table.
// LeakyReluOptions: alpha 0.
func prepareUnary(op kernels.UnaryOp) prepareFunc {
	return func(c *opCtx) (kernel, error) {
		if err := c.arity(1, 1, 1); err != nil {
			return nil, err
		}
		in, out := c.input(0), c.output(0)
		if in.dtype != out.dtype {
			return nil, c.invalid("input %s and output %s types differ", in.dtype, out.dtype)
		}
		if in.numElements() != out.numElements() {
			return nil, c.invalid("input %s and output %s sizes differ", in, out)
		}
		var alpha float32
		if op == kernels.OpLeakyRelu {
			alpha = c.n.opts.f32(0, 0)
		}
		n := out.numElements()
		if in.dtype == runtime.Float32 {
			return &elemKernel{n: n, grain: elemGrain, run: func(ins, outs [][]byte, lo, hi int) {
				kernels.UnaryF32(op, f32(ins[0])[lo:hi], f32(outs[0])[lo:hi], alpha)
			}}, nil
		}
		if in.dtype == runtime.Int16 {
			return prepareUnaryQ16(c, op, alpha)
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
		var lut kernels.LUT8
		switch op {
		case kernels.OpRelu:
			lut = kernels.NewReluLUT(signed, qi, qo, 0, float32(math.Inf(1)))
		case kernels.OpRelu6:
			lut = kernels.NewReluLUT(signed, qi, qo, 0, 6)
		case kernels.OpReluN1To1:
			lut = kernels.NewReluLUT(signed, qi, qo, -1, 1)
		case kernels.OpLogistic:
			// XNNPACK's table (TFLite delegates 8-bit LOGISTIC to it).
			lut = kernels.NewLUT8Float(signed, qi, signed, qo, kernels.Sigmoid)
		case kernels.OpTanh:
			lut = kernels.NewLUT8Float(signed, qi, signed, qo, kernels.Tanh)
		case kernels.OpLeakyRelu:
			lut = kernels.NewLeakyReluLUT(signed, qi, qo, alpha)
		case kernels.OpRsqrt:
			lut = kernels.NewLUT8Float(signed, qi, signed, qo, func(x float32) float32 { return float32(1 / math.Sqrt(float64(x))) })
		default:
			return nil, c.unsupported("type %s", in.dtype)
		}
		return lutKernel(&lut, n), nil
	}
}

// lutKernel runs an 8-bit table over n elements.
func lutKernel(t *kernels.LUT8, n int) kernel {
	return &elemKernel{n: n, grain: elemGrain, run: func(ins, outs [][]byte, lo, hi int) {
		t.Apply(ins[0][lo:hi], outs[0][lo:hi])
	}}
}
