package kernels

import (
	"fmt"
	"math"
	"testing"
)

// naiveIndex maps an output index to an operand index under NumPy
// broadcasting, one dimension at a time.
func naiveIndex(o int, out, in []int) int {
	idx, stride := 0, 1
	for k := 1; k <= len(out); k++ {
		d := out[len(out)-k]
		c := o % d
		o /= d
		if k <= len(in) {
			if di := in[len(in)-k]; di != 1 {
				idx += c * stride
				stride *= di
			}
		}
	}
	return idx
}

func numElements(s []int) int {
	n := 1
	for _, d := range s {
		n *= d
	}
	return n
}

func TestBroadcastBinaryF32(t *testing.T) {
	tests := []struct{ a, b, out []int }{
		{[]int{4}, []int{4}, []int{4}},
		{[]int{2, 3, 4}, []int{2, 3, 4}, []int{2, 3, 4}},
		{[]int{2, 3, 4}, []int{}, []int{2, 3, 4}},
		{[]int{}, []int{2, 3, 4}, []int{2, 3, 4}},
		{[]int{}, []int{}, []int{}},
		{[]int{1, 1}, []int{1}, []int{1, 1}},
		{[]int{2, 3, 4}, []int{4}, []int{2, 3, 4}},
		{[]int{2, 3, 4}, []int{3, 1}, []int{2, 3, 4}},
		{[]int{3, 1, 5}, []int{1, 4, 1}, []int{3, 4, 5}},
		{[]int{5, 1, 7, 1}, []int{1, 6, 1, 3}, []int{5, 6, 7, 3}},
		{[]int{1, 1}, []int{17}, []int{1, 17}},
		{[]int{48, 48, 1}, []int{1, 17}, []int{48, 48, 17}},
		{[]int{1, 2, 1, 2, 1, 2, 1, 2}, []int{2, 1, 2, 1, 2, 1, 2, 1}, []int{2, 2, 2, 2, 2, 2, 2, 2}},
	}
	ops := []BinaryOp{OpAdd, OpSub, OpMul, OpDiv, OpMaximum, OpMinimum, OpSquaredDifference}
	for _, tc := range tests {
		t.Run(fmt.Sprint(tc.a, tc.b), func(t *testing.T) {
			p, err := NewBroadcast(tc.a, tc.b, tc.out)
			if err != nil {
				t.Fatal(err)
			}
			n := numElements(tc.out)
			if p.Len() != n {
				t.Fatalf("Len %d, want %d", p.Len(), n)
			}
			a, b := make([]float32, numElements(tc.a)), make([]float32, numElements(tc.b))
			for i := range a {
				a[i] = float32(i%7) - 3.5
			}
			for i := range b {
				b[i] = float32(i%5) + 0.25
			}
			for _, op := range ops {
				want := make([]float32, n)
				for o := range want {
					x, y := a[naiveIndex(o, tc.out, tc.a)], b[naiveIndex(o, tc.out, tc.b)]
					var v float32
					switch op {
					case OpAdd:
						v = x + y
					case OpSub:
						v = x - y
					case OpMul:
						v = x * y
					case OpDiv:
						v = x / y
					case OpMaximum:
						v = max(x, y)
					case OpMinimum:
						v = min(x, y)
					case OpSquaredDifference:
						v = (x - y) * (x - y)
					}
					want[o] = min(max(v, -2), 3)
				}
				// Every split of the range must give the same result.
				for _, split := range []int{0, 1, n / 3, n - 1} {
					split = max(0, min(split, n))
					got := make([]float32, n)
					BinaryF32(op, a, b, got, &p, 0, split, -2, 3)
					BinaryF32(op, a, b, got, &p, split, n, -2, 3)
					for i := range want {
						if got[i] != want[i] {
							t.Fatalf("op %d split %d: out[%d] = %v, want %v", op, split, i, got[i], want[i])
						}
					}
				}
			}
		})
	}
}

func TestNewBroadcastRejects(t *testing.T) {
	tests := []struct{ a, b, out []int }{
		{[]int{3}, []int{4}, []int{4}},
		{[]int{2, 3}, []int{3}, []int{3, 3}},
		{[]int{2, 3}, []int{3}, []int{3}},
		{[]int{1, 1, 1, 1, 1, 1, 1, 1, 1}, []int{1}, []int{1, 1, 1, 1, 1, 1, 1, 1, 1}},
	}
	for _, tc := range tests {
		if _, err := NewBroadcast(tc.a, tc.b, tc.out); err == nil {
			t.Errorf("NewBroadcast(%v, %v, %v) succeeded", tc.a, tc.b, tc.out)
		}
	}
}

func TestBinaryInt(t *testing.T) {
	a := []int32{-7, 7, -6, 6, 0, -1, 9, math32Min}
	tests := []struct {
		op   BinaryOp
		b    int32
		want []int32
	}{
		{OpFloorDiv, -4, []int32{1, -2, 1, -2, 0, 0, -3, 536870912}},
		{OpFloorDiv, 4, []int32{-2, 1, -2, 1, 0, -1, 2, -536870912}},
		{OpDiv, 4, []int32{-1, 1, -1, 1, 0, 0, 2, -536870912}},
		{OpMul, 3, []int32{-21, 21, -18, 18, 0, -3, 27, math32Min}},
		{OpSub, 1, []int32{-8, 6, -7, 5, -1, -2, 8, 2147483647}},
	}
	p, err := NewBroadcast([]int{8}, nil, []int{8})
	p3, _ := NewBroadcast([]int{3}, nil, []int{3})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range tests {
		got := make([]int32, len(a))
		BinaryInt(tc.op, a, []int32{tc.b}, got, &p, 0, len(a), math32Min, 1<<31-1)
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("op %d by %d: %d -> %d, want %d", tc.op, tc.b, a[i], got[i], tc.want[i])
			}
		}
	}
	got64 := make([]int64, 3)
	BinaryInt(OpFloorDiv, []int64{-7e12, 7e12, 5}, []int64{2}, got64, &p3, 0, 3, math.MinInt64, math.MaxInt64)
	if got64[0] != -35e11 || got64[1] != 35e11 || got64[2] != 2 {
		t.Errorf("int64 floor division = %v", got64)
	}
	if err := CheckDivisor([]int32{1, 0}); err != ErrDivisionByZero {
		t.Errorf("CheckDivisorI32 = %v", err)
	}
}

const math32Min = -1 << 31

func TestFloorDivF32(t *testing.T) {
	p, _ := NewBroadcast([]int{4}, []int{1}, []int{4})
	got := make([]float32, 4)
	FloorDivF32([]float32{7, -7, 7.5, -0.5}, []float32{2}, got, &p, 0, 4)
	want := []float32{3, -4, 3, -1}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("out[%d] = %v, want %v", i, got[i], want[i])
		}
	}
}

func BenchmarkBinaryF32(b *testing.B) {
	for _, tc := range []struct {
		name   string
		a, bsh []int
		out    []int
	}{
		{"same", []int{1, 64, 64, 32}, []int{1, 64, 64, 32}, []int{1, 64, 64, 32}},
		{"scalar", []int{1, 64, 64, 32}, []int{}, []int{1, 64, 64, 32}},
		{"channel", []int{1, 64, 64, 32}, []int{32}, []int{1, 64, 64, 32}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			p, _ := NewBroadcast(tc.a, tc.bsh, tc.out)
			x, y, z := make([]float32, numElements(tc.a)), make([]float32, numElements(tc.bsh)), make([]float32, p.Len())
			b.SetBytes(int64(4 * p.Len()))
			for b.Loop() {
				BinaryF32(OpAdd, x, y, z, &p, 0, p.Len(), -1e30, 1e30)
			}
		})
	}
}
