package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// gemmShapes are random matrix product shapes, with sizes below, at and
// past the tiles (rows by qRows, 8 or f32Rows, channels by gemmNR
// and pairs of panels, K by 4).
func gemmShapes(r *rand.Rand) [][3]int {
	shapes := [][3]int{{1, 1, 1}, {4, 8, 4}, {6, 8, 8}, {7, 9, 5}, {13, 17, 27}, {3, 64, 144}, {25, 40, 301},
		{8, 16, 4}, {9, 24, 3}, {17, 48, 64}, {33, 72, 200}, {16, 32, 960}}
	for range 40 {
		shapes = append(shapes, [3]int{1 + r.IntN(15), 1 + r.IntN(40), 1 + r.IntN(90)})
	}
	return shapes
}

// TestQVariants runs every 8-bit variant available on this CPU against the
// generic kernels, which must agree bit for bit: both activation types,
// per-channel and per-tensor weight zero points, strides past K and inputs
// that end right after the last row's K values.
func TestQVariants(t *testing.T) {
	if len(qVariants) == 0 {
		t.Logf("no 8-bit SIMD variant on this CPU or build; the generic kernels run alone")
	}
	for _, v := range qVariants {
		t.Run(v.name, func(t *testing.T) {
			testQVariant[int8, int8](t, v, -128, 127, false)
			testQVariant[uint8, uint8](t, v, 0, 255, false)
			testQVariant[uint8, uint8](t, v, 0, 255, true)
		})
	}
}

func testQVariant[T Quant8, W Quant8](t *testing.T, v *qVariant, qmin, qmax int32, perTensor bool) {
	r := rand.New(rand.NewPCG(uint64(qmin+200), uint64(len(v.name))))
	for _, sh := range gemmShapes(r) {
		m, n, k := sh[0], sh[1], sh[2]
		lda := k + r.IntN(3)*r.IntN(5)
		name := fmt.Sprintf("%T/%dx%dx%d/lda=%d/perTensor=%v", *new(T), m, n, k, lda, perTensor)
		a := randQ[T](r, (m-1)*lda+k, qmin, qmax)
		w := randQ[W](r, n*k, qmin, qmax)
		zp := []int32{0}
		if perTensor || qmin == 0 {
			zp[0] = qmin + r.Int32N(qmax-qmin+1)
		}
		if !perTensor {
			zp = make([]int32, n)
			for i := range zp {
				if qmin == 0 {
					zp[i] = r.Int32N(256)
				}
			}
		}
		rq := NewRequant(n, 0.02+r.Float32()/50, []float32{0.01 + r.Float32()/100}, 0.05+r.Float32(), qmin+r.Int32N(qmax-qmin+1), qmin, qmax)
		if !checkGemmQVariant(t, r, name, v, a, lda, m, w, n, k, zp, rq, randI32(r, n, 5000), qmin+r.Int32N(qmax-qmin+1)) {
			// Only 8-bit layouts may refuse, and only weights that do not fit.
			if fits8(PackQ(w, n, k, zp), v) {
				t.Fatalf("%s: %s refused weights that fit int8", name, v.name)
			}
			continue
		}
	}
}

// fits8 reports whether every packed weight of p is an int8 (not -128
// for a symmetric layout of v).
func fits8(p *PackedQ, v *qVariant) bool {
	lo := int16(-128)
	if v.symmetric {
		lo = -127
	}
	for _, w := range p.data {
		if w < lo || w > 127 {
			return false
		}
	}
	return true
}

func randI32(r *rand.Rand, n int, lim int32) []int32 {
	s := make([]int32, n)
	for i := range s {
		s[i] = r.Int32N(2*lim+1) - lim
	}
	return s
}

// TestF32Variants runs every float32 variant available on this CPU against
// the generic kernels; they may differ only by rounding (fused
// multiply-adds, summation order).
func TestF32Variants(t *testing.T) {
	if len(f32Variants) == 0 {
		t.Logf("no float32 SIMD variant on this CPU or build; the generic kernels run alone")
	}
	for _, v := range f32Variants {
		t.Run(v.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(7, uint64(len(v.name))))
			for _, sh := range gemmShapes(r) {
				m, n, k := sh[0], sh[1], sh[2]
				lda := k + r.IntN(3)*r.IntN(5)
				a, w, bias := randF32(r, (m-1)*lda+k), randF32(r, n*k), randF32(r, n)
				ref, got := PackF32(w, n, k, bias), PackF32(w, n, k, bias)
				ref.simd, got.simd = nil, v
				lo, hi := float32(-1.5), float32(2)
				want, out := make([]float32, m*n), make([]float32, m*n)
				p0 := r.IntN(panels(n))
				GemmF32(a, lda, m, ref, p0, panels(n), want, n, lo, hi)
				GemmF32(a, lda, m, got, p0, panels(n), out, n, lo, hi)
				for i := range want {
					// Bound the rounding by the magnitudes summed.
					var mag float64
					row, ch := i/n, i%n
					for j := range k {
						mag += math.Abs(float64(a[row*lda+j] * w[ch*k+j]))
					}
					if d := math.Abs(float64(want[i] - out[i])); d > 1e-6*(mag+1)*float64(k) {
						t.Fatalf("%dx%dx%d: %s output %d = %g, generic %g", m, n, k, v.name, i, out[i], want[i])
					}
				}
			}
		})
	}
}

// dwCases are depthwise geometries for the variant tests: channel counts
// with and without a 32-channel block, an 8-channel rest and a tail past
// the last multiple of 8, 3×3 and 5×5
// windows, strides and dilation, borders and windows wider than the input.
var dwCases = []convCase{
	{"3x3-c8", 1, 6, 7, 8, 8, 3, 3, 1, 1, 1, 1, true},
	{"3x3-c40", 1, 9, 8, 40, 40, 3, 3, 1, 1, 1, 1, true},
	{"3x3-s2-c72", 2, 11, 9, 72, 72, 3, 3, 2, 2, 1, 1, true},
	{"3x3-valid-c32", 1, 7, 7, 32, 32, 3, 3, 1, 1, 1, 1, false},
	{"5x5-c24", 1, 10, 11, 24, 24, 5, 5, 1, 1, 1, 1, true},
	{"5x5-s2-c64", 1, 12, 13, 64, 64, 5, 5, 2, 2, 1, 1, true},
	{"3x3-d2-c16", 1, 10, 9, 16, 16, 3, 3, 1, 1, 2, 2, true},
	{"5x5-tiny-c8", 1, 2, 3, 8, 8, 5, 5, 1, 1, 1, 1, true},
	{"3x3-s2-odd-c48", 1, 7, 6, 48, 48, 3, 3, 2, 2, 1, 1, true},
	{"3x3-c42", 1, 6, 5, 42, 42, 3, 3, 1, 1, 1, 1, true},
	{"5x5-s2-c13", 1, 9, 8, 13, 13, 5, 5, 2, 2, 1, 1, true},
	// Rows long enough for runs of pixels inside the input, with 64- and
	// 16-channel blocks and an 8-channel rest.
	{"3x3-wide-c88", 1, 5, 21, 88, 88, 3, 3, 1, 1, 1, 1, true},
	{"3x3-s2-wide-c144", 2, 6, 23, 144, 144, 3, 3, 2, 2, 1, 1, true},
	{"5x5-d2-wide-c24", 1, 9, 19, 24, 24, 5, 5, 1, 1, 2, 2, true},
	{"3x3-valid-wide-c16", 1, 4, 17, 16, 16, 3, 3, 1, 1, 1, 1, false},
}

// TestDWVariants runs every depthwise variant available on this CPU
// against the generic kernels: bit for bit for 8-bit (both activation
// types, per-channel and per-tensor weight zero points), within rounding
// for float32.
func TestDWVariants(t *testing.T) {
	if len(dwVariants) == 0 {
		t.Logf("no depthwise SIMD variant on this CPU or build; the generic kernels run alone")
	}
	for _, v := range dwVariants {
		for _, tc := range dwCases {
			t.Run(v.name+"/"+tc.name, func(t *testing.T) {
				r := rand.New(rand.NewPCG(3, uint64(tc.inC)))
				s := tc.shape(tc.inC)
				in := randF32(r, s.Batches*s.InH*s.InW*s.InC)
				ref := NewDepthwiseF32(s, 1, randF32(r, s.KH*s.KW*s.OutC), randF32(r, s.OutC), -0.5, 1.5)
				got := *ref
				ref.useDW(nil)
				got.useDW(v)
				if got.simd == nil {
					t.Fatalf("%s does not take %s", v.name, tc.name)
				}
				want, out := make([]float32, s.Pixels()*s.OutC), make([]float32, s.Pixels()*s.OutC)
				ref.Run(in, want, 0, ref.Rows())
				got.Run(in, out, 0, got.Rows())
				for i := range want {
					if d := math.Abs(float64(want[i] - out[i])); d > 1e-5 {
						t.Fatalf("float32 output %d = %g, generic %g", i, out[i], want[i])
					}
				}
				for _, q := range int8Quant {
					testDWVariantQ[int8, int8](t, v, r, s, q, -128, 127)
				}
				for _, q := range uint8Quant {
					testDWVariantQ[uint8, uint8](t, v, r, s, q, 0, 255)
				}
			})
		}
	}
}

func testDWVariantQ[T, W Quant8](t *testing.T, v *dwVariant, r *rand.Rand, s ConvShape, q quantCase, qmin, qmax int32) {
	w, wzp, bias, rq := quantSetup[W](r, q, s.OutC, s.KH*s.KW, ActRelu6, qmin, qmax)
	in := randQ[T](r, s.Batches*s.InH*s.InW*s.InC, qmin, qmax)
	ref := NewDepthwiseQ[T](s, 1, w, wzp, bias, q.inZP, rq)
	got := *ref
	ref.useDW(nil)
	got.useDW(v)
	want, out := make([]T, s.Pixels()*s.OutC), make([]T, s.Pixels()*s.OutC)
	acc := make([]int32, ref.ScratchLen())
	ref.Run(in, want, acc, 0, ref.Rows())
	got.Run(in, out, acc, 0, got.Rows())
	for i := range want {
		if want[i] != out[i] {
			t.Fatalf("%s: output %d (pixel %d, channel %d) = %d, generic %d", q.name, i, i/s.OutC, i%s.OutC, out[i], want[i])
		}
	}
}

func TestVariantsNames(t *testing.T) {
	got := Variants()
	for kind, n := range map[string]int{"int8": len(qVariants), "float32": len(f32Variants), "depthwise": len(dwVariants)} {
		if len(got[kind]) != n {
			t.Errorf("Variants()[%q] = %v, want %d names", kind, got[kind], n)
		}
	}
}

func ExampleVariants() {
	for _, kind := range []string{"int8", "float32", "depthwise"} {
		names := Variants()[kind]
		if len(names) == 0 {
			names = []string{"generic"}
		}
		fmt.Printf("%s: %s\n", kind, strings.Join(names, ", "))
	}
}

// checkGemmQVariant packs w (n×k, zero points zp) for the generic kernels
// and for v, folds bias and the input zero point inZP into rq, runs GemmQ
// with both on the m rows of a (stride lda) over a random range of panels,
// and fails on the first output that differs. It returns false, having
// run nothing, when v refuses the weights.
func checkGemmQVariant[T, W Quant8](t *testing.T, r *rand.Rand, name string, v *qVariant, a []T, lda, m int, w []W, n, k int, zp []int32, rq *Requant, bias []int32, inZP int32) bool {
	t.Helper()
	ref, got := PackQ(w, n, k, zp), PackQ(w, n, k, zp)
	ref.FoldBias(rq, bias, inZP)
	ref.useQVariant(nil)
	if !got.useQVariant(v) {
		return false
	}
	want, out := make([]T, m*n), make([]T, m*n)
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
	return true
}
