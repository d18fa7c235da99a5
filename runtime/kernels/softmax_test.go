package kernels

import (
	"math"
	"testing"
)

func TestSoftmaxF32(t *testing.T) {
	in := []float32{1, 2, 3, 0, 0, 0}
	got := make([]float32, 6)
	SoftmaxF32(in, got, 3, 0, 2, 1)
	s := math.Exp(-2) + math.Exp(-1) + 1
	want := []float64{math.Exp(-2) / s, math.Exp(-1) / s, 1 / s, 1.0 / 3, 1.0 / 3, 1.0 / 3}
	for i := range want {
		if math.Abs(float64(got[i])-want[i]) > 1e-7 {
			t.Errorf("out[%d] = %v, want %v", i, got[i], want[i])
		}
	}
}

func TestSoftmaxQ8(t *testing.T) {
	// e^0 / (e^0 + e^-1) * 256 = 187.15, e^-1 / (...) * 256 = 68.85.
	s := NewSoftmaxQ8(1, 1, QParams{1.0 / 256, -128})
	in := []int8{1, 0, 0, 0, -128, -128}
	got := make([]int8, 6)
	SoftmaxQ8Run(&s, in, got, 2, 0, 3)
	want := []int8{59, -59, 0, 0, 0, 0}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("int8 out[%d] = %d, want %d", i, got[i], want[i])
		}
	}
	su := NewSoftmaxQ8(1, 1, QParams{1.0 / 256, 0})
	inU := []uint8{1, 0, 255, 255}
	gotU := make([]uint8, 4)
	SoftmaxQ8Run(&su, inU, gotU, 2, 0, 2)
	wantU := []uint8{187, 69, 128, 128}
	for i := range wantU {
		if gotU[i] != wantU[i] {
			t.Errorf("uint8 out[%d] = %d, want %d", i, gotU[i], wantU[i])
		}
	}
}
