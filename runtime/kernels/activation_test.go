package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestClampF32SIMD runs the SIMD RELU, RELU6 and RELU_N1_TO_1 of this CPU
// (if any) against the generic loops on lengths around the 16- and
// 64-value steps, with NaN, infinities and signed zeros among the inputs.
func TestClampF32SIMD(t *testing.T) {
	if clampF32SIMD == nil {
		t.Skip("no SIMD clamp on this CPU or build; the generic loops run alone")
	}
	r := rand.New(rand.NewPCG(5, 5))
	specials := []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)), 0, float32(math.Copysign(0, -1)), 6, -1, 1, 7}
	for n := 0; n < 150; n++ {
		in := make([]float32, n)
		for i := range in {
			in[i] = (r.Float32() - 0.5) * 20
			if r.IntN(8) == 0 {
				in[i] = specials[r.IntN(len(specials))]
			}
		}
		for _, op := range []UnaryOp{OpRelu, OpRelu6, OpReluN1To1} {
			want, got := make([]float32, n+1), make([]float32, n+1)
			want[n], got[n] = 42, 42 // must stay untouched
			simd := clampF32SIMD
			clampF32SIMD = nil
			UnaryF32(op, in, want[:n], 0)
			clampF32SIMD = simd
			UnaryF32(op, in, got[:n], 0)
			for i := range want {
				w, g := want[i], got[i]
				if w != g && !(w != w && g != g) {
					t.Fatalf("op %d, n %d: output %d of %g = %g, generic %g", op, n, i, in[min(i, n-1)], g, w)
				}
			}
		}
	}
}

// TestSqrtF32SIMD checks the SIMD square root against the generic one bit
// for bit (NaNs as NaNs) on random values, negatives, zeros of both signs,
// infinities and subnormals, at every length across a few 16-lane blocks,
// and that nothing is written past the output.
func TestSqrtF32SIMD(t *testing.T) {
	if sqrtF32SIMD == nil {
		t.Skip("no SIMD square root on this CPU or build")
	}
	simd := sqrtF32SIMD
	defer func() { sqrtF32SIMD = simd }()
	special := []float32{0, float32(math.Copysign(0, -1)), -1, float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()), 1e-40, math.MaxFloat32}
	r := rand.New(rand.NewPCG(13, 13))
	for n := 1; n < 70; n++ {
		in := make([]float32, n)
		for i := range in {
			in[i] = r.Float32() * 1000
			if r.IntN(5) == 0 {
				in[i] = special[r.IntN(len(special))]
			}
		}
		want, got := make([]float32, n+1), make([]float32, n+1)
		want[n], got[n] = 42, 42
		sqrtF32SIMD = nil
		UnaryF32(OpSqrt, in, want[:n], 0)
		sqrtF32SIMD = simd
		UnaryF32(OpSqrt, in, got[:n], 0)
		for i := range want {
			w, g := want[i], got[i]
			if math.Float32bits(w) != math.Float32bits(g) && !(w != w && g != g) {
				t.Fatalf("n %d: sqrt(%g) = %g, generic %g", n, in[min(i, n-1)], g, w)
			}
		}
	}
}
