package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestAddChannelPadF32 checks the channel-padded ADD against what it
// replaces, PadConst of b's channels followed by BinaryF32: the same values
// (NaNs as NaNs; the clamp of a zero may keep or drop its sign, as the SIMD
// and generic BinaryF32 differ there), with the SIMD kernels of this CPU
// and with the generic loops, on whole and partial pixel ranges.
func TestAddChannelPadF32(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 5))
	inf := float32(math.Inf(1))
	for _, tc := range []struct{ pixels, c, cb int }{
		{1, 2, 1}, {5, 8, 4}, {7, 28, 24}, {9, 32, 16}, {3, 48, 17}, {4, 64, 40}, {6, 20, 19}, {3, 33, 1}, {2, 160, 128},
	} {
		for _, act := range [][2]float32{{-inf, inf}, {0, inf}, {0, 6}} {
			name := fmt.Sprintf("%dx%d<-%d clamp %g..%g", tc.pixels, tc.c, tc.cb, act[0], act[1])
			vals := func(k int) []float32 {
				v := make([]float32, k)
				for j := range v {
					v[j] = (r.Float32() - 0.5) * 10
					if r.IntN(12) == 0 {
						v[j] = []float32{float32(math.NaN()), inf, -inf, float32(math.Copysign(0, -1))}[r.IntN(4)]
					}
				}
				return v
			}
			a, b := vals(tc.pixels*tc.c), vals(tc.pixels*tc.cb)
			padded := make([]float32, len(a))
			PadConst(b, padded, []int{tc.pixels, tc.cb}, []int{tc.pixels, tc.c}, []int{0, 0}, 0)
			p, err := NewBroadcast([]int{len(a)}, []int{len(a)}, []int{len(a)})
			if err != nil {
				t.Fatal(err)
			}
			simd, chanSIMD := binF32SIMD, addChanPadSIMD
			for _, generic := range []bool{false, true} {
				if generic {
					binF32SIMD, addChanPadSIMD = nil, nil
				}
				// The reference runs in the same mode: the SIMD clamp and
				// Go's max may differ on the sign of a zero.
				want := make([]float32, len(a))
				BinaryF32(OpAdd, a, padded, want, &p, 0, len(a), act[0], act[1])
				got := make([]float32, len(a)+1)
				got[len(a)] = 42 // must stay untouched
				mid := tc.pixels / 2
				AddChannelPadF32(a, b, got, tc.c, tc.cb, 0, mid, act[0], act[1])
				AddChannelPadF32(a, b, got, tc.c, tc.cb, mid, tc.pixels, act[0], act[1])
				binF32SIMD, addChanPadSIMD = simd, chanSIMD
				if got[len(a)] != 42 {
					t.Fatalf("%s (generic %v): wrote past the output", name, generic)
				}
				for j, w := range want {
					g := got[j]
					if w != g && !(w != w && g != g) {
						t.Fatalf("%s (generic %v): output %d = %g, want %g", name, generic, j, g, w)
					}
				}
			}
		}
	}
}
