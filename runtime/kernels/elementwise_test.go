package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestBinaryF32SIMD runs the SIMD float ADD, SUB and MUL of this CPU (if
// any) against the generic loops: same shapes and one-value operands on
// either side, with and without a clamp, NaN and infinities among the
// values. Sums, products and quotients are exact IEEE operations either way, so the
// results must agree bit for bit (NaNs as NaNs).
func TestBinaryF32SIMD(t *testing.T) {
	if binF32SIMD == nil {
		t.Skip("no SIMD float ADD on this CPU or build; the generic loops run alone")
	}
	r := rand.New(rand.NewPCG(11, 11))
	inf := float32(math.Inf(1))
	for i := range 400 {
		n := 1 + i%50
		op := []BinaryOp{OpAdd, OpSub, OpMul, OpDiv}[i%4]
		sa, sb := []int{n}, []int{n}
		switch i % 7 {
		case 1:
			sb = []int{1}
		case 2:
			sa = []int{1}
		}
		lo, hi := -inf, inf
		if i%5 == 0 {
			lo, hi = -1, 6
		}
		p, err := NewBroadcast(sa, sb, []int{n})
		if err != nil {
			t.Fatal(err)
		}
		vals := func(k int) []float32 {
			v := make([]float32, k)
			for j := range v {
				v[j] = (r.Float32() - 0.5) * 10
				if r.IntN(10) == 0 {
					v[j] = []float32{float32(math.NaN()), inf, -inf, 0}[r.IntN(4)]
				}
			}
			return v
		}
		a, b := vals(sa[0]), vals(sb[0])
		want, got := make([]float32, n+1), make([]float32, n+1)
		want[n], got[n] = 42, 42 // must stay untouched
		simd := binF32SIMD
		binF32SIMD = nil
		BinaryF32(op, a, b, want[:n], &p, 0, n, lo, hi)
		binF32SIMD = simd
		BinaryF32(op, a, b, got[:n], &p, 0, n, lo, hi)
		for j := range want {
			w, g := want[j], got[j]
			if math.Float32bits(w) != math.Float32bits(g) && !(w != w && g != g) {
				t.Fatalf("case %d (op %d, shapes %v %v, clamp [%g, %g]): output %d = %g, generic %g", i, op, sa, sb, lo, hi, j, g, w)
			}
		}
	}
}
