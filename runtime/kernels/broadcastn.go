package kernels

import "fmt"

// maxOperands is the most operands a BroadcastN plans for (SELECT has three).
const maxOperands = 3

// BroadcastN maps each element of an operator's output onto the elements of
// up to three operands under NumPy broadcasting rules. Unlike Broadcast it
// does not merge dimensions: it serves the comparison, logical and select
// operators, which are not on any model's hot path.
type BroadcastN struct {
	rank, n, ops int
	dims         [MaxBroadcastRank]int
	st           [maxOperands][MaxBroadcastRank]int // element strides; 0 where broadcast
}

// NewBroadcastN plans an operator whose output has shape out and whose
// operands have the shapes ins; each must broadcast to out.
func NewBroadcastN(out []int, ins ...[]int) (BroadcastN, error) {
	var p BroadcastN
	if len(out) > MaxBroadcastRank || len(ins) == 0 || len(ins) > maxOperands {
		return p, fmt.Errorf("cannot broadcast %d operands to %v (rank limit %d)", len(ins), out, MaxBroadcastRank)
	}
	p.rank, p.ops, p.n = max(len(out), 1), len(ins), 1
	p.dims[0] = 1
	copy(p.dims[p.rank-len(out):], out)
	for _, d := range out {
		p.n *= d
	}
	for k, s := range ins {
		if len(s) > len(out) {
			return p, fmt.Errorf("shape %v does not broadcast to %v", s, out)
		}
		stride := 1
		for i := 1; i <= len(s); i++ {
			d, o := s[len(s)-i], p.dims[p.rank-i]
			switch {
			case d == o:
				if d != 1 {
					p.st[k][p.rank-i] = stride
				}
			case d == 1:
			default:
				return p, fmt.Errorf("shape %v does not broadcast to %v", s, out)
			}
			stride *= d
		}
	}
	return p, nil
}

// Len is the number of output elements.
func (p *BroadcastN) Len() int { return p.n }

// offset returns the element of operand k read for output element o.
func (p *BroadcastN) offset(k, o int) int {
	off := 0
	for d := p.rank - 1; d >= 0 && o > 0; d-- {
		off += (o % p.dims[d]) * p.st[k][d]
		o /= p.dims[d]
	}
	return off
}

// Binary sets out[i] = f(a, b) over the broadcast p of two operands.
func Binary[A, B, O any](p *BroadcastN, a []A, b []B, out []O, f func(A, B) O) {
	inner := p.dims[p.rank-1]
	if inner == 0 || p.n == 0 {
		return
	}
	sa, sb := p.st[0][p.rank-1], p.st[1][p.rank-1]
	for o := 0; o < p.n; o += inner {
		ao, bo := p.offset(0, o), p.offset(1, o)
		row := out[o : o+inner]
		for i := range row {
			row[i] = f(a[ao+i*sa], b[bo+i*sb])
		}
	}
}

// Select sets out[i] = x if cond else y over the broadcast p of the three
// operands cond (bool bytes: any non-zero byte is true), x and y, in that
// order.
func Select[T any](p *BroadcastN, cond []byte, x, y, out []T) {
	inner := p.dims[p.rank-1]
	if inner == 0 || p.n == 0 {
		return
	}
	sc, sx, sy := p.st[0][p.rank-1], p.st[1][p.rank-1], p.st[2][p.rank-1]
	for o := 0; o < p.n; o += inner {
		co, xo, yo := p.offset(0, o), p.offset(1, o), p.offset(2, o)
		row := out[o : o+inner]
		for i := range row {
			if cond[co+i*sc] != 0 {
				row[i] = x[xo+i*sx]
			} else {
				row[i] = y[yo+i*sy]
			}
		}
	}
}

// CompareOp is an element-wise comparison.
type CompareOp uint8

// The comparisons of TFLite's LESS, LESS_EQUAL, GREATER, GREATER_EQUAL,
// EQUAL and NOT_EQUAL.
const (
	OpLess CompareOp = iota
	OpLessEqual
	OpGreater
	OpGreaterEqual
	OpEqual
	OpNotEqual
)

// Ordered is an element type the comparisons accept.
type Ordered interface {
	~int8 | ~uint8 | ~int16 | ~int32 | ~int64 | ~float32 | ~float64
}

// Bool is the byte of a bool tensor element: 1 for true, 0 for false.
func Bool(v bool) byte {
	if v {
		return 1
	}
	return 0
}

// CompareFunc returns the comparison op on T, with a bool byte result.
func CompareFunc[T Ordered](op CompareOp) func(a, b T) byte {
	switch op {
	case OpLess:
		return func(a, b T) byte { return Bool(a < b) }
	case OpLessEqual:
		return func(a, b T) byte { return Bool(a <= b) }
	case OpGreater:
		return func(a, b T) byte { return Bool(a > b) }
	case OpGreaterEqual:
		return func(a, b T) byte { return Bool(a >= b) }
	case OpEqual:
		return func(a, b T) byte { return Bool(a == b) }
	}
	return func(a, b T) byte { return Bool(a != b) }
}

// CompareQ returns the comparison op on 8-bit quantized values with the
// given zero points and scales, as TFLite's reference kernel computes it:
// each operand becomes MultiplyByQuantizedMultiplier((q - zero) << 8, m)
// with m the fixed-point form of its scale, and the results are compared.
func CompareQ[T Q8](op CompareOp, za, zb int32, sa, sb float32) func(a, b T) byte {
	ma, ea := QuantizeMultiplier(float64(sa))
	mb, eb := QuantizeMultiplier(float64(sb))
	cmp := CompareFunc[int32](op)
	return func(a, b T) byte {
		x := MultiplyByQuantizedMultiplier((int32(a)-za)<<8, ma, ea)
		y := MultiplyByQuantizedMultiplier((int32(b)-zb)<<8, mb, eb)
		return cmp(x, y)
	}
}
