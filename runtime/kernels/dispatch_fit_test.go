package kernels

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestQVariantsSymmetric runs every 8-bit variant on weights that lie
// within 127 of their zero point, as TFLite's int8 weights do, so that w'
// fits every 8-bit layout (I8MM, SDOT, VNNI, SMULL) and none falls back:
// int8 activations with int8 weights, and uint8 activations (which the
// kernels flip to int8 or multiply unsigned by signed) with uint8
// weights. TestQVariants's weights span the whole range, so most of its
// larger cases fall back to the int16 layouts.
func TestQVariantsSymmetric(t *testing.T) {
	for _, v := range qVariants {
		t.Run(v.name, func(t *testing.T) {
			for _, perTensor := range []bool{false, true} {
				testQVariantSymmetric[int8, int8](t, v, -128, 127, perTensor)
				testQVariantSymmetric[uint8, uint8](t, v, 0, 255, perTensor)
			}
		})
	}
}

func testQVariantSymmetric[T Quant8, W Quant8](t *testing.T, v *qVariant, qmin, qmax int32, perTensor bool) {
	r := rand.New(rand.NewPCG(11, uint64(int(qmin)+len(v.name))))
	for _, sh := range gemmShapes(r) {
		m, n, k := sh[0], sh[1], sh[2]
		lda := k + r.IntN(3)*r.IntN(5)
		name := fmt.Sprintf("%T/%dx%dx%d/lda=%d/perTensor=%v", *new(T), m, n, k, lda, perTensor)
		zp := make([]int32, n)
		for i := range zp {
			if qmin == 0 {
				zp[i] = r.Int32N(256)
			}
			if perTensor {
				zp[i] = zp[0]
			}
		}
		w := make([]W, n*k)
		for c := range n {
			lo, hi := max(zp[c]-127, qmin), min(zp[c]+127, qmax)
			for i := range k {
				w[c*k+i] = W(lo + r.Int32N(hi-lo+1))
			}
		}
		if perTensor {
			zp = zp[:1]
		}
		a := randQ[T](r, (m-1)*lda+k, qmin, qmax)
		rq := NewRequant(n, 0.02+r.Float32()/50, []float32{0.01 + r.Float32()/100}, 0.05+r.Float32(), qmin+r.Int32N(qmax-qmin+1), qmin, qmax)
		if !checkGemmQVariant(t, r, name, v, a, lda, m, w, n, k, zp, rq, randI32(r, n, 5000), qmin+r.Int32N(qmax-qmin+1)) {
			t.Fatalf("%s: %s refused weights within 127 of their zero point", name, v.name)
		}
	}
}
