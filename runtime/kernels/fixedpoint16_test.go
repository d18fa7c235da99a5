package kernels

import (
	"math"
	"testing"
)

// TestFixed16NearFloat checks gemmlowp's int16 logistic and tanh against
// float64 over every Q3.12 input: the oracle goldens check them bit for bit
// against LiteRT, this that they are the functions named.
func TestFixed16NearFloat(t *testing.T) {
	for _, c := range []struct {
		name string
		fix  func(int16) int16
		f    func(float64) float64
	}{
		{"logistic", LogisticFixed16, func(x float64) float64 { return 1 / (1 + math.Exp(-x)) }},
		{"tanh", TanhFixed16, math.Tanh},
	} {
		worst := 0.0
		for v := math.MinInt16; v <= math.MaxInt16; v++ {
			want := min(c.f(float64(v)/4096)*32768, math.MaxInt16)
			worst = max(worst, math.Abs(float64(c.fix(int16(v)))-want))
		}
		// gemmlowp's 16-bit results are this coarse (about 6 units for
		// logistic, 12 for tanh): a slip in the arithmetic costs far more.
		if worst > 16 {
			t.Errorf("%s: %.1f units of 2^-15 from float64", c.name, worst)
		}
	}
}
