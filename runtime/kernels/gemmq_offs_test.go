package kernels

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// qEdgeCase is a matrix product whose weights and activations take the
// extreme values of their type, which no zero point brings within int8:
// the VNNI layout stores such channels with offsets and corrects the sums
// with the row sums of the activations.
type qEdgeCase struct {
	name string
	// zp returns the zero point of channel c of n.
	zp func(r *rand.Rand, c int) int32
	// w and a return a weight and an activation value.
	w, a func(r *rand.Rand) int32
}

func valOf(vs ...int32) func(r *rand.Rand) int32 {
	return func(r *rand.Rand) int32 { return vs[r.IntN(len(vs))] }
}

func valRange(lo, hi int32) func(r *rand.Rand) int32 {
	return func(r *rand.Rand) int32 { return lo + r.Int32N(hi-lo+1) }
}

func zpOf(vs ...int32) func(r *rand.Rand, c int) int32 {
	return func(r *rand.Rand, c int) int32 { return vs[r.IntN(len(vs))] }
}

// qEdgeShapes have K not a multiple of 4 (and past 64, the row sums'
// step), odd N, partial panels and rows past the kernels' blocks of 4
// and 8, and more rows than one chunk of row sums (qChunk).
var qEdgeShapes = [][3]int{{1, 1, 1}, {5, 3, 7}, {9, 17, 13}, {16, 32, 64}, {3, 24, 5}, {33, 41, 130}, {131, 16, 9}, {260, 9, 3}}

// TestQVariantsEdges runs every 8-bit variant on weights and activations
// at the ends of their range against the generic kernels, bit for bit:
// uint8 weights 0 and 255 with zero points 0, 255 and between, uint8 and
// int8 activations at their ends, int8 weights with a zero point far from
// 0. A variant may refuse weights that do not fit its layout, except
// avx512vnni, which stores them with offsets.
func TestQVariantsEdges(t *testing.T) {
	u8 := []qEdgeCase{
		{"w255_zp0", zpOf(0), valOf(255), valRange(0, 255)},
		{"w0_zp255", zpOf(255), valOf(0), valRange(0, 255)},
		{"w0or255_zp0or255", zpOf(0, 255), valOf(0, 255), valOf(0, 255)},
		{"wrand_zprand_a0", func(r *rand.Rand, c int) int32 { return r.Int32N(256) }, valRange(0, 255), valOf(0)},
		{"wrand_zprand_a255", func(r *rand.Rand, c int) int32 { return r.Int32N(256) }, valRange(0, 255), valOf(255)},
		{"w0or255_zp128", zpOf(128), valOf(0, 255), valOf(0, 255)},
		{"wrand_zpmix", zpOf(0, 3, 127, 128, 200, 255), valRange(0, 255), valRange(0, 255)},
	}
	i8 := []qEdgeCase{
		{"w127_zpm128", zpOf(-128), valOf(127), valRange(-128, 127)},
		{"wm128_zp127", zpOf(127), valOf(-128), valOf(-128, 127)},
		{"wrand_zprand", func(r *rand.Rand, c int) int32 { return r.Int32N(256) - 128 }, valRange(-128, 127), valOf(-128, 127)},
	}
	for _, v := range qVariants {
		t.Run(v.name, func(t *testing.T) {
			for _, perTensor := range []bool{false, true} {
				for _, tc := range u8 {
					testQEdge[uint8, uint8](t, v, tc, perTensor)
					testQEdge[int8, uint8](t, v, tc, perTensor)
				}
				for _, tc := range i8 {
					testQEdge[int8, int8](t, v, tc, perTensor)
					testQEdge[uint8, int8](t, v, tc, perTensor)
				}
			}
		})
	}
}

func testQEdge[T Quant8, W Quant8](t *testing.T, v *qVariant, tc qEdgeCase, perTensor bool) {
	r := rand.New(rand.NewPCG(uint64(len(tc.name)), uint64(len(v.name))))
	amin, amax := int32(0), int32(255)
	if isSigned(T(0)) {
		amin, amax = -128, 127
	}
	for _, sh := range qEdgeShapes {
		m, n, k := sh[0], sh[1], sh[2]
		lda := k + r.IntN(3)*r.IntN(5)
		name := fmt.Sprintf("%s/%T×%T/%dx%dx%d/lda=%d/perTensor=%v", tc.name, *new(T), *new(W), m, n, k, lda, perTensor)
		zp := make([]int32, n)
		for c := range zp {
			zp[c] = tc.zp(r, c)
			if perTensor {
				zp[c] = zp[0]
			}
		}
		w := make([]W, n*k)
		for i := range w {
			w[i] = W(tc.w(r))
		}
		if perTensor {
			zp = zp[:1]
		}
		a := make([]T, (m-1)*lda+k)
		for i := range a {
			// The case's activations are of the weights' type;
			// those of the other type take the same ends of
			// their range.
			x := tc.a(r)
			switch {
			case isSigned(T(0)) && !isSigned(W(0)):
				x -= 128
			case !isSigned(T(0)) && isSigned(W(0)):
				x += 128
			}
			a[i] = T(x)
		}
		// Sums reach 255·255·k: scale them into the output range.
		outScale := float32(255*255*k) / 400
		rq := NewRequant(n, 1, chanScales(r, n, 0.5, 1.5), outScale, amin+r.Int32N(amax-amin+1), amin, amax)
		if !checkGemmQVariant(t, r, name, v, a, lda, m, w, n, k, zp, rq, randI32(r, n, 255*255), amin+r.Int32N(amax-amin+1)) {
			if v.name == "avx512vnni" {
				t.Fatalf("%s: %s refused weights", name, v.name)
			}
			continue
		}
	}
}

// TestSumRows checks sumRows (AVX-512 on amd64 CPUs that have it) against
// the generic loop: lengths around the 64-byte step, strides past K, both
// kinds of activations.
func TestSumRows(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, k := range []int{1, 3, 8, 63, 64, 65, 127, 128, 200, 1000} {
		for _, signed := range []bool{false, true} {
			rows := 1 + r.IntN(20)
			lda := k + r.IntN(5)
			a := make([]byte, (rows-1)*lda+k)
			for i := range a {
				a[i] = byte(r.IntN(256))
				if i%7 == 0 {
					a[i] = 255
				}
			}
			want, got := make([]int32, rows), make([]int32, rows)
			sumRowsGeneric(a, lda, rows, k, signed, want)
			sumRows(a, lda, rows, k, signed, got)
			for i := range want {
				if want[i] != got[i] {
					t.Fatalf("k=%d signed=%v row %d: sum %d, generic %d", k, signed, i, got[i], want[i])
				}
			}
		}
	}
}

// TestGemmQOffsetsAllocateNothing checks that the row sums of weights
// stored with offsets stay off the heap.
func TestGemmQOffsetsAllocateNothing(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	m, n, k := 40, 24, 50
	w := randQ[uint8](r, n*k, 0, 255)
	a := randQ[uint8](r, m*k, 0, 255)
	p := PackQ(w, n, k, []int32{3})
	rq := NewRequant(n, 1, []float32{1}, 1000, 0, 0, 255)
	p.FoldBias(rq, nil, 7)
	out := make([]uint8, m*n)
	if allocs := testing.AllocsPerRun(20, func() { GemmQ(a, k, m, p, rq, 0, panels(n), out, n) }); allocs != 0 {
		t.Errorf("GemmQ (offsets %v) allocates %v times", p.offs != nil, allocs)
	}
}

// TestQVariantsFlipped runs the variants that take int8 activations
// already turned into uint8 (gemmQFlipped, as ConvQ calls it) against the
// generic kernels on the activations as they were: random and edge weights,
// per-tensor zero points far from 0 (so that the weights take offsets and
// the row sums are of the turned bytes), every panel range.
func TestQVariantsFlipped(t *testing.T) {
	for _, v := range qVariants {
		if !v.flipped {
			continue
		}
		t.Run(v.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(13, 14))
			shapes := append(gemmShapes(r), qEdgeShapes...)
			for i, sh := range shapes {
				m, n, k := sh[0], sh[1], sh[2]
				lda := k + r.IntN(3)*r.IntN(5)
				zp := []int32{0}
				switch i % 3 {
				case 1:
					zp[0] = -128 + r.Int32N(256)
				case 2:
					zp[0] = 127
				}
				name := fmt.Sprintf("%dx%dx%d/lda=%d/zp=%d", m, n, k, lda, zp[0])
				w := randQ[int8](r, n*k, -128, 127)
				a := randQ[int8](r, (m-1)*lda+k, -128, 127)
				rq := NewRequant(n, 0.02+r.Float32()/50, chanScales(r, n, 0.01, 0.02), 0.05+r.Float32(), -128+r.Int32N(256), -128, 127)
				ref, got := PackQ(w, n, k, zp), PackQ(w, n, k, zp)
				ref.FoldBias(rq, randI32(r, n, 5000), -128+r.Int32N(256))
				ref.useQVariant(nil)
				if !got.useQVariant(v) || !got.takesFlipped() {
					t.Fatalf("%s: %s does not take the weights", name, v.name)
				}
				turned := make([]byte, len(a)+3)
				flipBytes(turned, asBytes(a))
				want, out := make([]int8, m*n), make([]int8, m*n)
				p0, p1 := 0, panels(n)
				if p1 > 1 {
					p0 = r.IntN(p1)
				}
				GemmQ(a, lda, m, ref, rq, p0, p1, want, n)
				gemmQFlipped(turned, lda, m, got, rq, p0, p1, out, n)
				for i := range want {
					if want[i] != out[i] {
						t.Fatalf("%s: %s output %d (row %d, channel %d) = %d, generic %d", name, v.name, i, i/n, i%n, out[i], want[i])
					}
				}
			}
		})
	}
}

// TestFlipBytes checks flipBytes against the generic loop, in place and
// not, on lengths around its 64-byte step.
func TestFlipBytes(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 16))
	for _, n := range []int{0, 1, 7, 63, 64, 65, 130, 1000} {
		src := randQ[uint8](r, n, 0, 255)
		want, got := make([]byte, n), make([]byte, n+5)
		flipBytesGeneric(want, src)
		flipBytes(got, src)
		if !slices.Equal(got[:n], want) || !slices.Equal(got[n:], make([]byte, 5)) {
			t.Fatalf("n=%d: flipBytes = %v, generic %v", n, got, want)
		}
		flipBytes(src, src)
		if !slices.Equal(src, want) {
			t.Fatalf("n=%d: flipBytes in place = %v, generic %v", n, src, want)
		}
	}
}

// chanScales returns n per-channel weight scales in [lo, hi), so that a
// kernel that mixes up channels' requantization shows.
func chanScales(r *rand.Rand, n int, lo, hi float32) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = lo + (hi-lo)*r.Float32()
	}
	return s
}
