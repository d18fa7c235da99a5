package kernels

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// transposeCases are transposed convolution geometries: In* is the input,
// Out* the output (In·stride, as SAME gives).
var transposeCases = []struct {
	name                      string
	batches, inH, inW, inC    int
	outC, kh, kw, sh, sw, pad int
}{
	{"s2-k3", 1, 5, 6, 4, 6, 3, 3, 2, 2, 1},
	{"s2-k4-batches", 2, 4, 5, 3, 9, 4, 4, 2, 2, 1},
	{"s1-k3", 1, 6, 5, 8, 17, 3, 3, 1, 1, 1},
	{"s3x2-k2", 1, 3, 4, 5, 3, 2, 2, 3, 2, 0},
	{"deep", 1, 3, 3, 1200, 8, 3, 3, 2, 2, 1},
}

func transposeGeometry(i int) ConvShape {
	c := transposeCases[i]
	return ConvShape{Batches: c.batches, InH: c.inH, InW: c.inW, InC: c.inC,
		OutH: c.inH * c.sh, OutW: c.inW * c.sw, OutC: c.outC, KH: c.kh, KW: c.kw,
		StrideH: c.sh, StrideW: c.sw, DilH: 1, DilW: 1, PadTop: c.pad, PadLeft: c.pad}
}

// TestTransposeConvQPaths checks the float32 SIMD path of the 8-bit
// transposed convolution, where it is taken, against the int32 one,
// bit for bit, on every row split; "deep" has sums too large for it.
func TestTransposeConvQPaths(t *testing.T) {
	for i, c := range transposeCases {
		t.Run(c.name, func(t *testing.T) {
			s := transposeGeometry(i)
			r := rand.New(rand.NewPCG(uint64(i), 3))
			in := make([]int8, s.Batches*s.InH*s.InW*s.InC)
			for j := range in {
				in[j] = int8(r.IntN(256) - 128)
			}
			w := make([]int8, s.OutC*s.KH*s.KW*s.InC)
			for j := range w {
				w[j] = int8(r.IntN(255) - 127)
			}
			bias := make([]int32, s.OutC)
			for j := range bias {
				bias[j] = int32(r.IntN(2001) - 1000)
			}
			rq := NewRequant(s.OutC, 0.05, []float32{0.01}, float32(s.KH*s.KW*s.InC)/40, 3, -128, 127)
			tc := NewTransposeConvQ[int8](s, w, []int32{0}, bias, -5, rq)
			if (tc.F == nil) != (c.name == "deep") {
				t.Fatalf("float path taken: %v", tc.F != nil)
			}
			ref := *tc
			ref.F = nil
			run := func(k *TransposeConvQ[int8], parts int) []int8 {
				out := make([]int8, s.Batches*s.OutH*s.OutW*s.OutC)
				rows := k.Rows()
				for p := range parts {
					r0, r1 := Split(rows, parts, p, 1)
					k.Run(in, out, make([]int32, k.ScratchLen(r1-r0)), make([]float32, k.ScratchF32Len()), r0, r1)
				}
				return out
			}
			want := run(&ref, 1)
			if slices.Equal(want, make([]int8, len(want))) {
				t.Fatal("all outputs zero: the test checks nothing")
			}
			for _, k := range []*TransposeConvQ[int8]{tc, tc.Generic()} {
				for _, parts := range []int{1, 3} {
					if got := run(k, parts); !slices.Equal(got, want) {
						t.Errorf("%d parts: differs from the int32 path", parts)
					}
				}
			}
		})
	}
}

// TestTransposeConvF32Variants checks the SIMD float32 transposed
// convolution against the generic one.
func TestTransposeConvF32Variants(t *testing.T) {
	for i, c := range transposeCases {
		t.Run(c.name, func(t *testing.T) {
			s := transposeGeometry(i)
			r := rand.New(rand.NewPCG(uint64(i), 4))
			rnd := func(n int) []float32 {
				v := make([]float32, n)
				for j := range v {
					v[j] = float32(r.Float64()*2 - 1)
				}
				return v
			}
			in, w, bias := rnd(s.Batches*s.InH*s.InW*s.InC), rnd(s.OutC*s.KH*s.KW*s.InC), rnd(s.OutC)
			tc := NewTransposeConvF32(s, w, bias, -3, 3)
			run := func(k *TransposeConvF32) []float32 {
				out := make([]float32, s.Batches*s.OutH*s.OutW*s.OutC)
				k.Run(in, out, make([]float32, k.ScratchLen()), 0, k.Rows())
				return out
			}
			want, got := run(tc.Generic()), run(tc)
			for j := range want {
				if d := got[j] - want[j]; d > 1e-4 || d < -1e-4 {
					t.Fatalf("element %d: %g, generic %g", j, got[j], want[j])
				}
			}
		})
	}
}

// BenchmarkTransposeConvQ compares the 8-bit transposed convolution's
// float32 SIMD path with its int32 path on a decoder-sized layer.
func BenchmarkTransposeConvQ(b *testing.B) {
	s := ConvShape{Batches: 1, InH: 32, InW: 32, InC: 64, OutH: 64, OutW: 64, OutC: 32, KH: 3, KW: 3,
		StrideH: 2, StrideW: 2, DilH: 1, DilW: 1, PadTop: 0, PadLeft: 0}
	r := rand.New(rand.NewPCG(1, 2))
	in := make([]int8, s.InH*s.InW*s.InC)
	for j := range in {
		in[j] = int8(r.IntN(256) - 128)
	}
	w := make([]int8, s.OutC*s.KH*s.KW*s.InC)
	for j := range w {
		w[j] = int8(r.IntN(255) - 127)
	}
	rq := NewRequant(s.OutC, 0.05, []float32{0.01}, 10, 3, -128, 127)
	tc := NewTransposeConvQ[int8](s, w, []int32{0}, nil, -5, rq)
	ref := *tc
	ref.F = nil
	for _, c := range []struct {
		name string
		k    *TransposeConvQ[int8]
	}{{"float32", tc}, {"int32", &ref}} {
		b.Run(c.name, func(b *testing.B) {
			out := make([]int8, s.OutH*s.OutW*s.OutC)
			scratch, fscratch := make([]int32, c.k.ScratchLen(c.k.Rows())), make([]float32, c.k.ScratchF32Len())
			for b.Loop() {
				c.k.Run(in, out, scratch, fscratch, 0, c.k.Rows())
			}
		})
	}
}
