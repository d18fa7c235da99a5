package kernels

import (
	"math/rand"
	"testing"
)

func TestReduceSumAndMax(t *testing.T) {
	shape := []int{2, 3, 4}
	in := make([]int32, 24)
	rng := rand.New(rand.NewSource(3))
	for i := range in {
		in[i] = int32(rng.Intn(100) - 50)
	}
	// Every subset of reduced axes, against a direct triple loop.
	for mask := 0; mask < 8; mask++ {
		red := [3]bool{mask&1 != 0, mask&2 != 0, mask&4 != 0}
		g := &ReduceGeom{Shape: shape, OutStride: make([]int, 3)}
		outN := 1
		for d := 2; d >= 0; d-- {
			if !red[d] {
				g.OutStride[d] = outN
				outN *= shape[d]
			}
		}
		wantSum := make([]int32, outN)
		wantMax := make([]int32, outN)
		for i := range wantMax {
			wantMax[i] = -1 << 31
		}
		for a := 0; a < 2; a++ {
			for b := 0; b < 3; b++ {
				for c := 0; c < 4; c++ {
					o := a*g.OutStride[0] + b*g.OutStride[1] + c*g.OutStride[2]
					v := in[(a*3+b)*4+c]
					wantSum[o] += v
					wantMax[o] = max(wantMax[o], v)
				}
			}
		}
		sum := make([]int32, outN)
		mx := make([]int32, outN)
		ReduceSum(g, in, sum)
		ReduceMax(g, in, mx, -1<<31, false)
		if !equalInts(sum, wantSum) || !equalInts(mx, wantMax) {
			t.Errorf("axes mask %03b: sum %v max %v, want %v %v", mask, sum, mx, wantSum, wantMax)
		}
		if g.KeepsLast() != !red[2] {
			t.Errorf("axes mask %03b: KeepsLast %v", mask, g.KeepsLast())
		}
		if g.KeepsLast() {
			// Column ranges, as a Pool cuts them, onto a dirty acc.
			for _, cut := range []int{1, 3} {
				cols := make([]int32, outN)
				for i := range cols {
					cols[i] = 99
				}
				for c0 := 0; c0 < 4; c0 += cut {
					ReduceSumCols(g, in, cols, c0, min(c0+cut, 4))
				}
				if !equalInts(cols, wantSum) {
					t.Errorf("axes mask %03b, columns by %d: sum %v, want %v", mask, cut, cols, wantSum)
				}
			}
		}
	}
}

func TestMeanQ(t *testing.T) {
	// n = 4, ratio 0.5 -> scale 0.125; sums relative to the zero point
	// 20 -> 2.5 -> 2 (half to even), 28 -> 3.5 -> 4, -20 -> -2.5 -> -2,
	// 2000 -> 250 -> clamped to 127 - outZP.
	inZP, outZP := int32(-128), int32(-10)
	acc := []int32{20 + 4*inZP, 28 + 4*inZP, -20 + 4*inZP, 2000 + 4*inZP}
	out := make([]int8, 4)
	MeanQ(acc, out, 4, inZP, outZP, 0.5, -128, 127)
	if want := []int8{-8, -6, -12, 127}; !equalInts(out, want) {
		t.Errorf("got %v, want %v", out, want)
	}
}

func BenchmarkMeanQ(b *testing.B) {
	// Global average of [1, 7, 7, 1280] over axes 1 and 2.
	g := &ReduceGeom{Shape: []int{1, 7, 7, 1280}, OutStride: []int{1280, 0, 0, 1}}
	in := make([]int8, 7*7*1280)
	acc := make([]int32, 1280)
	out := make([]int8, 1280)
	for b.Loop() {
		ReduceSum(g, in, acc)
		MeanQ(acc, out, 49, -128, -128, 1.2, -128, 127)
	}
}
