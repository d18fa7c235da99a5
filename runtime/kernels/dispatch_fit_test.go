package kernels

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestQVariantsUint8Fit runs every 8-bit variant on uint8 activations
// with uint8 weights that lie within 127 of their zero point, so that
// w' fits int8 and the 8-bit layouts (SDOT, I8MM, VNNI) take them: the
// path of uint8 models whose activations the kernels flip to int8 or
// multiply unsigned by signed. TestQVariants's uint8 weights span the
// whole range and mostly fall back to the int16 layouts.
func TestQVariantsUint8Fit(t *testing.T) {
	for _, v := range qVariants {
		t.Run(v.name, func(t *testing.T) {
			for _, perTensor := range []bool{false, true} {
				r := rand.New(rand.NewPCG(11, uint64(len(v.name))))
				for _, sh := range gemmShapes(r) {
					m, n, k := sh[0], sh[1], sh[2]
					lda := k + r.IntN(3)*r.IntN(5)
					name := fmt.Sprintf("%dx%dx%d/lda=%d/perTensor=%v", m, n, k, lda, perTensor)
					zp := make([]int32, n)
					for i := range zp {
						zp[i] = r.Int32N(256)
						if perTensor {
							zp[i] = zp[0]
						}
					}
					w := make([]uint8, n*k)
					for c := range n {
						lo, hi := max(zp[c]-128, 0), min(zp[c]+127, 255)
						for i := range k {
							w[c*k+i] = uint8(lo + r.Int32N(hi-lo+1))
						}
					}
					if perTensor {
						zp = zp[:1]
					}
					a := randQ[uint8](r, (m-1)*lda+k, 0, 255)
					rq := NewRequant(n, 0.02+r.Float32()/50, []float32{0.01 + r.Float32()/100}, 0.05+r.Float32(), r.Int32N(256), 0, 255)
					ref, got := PackQ(w, n, k, zp), PackQ(w, n, k, zp)
					ref.FoldBias(rq, randI32(r, n, 5000), r.Int32N(256))
					ref.useQVariant(nil)
					if !got.useQVariant(v) {
						if fits8(got) {
							t.Fatalf("%s: %s refused weights that fit int8", name, v.name)
						}
						continue
					}
					want, out := make([]uint8, m*n), make([]uint8, m*n)
					p0, p1 := 0, panels(n)
					if p1 > 1 {
						p0 = r.IntN(p1)
					}
					GemmQ(a, lda, m, ref, rq, p0, p1, want, n)
					GemmQ(a, lda, m, got, rq, p0, p1, out, n)
					for i := range want {
						if want[i] != out[i] {
							t.Fatalf("%s: %s output %d (row %d, channel %d) = %d, generic %d", name, v.name, i, i/n, i%n, out[i], want[i])
						}
					}
				}
			}
		})
	}
}
