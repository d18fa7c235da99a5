package kernels

import (
	"errors"
	"math"
)

// BinaryOp is an element-wise arithmetic operator on two operands.
type BinaryOp uint8

// The binary operators with float32 and integer kernels.
const (
	OpAdd BinaryOp = iota
	OpSub
	OpMul
	OpDiv // floats: a / b; integers: quotient truncated toward zero
	OpFloorDiv
	OpMaximum
	OpMinimum
	OpSquaredDifference
)

// ErrDivisionByZero is returned by integer division with a zero divisor.
var ErrDivisionByZero = errors.New("kernels: integer division by zero")

// BinaryF32 computes out[i] = clamp(a op b, lo, hi) for the output elements
// [from, to) of the broadcast p.
func BinaryF32(op BinaryOp, a, b, out []float32, p *Broadcast, from, to int, lo, hi float32) {
	clamp := !math.IsInf(float64(lo), -1) || !math.IsInf(float64(hi), 1)
	sa, sb := p.innerSteps()
	simdOp := -1
	if binF32SIMD != nil {
		switch op {
		case OpAdd:
			simdOp = 0
		case OpSub:
			simdOp = 1
		case OpMul:
			simdOp = 2
		case OpDiv:
			simdOp = 3
		}
	}
	it := p.runs(from, to)
	for {
		o, ao, bo, n := it.next()
		if n == 0 {
			return
		}
		x, y, z := span(a, ao, n, sa), span(b, bo, n, sb), out[o:o+n]
		if simdOp >= 0 && n >= 16 {
			_, _ = x[sa*(n-1)], y[sb*(n-1)]
			binF32SIMD(simdOp, &x[0], &y[0], &z[0], n, sa, sb, lo, hi)
			continue
		}
		binaryRun(op, x, y, z, clamp, lo, hi)
	}
}

// binF32SIMD, when set, stores clamp(a op b, lo, hi) for n values, op 0
// add, 1 sub, 2 mul, 3 div; a (b) is one value when astep (bstep) is 0. A NaN
// stays NaN. CPU files set it from init.
var binF32SIMD func(op int, a, b, out *float32, n, astep, bstep int, lo, hi float32)

// BinaryInt is BinaryF32 for int32 and int64 operands. For OpDiv and
// OpFloorDiv the caller checks the divisor with CheckDivisor first.
func BinaryInt[T int32 | int64](op BinaryOp, a, b, out []T, p *Broadcast, from, to int, lo, hi T) {
	clamp := int64(lo) != minOf[T]() || int64(hi) != maxOf[T]()
	sa, sb := p.innerSteps()
	it := p.runs(from, to)
	for {
		o, ao, bo, n := it.next()
		if n == 0 {
			return
		}
		x, y, z := span(a, ao, n, sa), span(b, bo, n, sb), out[o:o+n]
		switch op {
		case OpDiv:
			divRun(x, y, z, lo, hi, false)
		case OpFloorDiv:
			divRun(x, y, z, lo, hi, true)
		default:
			binaryRun(op, x, y, z, clamp, lo, hi)
		}
	}
}

// MaxMin8 computes the element-wise maximum (OpMaximum) or minimum
// (OpMinimum) of 8-bit (or int16) values under the broadcast p. Like
// TFLite, it compares the stored values, which presumes both inputs share
// the output's quantization.
func MaxMin8[T int8 | uint8 | int16](op BinaryOp, a, b, out []T, p *Broadcast, from, to int) {
	sa, sb := p.innerSteps()
	it := p.runs(from, to)
	for {
		o, ao, bo, n := it.next()
		if n == 0 {
			return
		}
		binaryOp(op, span(a, ao, n, sa), span(b, bo, n, sb), out[o:o+n])
	}
}

// CheckDivisor reports ErrDivisionByZero if any divisor is zero, as
// TensorFlow Lite checks the whole divisor before dividing.
func CheckDivisor[T int32 | int64](b []T) error {
	for _, v := range b {
		if v == 0 {
			return ErrDivisionByZero
		}
	}
	return nil
}

// FloorDivF32 computes out = floor(a / b) under the broadcast p, the way
// TensorFlow Lite's FLOOR_DIV does for floats (the quotient in float64).
func FloorDivF32(a, b, out []float32, p *Broadcast, from, to int) {
	sa, sb := p.innerSteps()
	it := p.runs(from, to)
	for {
		o, ao, bo, n := it.next()
		if n == 0 {
			return
		}
		x, y := span(a, ao, n, sa), span(b, bo, n, sb)
		for i := range out[o : o+n] {
			out[o+i] = float32(math.Floor(float64(x[i*sa]) / float64(y[i*sb])))
		}
	}
}

// minOf and maxOf are an integer type's limits as int64.
func minOf[T int32 | int64]() int64 {
	var x T
	if _, ok := any(x).(int32); ok {
		return math.MinInt32
	}
	return math.MinInt64
}

func maxOf[T int32 | int64]() int64 {
	var x T
	if _, ok := any(x).(int32); ok {
		return math.MaxInt32
	}
	return math.MaxInt64
}

func divRun[T int32 | int64](a, b, out []T, lo, hi T, floor bool) {
	sa, sb := min(len(a)-1, 1), min(len(b)-1, 1)
	for i := range out {
		x, y := a[i*sa], b[i*sb]
		q := x / y
		if floor && (x%y != 0) && ((x < 0) != (y < 0)) {
			q--
		}
		out[i] = min(max(q, lo), hi)
	}
}

// binaryRun applies op to one run, then clamps the run to [lo, hi] if
// clamp is set. An operand of length 1 is broadcast.
func binaryRun[T int32 | int64 | float32](op BinaryOp, a, b, out []T, clamp bool, lo, hi T) {
	binaryOp(op, a, b, out)
	if clamp {
		for i, v := range out {
			out[i] = min(max(v, lo), hi)
		}
	}
}

func binaryOp[T int8 | uint8 | int16 | int32 | int64 | float32](op BinaryOp, a, b, out []T) {
	switch {
	case len(out) == 1 || (len(a) == len(out) && len(b) == len(out)):
		a, b = a[:len(out)], b[:len(out)]
		switch op {
		case OpAdd:
			for i := range out {
				out[i] = a[i] + b[i]
			}
		case OpSub:
			for i := range out {
				out[i] = a[i] - b[i]
			}
		case OpMul:
			for i := range out {
				out[i] = a[i] * b[i]
			}
		case OpDiv:
			for i := range out {
				out[i] = a[i] / b[i]
			}
		case OpMaximum:
			for i := range out {
				out[i] = max(a[i], b[i])
			}
		case OpMinimum:
			for i := range out {
				out[i] = min(a[i], b[i])
			}
		case OpSquaredDifference:
			for i := range out {
				d := a[i] - b[i]
				out[i] = d * d
			}
		}
	case len(a) == 1:
		x := a[0]
		b = b[:len(out)]
		switch op {
		case OpAdd:
			for i := range out {
				out[i] = x + b[i]
			}
		case OpSub:
			for i := range out {
				out[i] = x - b[i]
			}
		case OpMul:
			for i := range out {
				out[i] = x * b[i]
			}
		case OpDiv:
			for i := range out {
				out[i] = x / b[i]
			}
		case OpMaximum:
			for i := range out {
				out[i] = max(x, b[i])
			}
		case OpMinimum:
			for i := range out {
				out[i] = min(x, b[i])
			}
		case OpSquaredDifference:
			for i := range out {
				d := x - b[i]
				out[i] = d * d
			}
		}
	default:
		y := b[0]
		a = a[:len(out)]
		switch op {
		case OpAdd:
			for i := range out {
				out[i] = a[i] + y
			}
		case OpSub:
			for i := range out {
				out[i] = a[i] - y
			}
		case OpMul:
			for i := range out {
				out[i] = a[i] * y
			}
		case OpDiv:
			for i := range out {
				out[i] = a[i] / y
			}
		case OpMaximum:
			for i := range out {
				out[i] = max(a[i], y)
			}
		case OpMinimum:
			for i := range out {
				out[i] = min(a[i], y)
			}
		case OpSquaredDifference:
			for i := range out {
				d := a[i] - y
				out[i] = d * d
			}
		}
	}
}
