package kernels

import (
	"math"
	"testing"
)

// TestFixed16Functions checks the gemmlowp-style 16-bit logistic and tanh
// against float64 over every input and for each integer-bit count TFLite's
// LSTM uses, and pins the exact values at 0 (one half and 0).
func TestFixed16Functions(t *testing.T) {
	for intBits := 0; intBits <= 6; intBits++ {
		worstL, worstT := 0.0, 0.0
		for v := math.MinInt16; v <= math.MaxInt16; v++ {
			x := math.Ldexp(float64(v), intBits-15)
			l := float64(Logistic16(int16(v), intBits)) / 32768
			th := float64(Tanh16(int16(v), intBits)) / 32768
			worstL = max(worstL, math.Abs(l-1/(1+math.Exp(-x))))
			worstT = max(worstT, math.Abs(th-math.Tanh(x)))
		}
		// gemmlowp's 16-bit functions are accurate to a few units of 2^-15
		// (fewer fraction bits in the input cost a little more).
		if worstL > 8.0/32768 || worstT > 16.0/32768 {
			t.Errorf("intBits %d: worst error logistic %g, tanh %g", intBits, worstL*32768, worstT*32768)
		}
	}
	sig, th := Act16Table(false, 3), Act16Table(true, 4)
	for v := math.MinInt16; v <= math.MaxInt16; v++ {
		if sig[uint16(v)] != Logistic16(int16(v), 3) || th[uint16(v)] != Tanh16(int16(v), 4) {
			t.Fatalf("tables differ from the functions at %d", v)
		}
	}
	if got := Logistic16(0, 3); got != 16384 {
		t.Errorf("Logistic16(0) = %d, want 16384", got)
	}
	if got := Tanh16(0, 3); got != 0 {
		t.Errorf("Tanh16(0) = %d, want 0", got)
	}
}
