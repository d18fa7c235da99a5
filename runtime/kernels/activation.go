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

// clampF32SIMD, when set, stores min(max(in, lo), hi) of n values (a NaN
// stays NaN); CPU files set it from init.
var clampF32SIMD func(in, out *float32, n int, lo, hi float32)

// UnaryF32 computes out[i] = op(in[i]); alpha is LEAKY_RELU's slope.
func UnaryF32(op UnaryOp, in, out []float32, alpha float32) {
	out = out[:len(in)]
	if clampF32SIMD != nil && len(in) > 0 {
		switch op {
		case OpRelu:
			clampF32SIMD(&in[0], &out[0], len(in), 0, float32(math.Inf(1)))
			return
		case OpRelu6:
			clampF32SIMD(&in[0], &out[0], len(in), 0, 6)
			return
		case OpReluN1To1:
			clampF32SIMD(&in[0], &out[0], len(in), -1, 1)
			return
		}
	}
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
		if sqrtF32SIMD != nil && len(in) > 0 {
			sqrtF32SIMD(&in[0], &out[0], len(in))
			return
		}
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

// sqrtF32SIMD, when set, stores the square roots of n floats, correctly
// rounded (as float32(math.Sqrt(float64(x))) is: the float64 root rounds
// to the same float32); a CPU file sets it from init.
var sqrtF32SIMD func(in, out *float32, n int)

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

// NewLeakyReluLUT tabulates an 8-bit LEAKY_RELU with slope alpha. When
// TFLite's XNNPACK delegate takes the node (alpha normal and non-zero, the
// input/output scale ratio in [2^-8, 2^7], that ratio times alpha of
// magnitude at least 2^-8 and in [-127.996, 128]) it is XNNPACK's: both
// slopes as multipliers with 8 fractional bits, ((x - zin) * m + 128) >> 8
// + zout. Otherwise it is TFLite's QuantizeLeakyRelu with fixed-point
// multipliers.
func NewLeakyReluLUT(signed bool, in, out QParams, alpha float32) LUT8 {
	pos := in.Scale / out.Scale
	neg := pos * alpha
	normal := alpha != 0 && !math.IsInf(float64(alpha), 0) && alpha == alpha &&
		abs32(alpha) >= math.SmallestNonzeroFloat32*(1<<23)
	if normal && pos >= 1.0/256 && pos <= 128 && neg >= -127.99609375 && neg <= 128 && abs32(neg) >= 1.0/256 {
		pm := int32(math.RoundToEven(float64(256 * pos)))
		nm := int32(math.RoundToEven(float64(256 * neg)))
		return NewLUT8Int(signed, signed, func(v int32) int32 {
			v -= in.Zero
			m := pm
			if v < 0 {
				m = nm
			}
			return (v*m+0x80)>>8 + out.Zero
		})
	}
	mi, ei := QuantizeMultiplier(float64(in.Scale) / float64(out.Scale))
	ma, ea := QuantizeMultiplier(float64(in.Scale * alpha / out.Scale))
	flip := int32(1)
	if ma < 0 {
		ma, flip = -ma, -1
	}
	return NewLUT8Int(signed, signed, func(v int32) int32 {
		v -= in.Zero
		if v >= 0 {
			return out.Zero + MultiplyByQuantizedMultiplier(v, mi, ei)
		}
		return out.Zero + flip*MultiplyByQuantizedMultiplier(v, ma, ea)
	})
}
