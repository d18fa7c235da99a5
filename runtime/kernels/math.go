package kernels

import "math"

// Map sets out[i] = f(in[i]).
func Map[T, O any](in []T, out []O, f func(T) O) {
	out = out[:len(in)]
	for i, v := range in {
		out[i] = f(v)
	}
}

// Gelu is the Gaussian error linear unit: x/2 * (1 + erf(x/sqrt(2))), or
// with approximate set TFLite's tanh form x/2 * (1 + tanh(sqrt(2/pi) *
// (x + 0.044715 x^3))).
func Gelu(approximate bool) func(float32) float32 {
	if approximate {
		return func(x float32) float32 {
			y := float64(x)
			return float32(0.5 * y * (1 + math.Tanh(math.Sqrt(2/math.Pi)*(y+0.044715*y*y*y))))
		}
	}
	return func(x float32) float32 {
		y := float64(x)
		return float32(0.5 * y * (1 + math.Erf(y/math.Sqrt2)))
	}
}

// Elu is e^x - 1 for negative x, x otherwise.
func Elu(x float32) float32 {
	if x < 0 {
		return float32(math.Expm1(float64(x)))
	}
	return x
}

// Sign is -1, 0 or 1 as x is negative, zero or positive.
func Sign[T int32 | int64 | float32 | float64](x T) T {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	}
	return x
}

// RoundHalfEven rounds to the nearest integer, ties to even, as TFLite's
// ROUND does.
func RoundHalfEven(x float32) float32 { return float32(math.RoundToEven(float64(x))) }

// Floor and Ceil round down and up.
func Floor(x float32) float32 { return float32(math.Floor(float64(x))) }

// Ceil rounds up.
func Ceil(x float32) float32 { return float32(math.Ceil(float64(x))) }

// FloorModInt is the remainder of a floored division (the sign of the
// divisor), for a non-zero divisor b.
func FloorModInt[T int32 | int64](a, b T) T {
	m := a % b
	if m != 0 && (m < 0) != (b < 0) {
		m += b
	}
	return m
}

// FloorModF32 is the remainder of a floored division of floats, as TFLite
// computes it from fmod.
func FloorModF32(a, b float32) float32 {
	m := float32(math.Mod(float64(a), float64(b)))
	if m != 0 && (m < 0) != (b < 0) {
		m += b
	}
	return m
}

// Atan2F32 is the angle of the point (b, a) (a the ordinate).
func Atan2F32(a, b float32) float32 { return float32(math.Atan2(float64(a), float64(b))) }

// LogSoftmaxF32 computes, for each row of depth values in [from, to),
// out = x - max - log(sum(e^(x - max))).
func LogSoftmaxF32(in, out []float32, depth, from, to int) {
	for r := from; r < to; r++ {
		x, y := in[r*depth:(r+1)*depth], out[r*depth:(r+1)*depth]
		m := x[0]
		for _, v := range x[1:] {
			m = max(m, v)
		}
		var sum float64
		for _, v := range x {
			sum += math.Exp(float64(v - m))
		}
		l := float32(math.Log(sum))
		for i, v := range x {
			y[i] = v - m - l
		}
	}
}

// L2NormalizeF32 divides each row of depth values in [from, to) by its
// Euclidean norm, held to at least 1e-6 as TFLite does.
func L2NormalizeF32(in, out []float32, depth, from, to int) {
	for r := from; r < to; r++ {
		x, y := in[r*depth:(r+1)*depth], out[r*depth:(r+1)*depth]
		var sq float32
		for _, v := range x {
			sq += v * v
		}
		n := max(float32(math.Sqrt(float64(sq))), 1e-6)
		for i, v := range x {
			y[i] = v / n
		}
	}
}

// LRNF32 is local response normalization across the depth values of each
// row in [from, to): out = x * (bias + alpha * sum(x^2 over the channels
// within radius))^-beta.
func LRNF32(in, out []float32, depth, from, to, radius int, bias, alpha, beta float32) {
	for r := from; r < to; r++ {
		x, y := in[r*depth:(r+1)*depth], out[r*depth:(r+1)*depth]
		for c := range x {
			var acc float32
			for k := max(c-radius, 0); k <= min(c+radius, depth-1); k++ {
				acc += x[k] * x[k]
			}
			y[c] = x[c] * float32(math.Pow(float64(bias+alpha*acc), float64(-beta)))
		}
	}
}

// ScaleInt8 sets out[i] = float32(in[i]) * scale: a dequantization without
// zero point.
func ScaleInt8(in []int8, out []float32, scale float32) {
	out = out[:len(in)]
	for i, v := range in {
		out[i] = float32(v) * scale
	}
}
