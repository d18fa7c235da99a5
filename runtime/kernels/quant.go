package kernels

import "math"

// QuantizeMultiplier expresses a real multiplier m as a Q31 fixed-point
// value q and a power-of-two shift, m ≈ q * 2^(shift-31), exactly as
// TensorFlow Lite's QuantizeMultiplier does.
func QuantizeMultiplier(m float64) (q int32, shift int) {
	if m == 0 {
		return 0, 0
	}
	frac, exp := math.Frexp(m)
	qf := int64(math.Round(frac * (1 << 31)))
	if qf == 1<<31 {
		qf /= 2
		exp++
	}
	if exp < -31 {
		return 0, 0
	}
	if exp > 30 {
		return math.MaxInt32, 30
	}
	return int32(qf), exp
}

// SaturatingRoundingDoublingHighMul returns the high 32 bits of 2*a*b,
// rounded to nearest, saturating the single overflow case (gemmlowp).
func SaturatingRoundingDoublingHighMul(a, b int32) int32 {
	if a == b && a == math.MinInt32 {
		return math.MaxInt32
	}
	ab := int64(a) * int64(b)
	nudge := int64(1 << 30)
	if ab < 0 {
		nudge = 1 - (1 << 30)
	}
	return int32((ab + nudge) / (1 << 31))
}

// RoundingDivideByPOT divides x by 2^exponent rounding half away from zero.
func RoundingDivideByPOT(x int32, exponent int) int32 {
	mask := int32(1)<<exponent - 1
	remainder := x & mask
	threshold := mask >> 1
	if x < 0 {
		threshold++
	}
	r := x >> exponent
	if remainder > threshold {
		r++
	}
	return r
}

// MultiplyByQuantizedMultiplier scales x by the fixed-point multiplier
// (q, shift) from QuantizeMultiplier, with TensorFlow Lite's rounding.
func MultiplyByQuantizedMultiplier(x, q int32, shift int) int32 {
	left, right := 0, 0
	if shift > 0 {
		left = shift
	} else {
		right = -shift
	}
	return RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(x*(1<<left), q), right)
}

// Activation is a fused activation function as TensorFlow Lite names them.
type Activation uint8

// The fused activations of the TFLite schema.
const (
	ActNone Activation = iota
	ActRelu
	ActReluN1To1
	ActRelu6
	ActTanh
	ActSignBit
)

// FloatRange returns the clamp bounds of a fused activation on float values.
func (a Activation) FloatRange() (lo, hi float32) {
	switch a {
	case ActRelu:
		return 0, math.MaxFloat32
	case ActReluN1To1:
		return -1, 1
	case ActRelu6:
		return 0, 6
	}
	return -math.MaxFloat32, math.MaxFloat32
}

// QuantRange returns the clamp bounds of a fused activation on quantized
// values with the given output scale and zero point, intersected with the
// type's range [qmin, qmax] (TFLite's CalculateActivationRangeQuantized).
func (a Activation) QuantRange(scale float32, zeroPoint, qmin, qmax int32) (lo, hi int32) {
	q := func(f float32) int32 {
		return zeroPoint + int32(math.Round(float64(f/scale)))
	}
	lo, hi = qmin, qmax
	switch a {
	case ActRelu:
		lo = max(qmin, q(0))
	case ActRelu6:
		lo, hi = max(qmin, q(0)), min(qmax, q(6))
	case ActReluN1To1:
		lo, hi = max(qmin, q(-1)), min(qmax, q(1))
	}
	return lo, hi
}
