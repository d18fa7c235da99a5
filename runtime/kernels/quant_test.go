package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The expected values below are worked out by hand from TensorFlow Lite's
// definitions (quantization_util.cc QuantizeMultiplier, gemmlowp's
// SaturatingRoundingDoublingHighMul and RoundingDivideByPOT).

func TestQuantizeMultiplier(t *testing.T) {
	tests := []struct {
		m     float64
		q     int32
		shift int
	}{
		{0, 0, 0},
		{0.5, 1 << 30, 0},
		{1, 1 << 30, 1},
		{0.25, 1 << 30, -1},
		{0.75, 1610612736, 0},
		{3, 1610612736, 2},
		{1.0 / 255, 1077952576, -7},   // 2^38/255 = 1077952576.25
		{1 - 1.0/(1<<40), 1 << 30, 1}, // the fraction rounds up to 2^31
		{math.Ldexp(1, -32), 1 << 30, -31},
		{math.Ldexp(1, -33), 0, 0}, // below 2^-32 flushes to zero
		{math.Ldexp(1, 31), math.MaxInt32, 30},
	}
	for _, tc := range tests {
		q, shift := QuantizeMultiplier(tc.m)
		if q != tc.q || shift != tc.shift {
			t.Errorf("QuantizeMultiplier(%g) = (%d, %d), want (%d, %d)", tc.m, q, shift, tc.q, tc.shift)
		}
	}
}

func TestSaturatingRoundingDoublingHighMul(t *testing.T) {
	tests := []struct{ a, b, want int32 }{
		{100, 1 << 30, 50},
		{101, 1 << 30, 51},   // 50.5 rounds up
		{-101, 1 << 30, -50}, // -50.5 rounds up too (gemmlowp's nudge)
		{-102, 1 << 30, -51},
		{1 << 30, 1 << 30, 1 << 29},
		{math.MinInt32, math.MinInt32, math.MaxInt32}, // the one overflow saturates
		{math.MaxInt32, math.MaxInt32, math.MaxInt32 - 1},
		{math.MinInt32, math.MaxInt32, math.MinInt32 + 1},
	}
	for _, tc := range tests {
		if got := SaturatingRoundingDoublingHighMul(tc.a, tc.b); got != tc.want {
			t.Errorf("SaturatingRoundingDoublingHighMul(%d, %d) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestRoundingDivideByPOT(t *testing.T) {
	tests := []struct {
		x    int32
		e    int
		want int32
	}{
		{7, 0, 7}, {-7, 0, -7},
		{4, 1, 2}, {-4, 1, -2},
		{5, 1, 3}, {-5, 1, -3}, // halves round away from zero
		{6, 2, 2}, {-6, 2, -2},
		{7, 2, 2}, {-7, 2, -2},
		{5, 2, 1}, {-5, 2, -1},
		{51, 2, 13}, {-51, 2, -13},
		{math.MaxInt32, 31, 1}, {math.MinInt32, 31, -1},
		{1 << 30, 31, 1}, {-(1 << 30), 31, -1},
	}
	for _, tc := range tests {
		if got := RoundingDivideByPOT(tc.x, tc.e); got != tc.want {
			t.Errorf("RoundingDivideByPOT(%d, %d) = %d, want %d", tc.x, tc.e, got, tc.want)
		}
	}
}

func TestMultiplyByQuantizedMultiplier(t *testing.T) {
	tests := []struct {
		x, q  int32
		shift int
		want  int32
	}{
		{100, 1 << 30, 0, 50},
		{-101, 1 << 30, 0, -50},
		{100, 1 << 30, -1, 25},
		{102, 1 << 30, -2, 13},   // 12.75
		{-102, 1 << 30, -2, -13}, // SRDHM -51, then -12.75 -> -13
		{3, 1 << 30, 2, 6},       // left shift: 3 * 2.0
		{1000, 1077952576, -7, 4},
		{-1000, 1077952576, -7, -4},
		{0, 1610612736, 5, 0},
	}
	for _, tc := range tests {
		if got := MultiplyByQuantizedMultiplier(tc.x, tc.q, tc.shift); got != tc.want {
			t.Errorf("MultiplyByQuantizedMultiplier(%d, %d, %d) = %d, want %d", tc.x, tc.q, tc.shift, got, tc.want)
		}
	}
}

// TestMultiplyByQuantizedMultiplierApprox checks the fixed-point product is
// within one of the exact real product over typical requantization scales.
func TestMultiplyByQuantizedMultiplierApprox(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 100000 {
		m := math.Ldexp(0.5+rng.Float64()/2, -rng.IntN(20))
		x := int32(rng.IntN(1<<24) - 1<<23)
		q, shift := QuantizeMultiplier(m)
		got := float64(MultiplyByQuantizedMultiplier(x, q, shift))
		if want := float64(x) * m; math.Abs(got-want) > 1 {
			t.Fatalf("x=%d m=%g: got %v, want %v", x, m, got, want)
		}
	}
}

func TestActivationRanges(t *testing.T) {
	floats := []struct {
		a      Activation
		lo, hi float32
	}{
		{ActNone, -math.MaxFloat32, math.MaxFloat32},
		{ActRelu, 0, math.MaxFloat32},
		{ActReluN1To1, -1, 1},
		{ActRelu6, 0, 6},
	}
	for _, tc := range floats {
		if lo, hi := tc.a.FloatRange(); lo != tc.lo || hi != tc.hi {
			t.Errorf("%d.FloatRange() = %v, %v, want %v, %v", tc.a, lo, hi, tc.lo, tc.hi)
		}
	}
	quants := []struct {
		a      Activation
		scale  float32
		zp     int32
		lo, hi int32
	}{
		{ActNone, 0.5, -10, -128, 127},
		{ActRelu, 0.5, -10, -10, 127},
		{ActRelu6, 0.5, -10, -10, 2},
		{ActReluN1To1, 0.5, -10, -12, -8},
		{ActRelu6, 0.01, 0, 0, 127},         // 6/0.01 is past qmax
		{ActRelu, 0.1, -128 - 5, -128, 127}, // zero point below qmin
	}
	for _, tc := range quants {
		if lo, hi := tc.a.QuantRange(tc.scale, tc.zp, -128, 127); lo != tc.lo || hi != tc.hi {
			t.Errorf("%d.QuantRange(%v, %d) = %d, %d, want %d, %d", tc.a, tc.scale, tc.zp, lo, hi, tc.lo, tc.hi)
		}
	}
}
