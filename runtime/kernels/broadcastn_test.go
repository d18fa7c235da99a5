package kernels

import (
	"math"
	"slices"
	"testing"
)

func TestBroadcastNSelect(t *testing.T) {
	tests := []struct{ c, x, y, out []int }{
		{[]int{4}, []int{4}, []int{4}, []int{4}},
		{[]int{}, []int{2, 3}, []int{3}, []int{2, 3}},
		{[]int{2, 1, 4}, []int{3, 1}, []int{1}, []int{2, 3, 4}},
		{[]int{1, 5, 1}, []int{2, 1, 1}, []int{2, 5, 3}, []int{2, 5, 3}},
		{[]int{3, 1}, []int{1, 1}, []int{}, []int{3, 1}},
		{[]int{0, 3}, []int{3}, []int{1}, []int{0, 3}},
	}
	for _, tt := range tests {
		p, err := NewBroadcastN(tt.out, tt.c, tt.x, tt.y)
		if err != nil {
			t.Fatalf("%v: %v", tt, err)
		}
		n := numElements(tt.out)
		cond := make([]byte, numElements(tt.c))
		for i := range cond {
			cond[i] = byte(i % 3 % 2)
		}
		x, y := make([]int32, numElements(tt.x)), make([]int32, numElements(tt.y))
		for i := range x {
			x[i] = int32(100 + i)
		}
		for i := range y {
			y[i] = int32(-100 - i)
		}
		got := make([]int32, n)
		Select(&p, cond, x, y, got)
		for o := range n {
			want := y[naiveIndex(o, tt.out, tt.y)]
			if cond[naiveIndex(o, tt.out, tt.c)] != 0 {
				want = x[naiveIndex(o, tt.out, tt.x)]
			}
			if got[o] != want {
				t.Fatalf("%v: element %d is %d, want %d", tt, o, got[o], want)
			}
		}
	}
	for _, bad := range [][2][]int{{{3}, {4}}, {{2, 3}, {3, 3}}, {{1, 2, 3}, {2, 3}}} {
		if _, err := NewBroadcastN(bad[1], bad[0]); err == nil {
			t.Errorf("%v broadcast to %v: no error", bad[0], bad[1])
		}
	}
}

func TestCompareQ(t *testing.T) {
	// Same scales and zero points: the comparison of the stored values.
	less := CompareQ[int8](OpLess, 3, 3, 0.05, 0.05)
	for a := -128; a < 128; a += 5 {
		for b := -128; b < 128; b += 7 {
			if got := less(int8(a), int8(b)); got != Bool(a < b) {
				t.Fatalf("%d < %d: %d", a, b, got)
			}
		}
	}
	// 10 steps of 0.1 above zero point 0 equal 20 steps of 0.05 above -10.
	if eq := CompareQ[int8](OpEqual, 0, -10, 0.1, 0.05); eq(10, 10) != 1 {
		t.Error("1.0 == 1.0 is false")
	}
}

func TestTopK(t *testing.T) {
	in := []int32{3, 1, 3, 7, -2, 7, 0, 3, 1, 3}
	vals, idx := make([]int32, 4), make([]int32, 4)
	TopK(in, vals, idx, len(in), 4)
	if !slices.Equal(vals, []int32{7, 7, 3, 3}) || !slices.Equal(idx, []int32{3, 5, 0, 2}) {
		t.Errorf("top 4 of %v: %v at %v", in, vals, idx)
	}
}

func TestScatterNDAddsAndChecks(t *testing.T) {
	out := make([]float32, 6)
	if bad := ScatterND([]int32{1, 0, 1}, []float32{1, 2, 3, 4, 5, 6}, out, []int{3}, []int{2}, 2); bad != -1 {
		t.Fatalf("bad index at %d", bad)
	}
	if !slices.Equal(out, []float32{3, 4, 6, 8, 0, 0}) {
		t.Errorf("scatter: %v", out)
	}
	if bad := ScatterND([]int64{0, 3}, []float32{1, 2}, out[:3], []int{3}, []int{1}, 1); bad != 1 {
		t.Errorf("index 3 of 3 reported at %d, want 1", bad)
	}
}

// TestInvSqrtMultiplier checks the fixed-point inverse square root against
// float64 within its precision (five Newton steps from 1).
func TestInvSqrtMultiplier(t *testing.T) {
	for _, x := range []int32{2, 3, 17, 255, 1 << 16, 123456, 1<<29 + 7, math.MaxInt32} {
		m, s := invSqrtMultiplier(x, -1)
		got := float64(m) * math.Pow(2, float64(s)-31)
		if want := 1 / math.Sqrt(float64(x)); math.Abs(got-want) > want*1e-5 {
			t.Errorf("1/sqrt(%d) = %g, want %g", x, got, want)
		}
	}
}

func TestFillBytes(t *testing.T) {
	out := make([]byte, 10)
	FillBytes(out, []byte{1, 2})
	if !slices.Equal(out, []byte{1, 2, 1, 2, 1, 2, 1, 2, 1, 2}) {
		t.Errorf("fill: %v", out)
	}
}
