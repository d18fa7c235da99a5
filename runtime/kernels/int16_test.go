package kernels

import (
	"math"
	"testing"
)

// TestMultiplyByQuantizedMultiplier64 checks the int64 rescale: exact for
// multipliers a 16-bit one holds, else within the reduction's error.
func TestMultiplyByQuantizedMultiplier64(t *testing.T) {
	for _, c := range []struct {
		x     int64
		m     float64
		exact int32
	}{
		{1 << 20, 0.5, 1 << 19},
		{-(1 << 20), 0.5, -(1 << 19)},
		{3, 0.5, 2},   // 1.5 rounds up
		{-3, 0.5, -1}, // -1.5 rounds up too (add half, shift)
		{1 << 40, 1.0 / (1 << 20), 1 << 20},
	} {
		q, s := QuantizeMultiplier(c.m)
		if got := MultiplyByQuantizedMultiplier64(c.x, q, s); got != c.exact {
			t.Errorf("%d x %g = %d, want %d", c.x, c.m, got, c.exact)
		}
	}
	// Other multipliers lose up to 2^-16 of their value in the reduction.
	for _, m := range []float64{0.001, 0.3, 0.77, 1.9, 5e-6} {
		q, s := QuantizeMultiplier(m)
		for _, x := range []int64{123456789, -987654321, 1 << 30, -5} {
			want := float64(x) * m
			if got := float64(MultiplyByQuantizedMultiplier64(x, q, s)); math.Abs(got-want) > 1+math.Abs(want)/(1<<15) {
				t.Errorf("%d x %g = %g, want about %g", x, m, got, want)
			}
		}
	}
}

func TestCheckedLog2(t *testing.T) {
	for _, c := range []struct {
		x   float32
		l   int
		pot bool
	}{{1.0 / 4096, -12, true}, {1.0 / 32768, -15, true}, {8, 3, true}, {0.0003, -12, false}} {
		if l, pot := CheckedLog2(c.x); (pot && l != c.l) || pot != c.pot {
			t.Errorf("CheckedLog2(%g) = %d, %v; want %d, %v", c.x, l, pot, c.l, c.pot)
		}
	}
}

// TestAddQ16 checks the general int16 ADD and SUB against the real
// arithmetic they approximate, within one unit.
func TestAddQ16(t *testing.T) {
	a, b, o := QParams{Scale: 0.0005852501}, QParams{Scale: 0.0008069296}, QParams{Scale: 0.0010244421}
	p, err := NewBroadcast([]int{5}, []int{5}, []int{5})
	if err != nil {
		t.Fatal(err)
	}
	x := []int16{-32768, -1000, 0, 1234, 32767}
	y := []int16{32767, 77, 0, -999, 32767}
	for _, sub := range []bool{false, true} {
		q := NewAddQ16(sub, a, b, o, math.MinInt16, math.MaxInt16)
		out := make([]int16, 5)
		AddQ16Run(&q, x, y, out, &p, 0, 5)
		for i := range out {
			yv := float64(y[i]) * float64(b.Scale)
			if sub {
				yv = -yv
			}
			want := math.Round((float64(x[i])*float64(a.Scale) + yv) / float64(o.Scale))
			want = min(max(want, math.MinInt16), math.MaxInt16)
			if d := math.Abs(float64(out[i]) - want); d > 1 {
				t.Errorf("sub %v: element %d is %d, want %g", sub, i, out[i], want)
			}
		}
	}
}
