package kernels

import "math"

// Number is an element type CAST converts between.
type Number interface {
	~int8 | ~uint8 | ~int16 | ~int32 | ~int64 | ~float32
}

// Integer is an integer element type.
type Integer interface {
	~int8 | ~uint8 | ~int16 | ~int32 | ~int64
}

// Convert computes out[i] = T(in[i]) with Go's (and C++'s static_cast)
// semantics for integer sources: wrap-around when narrowing, exact widening.
func Convert[F Integer, T Number](in []F, out []T) {
	out = out[:len(in)]
	for i, v := range in {
		out[i] = T(v)
	}
}

// FloatToInt converts float32 to an integer type the way TFLite's CAST does:
// truncation toward zero, saturating at the type's limits, NaN becoming the
// maximum.
func FloatToInt[T Integer](in []float32, out []T) {
	lo, hi := intRange[T]()
	flo, fhi := float64(lo), float64(hi)+1 // hi+1 is exact: a power of two
	out = out[:len(in)]
	for i, v := range in {
		x := float64(v)
		switch {
		case x != x:
			out[i] = T(hi)
		case x < flo:
			out[i] = T(lo)
		case x >= fhi:
			out[i] = T(hi)
		default:
			out[i] = T(x)
		}
	}
}

// intRange returns T's limits as int64.
func intRange[T Integer]() (lo, hi int64) {
	var x T
	switch any(x).(type) {
	case int8:
		return math.MinInt8, math.MaxInt8
	case uint8:
		return 0, math.MaxUint8
	case int16:
		return math.MinInt16, math.MaxInt16
	case int32:
		return math.MinInt32, math.MaxInt32
	}
	return math.MinInt64, math.MaxInt64
}

// ToBool computes out[i] = 1 if in[i] != 0 else 0 (bool tensors hold one
// byte per element).
func ToBool[F Number](in []F, out []uint8) {
	out = out[:len(in)]
	for i, v := range in {
		if v != 0 {
			out[i] = 1
		} else {
			out[i] = 0
		}
	}
}
