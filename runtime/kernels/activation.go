package kernels

import "math"

// UnaryOp is an element-wise function of one float32 operand.
type UnaryOp uint8

// The unary operators with float32 kernels.
const (
	OpRelu UnaryOp = iota
	OpRelu6
	OpReluN1To1
	OpLogistic
	OpTanh
	OpSqrt
	OpRsqrt
	OpExp
	OpNeg
	OpAbs
	OpHardSwish
	OpLeakyRelu // x, or alpha*x for x <= 0
)

// UnaryF32 computes out[i] = op(in[i]); alpha is LEAKY_RELU's slope.
func UnaryF32(op UnaryOp, in, out []float32, alpha float32) {
	out = out[:len(in)]
	switch op {
	case OpRelu:
		for i, x := range in {
			out[i] = max(x, 0)
		}
	case OpRelu6:
		for i, x := range in {
			out[i] = min(max(x, 0), 6)
		}
	case OpReluN1To1:
		for i, x := range in {
			out[i] = min(max(x, -1), 1)
		}
	case OpLogistic:
		for i, x := range in {
			out[i] = Sigmoid(x)
		}
	case OpTanh:
		for i, x := range in {
			out[i] = float32(math.Tanh(float64(x)))
		}
	case OpSqrt:
		for i, x := range in {
			out[i] = float32(math.Sqrt(float64(x)))
		}
	case OpRsqrt:
		for i, x := range in {
			out[i] = float32(1 / math.Sqrt(float64(x)))
		}
	case OpExp:
		for i, x := range in {
			out[i] = float32(math.Exp(float64(x)))
		}
	case OpNeg:
		for i, x := range in {
			out[i] = -x
		}
	case OpAbs:
		for i, x := range in {
			out[i] = abs32(x)
		}
	case OpHardSwish:
		for i, x := range in {
			out[i] = x * min(max(x+3, 0), 6) / 6
		}
	case OpLeakyRelu:
		for i, x := range in {
			if x <= 0 {
				x *= alpha
			}
			out[i] = x
		}
	}
}

// Sigmoid is 1 / (1 + e^-x), computed in float64 as XNNPACK's reference
// does (saturating beyond |x| > 100) and rounded once to float32.
func Sigmoid(x float32) float32 {
	switch {
	case x > 100:
		return 1
	case x < -100:
		return 0
	}
	e := math.Exp(float64(x))
	return float32(e / (1 + e))
}

// Tanh is the hyperbolic tangent rounded to float32.
func Tanh(x float32) float32 { return float32(math.Tanh(float64(x))) }
