package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// convCase is one convolution geometry of the table tests.
type convCase struct {
	name                         string
	batches, inH, inW, inC       int
	outC, kh, kw                 int
	strideH, strideW, dilH, dilW int
	same                         bool
}

var convCases = []convCase{
	{"pointwise", 1, 7, 5, 13, 17, 1, 1, 1, 1, 1, 1, true},
	{"pointwise-wide", 1, 4, 4, 40, 64, 1, 1, 1, 1, 1, 1, false},
	{"1x1-stride2", 1, 9, 7, 5, 9, 1, 1, 2, 2, 1, 1, true},
	{"3x3-same", 1, 9, 7, 3, 10, 3, 3, 1, 1, 1, 1, true},
	{"3x3-valid", 2, 8, 9, 4, 8, 3, 3, 1, 1, 1, 1, false},
	{"3x3-stride2-same", 1, 11, 10, 6, 7, 3, 3, 2, 2, 1, 1, true},
	{"3x3-stride2-valid", 1, 11, 10, 6, 7, 3, 3, 2, 2, 1, 1, false},
	{"3x3-dilation2-same", 1, 10, 9, 5, 11, 3, 3, 1, 1, 2, 2, true},
	{"3x3-dilation2-valid", 1, 10, 9, 5, 3, 3, 3, 1, 1, 2, 2, false},
	{"5x3-mixed", 1, 12, 8, 2, 5, 5, 3, 2, 1, 1, 2, true},
	{"5x5-same", 1, 9, 11, 4, 6, 5, 5, 1, 1, 1, 1, true},
	{"1x7-stride2-dilation2", 1, 6, 23, 3, 5, 1, 7, 1, 2, 1, 2, true},
	{"band-many-tiles-rgb", 1, 20, 20, 3, 16, 3, 3, 1, 1, 1, 1, true},
	{"single-pixel", 1, 1, 1, 33, 1, 1, 1, 1, 1, 1, 1, true},
	// The band- cases fit ConvQ's in-place windows (runWindows) on
	// kernels that read them: whole pairs of panels, no column dilation,
	// more than one tap; rows of taps of whole groups of 4 or not.
	{"band-3x3-same", 1, 10, 11, 16, 16, 3, 3, 1, 1, 1, 1, true},
	{"band-3x3-stride2-batches", 2, 9, 10, 8, 32, 3, 3, 2, 2, 1, 1, true},
	{"band-3x3-row-dilation", 1, 10, 9, 4, 48, 3, 3, 1, 1, 2, 1, true},
	{"band-5x5-valid", 1, 9, 11, 4, 16, 5, 5, 1, 1, 1, 1, false},
	{"band-2x4-strides", 1, 13, 17, 2, 64, 2, 4, 3, 2, 1, 1, true},
	{"band-tall", 1, 40, 6, 12, 16, 3, 3, 1, 1, 1, 1, true},
	{"band-3x3-rgb-stride2", 1, 15, 14, 3, 32, 3, 3, 2, 2, 1, 1, true},
	{"band-3x1-gray", 2, 7, 9, 1, 16, 1, 3, 1, 1, 1, 1, true},
	{"band-2x3-odd-row", 1, 8, 8, 7, 48, 2, 3, 1, 2, 1, 1, false},
}

func (c convCase) shape(outC int) ConvShape {
	s := ConvShape{
		Batches: c.batches, InH: c.inH, InW: c.inW, InC: c.inC, OutC: outC,
		KH: c.kh, KW: c.kw, StrideH: c.strideH, StrideW: c.strideW, DilH: c.dilH, DilW: c.dilW,
	}
	s.OutH = OutSize(c.inH, c.kh, c.strideH, c.dilH, c.same)
	s.OutW = OutSize(c.inW, c.kw, c.strideW, c.dilW, c.same)
	s.PadTop = Pad(c.inH, s.OutH, c.kh, c.strideH, c.dilH)
	s.PadLeft = Pad(c.inW, s.OutW, c.kw, c.strideW, c.dilW)
	return s
}

// convRefAcc is the obviously-correct convolution: for output pixel m and
// channel o it returns Σ over the window of (x - inZP)·w[o] (channel i of
// the window, or channel o/mult when depthwise), skipping padding.
func convRefAcc[T, W float32 | int64](s ConvShape, in []T, inZP T, w []W, depthwise bool, m, o int) W {
	ox, oy, b := m%s.OutW, (m/s.OutW)%s.OutH, m/(s.OutW*s.OutH)
	var acc W
	for ky := 0; ky < s.KH; ky++ {
		for kx := 0; kx < s.KW; kx++ {
			iy := oy*s.StrideH - s.PadTop + ky*s.DilH
			ix := ox*s.StrideW - s.PadLeft + kx*s.DilW
			if iy < 0 || iy >= s.InH || ix < 0 || ix >= s.InW {
				continue
			}
			px := in[((b*s.InH+iy)*s.InW+ix)*s.InC:]
			if depthwise {
				acc += W(px[o/(s.OutC/s.InC)]-inZP) * w[(ky*s.KW+kx)*s.OutC+o]
				continue
			}
			for i := 0; i < s.InC; i++ {
				acc += W(px[i]-inZP) * w[((o*s.KH+ky)*s.KW+kx)*s.InC+i]
			}
		}
	}
	return acc
}

func randF32(r *rand.Rand, n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = r.Float32()*2 - 1
	}
	return v
}

var acts = []Activation{ActNone, ActRelu, ActReluN1To1, ActRelu6}

// splits runs f over rows×panels of output as one part, three parts by
// rows and three parts by panels, as the op glue does with 1 and 3 workers.
func splits(t *testing.T, rows, panels int, f func(name string, run func(part func(m0, m1, p0, p1 int)))) {
	t.Helper()
	f("serial", func(part func(m0, m1, p0, p1 int)) { part(0, rows, 0, panels) })
	f("3-by-rows", func(part func(m0, m1, p0, p1 int)) {
		for i := 0; i < 3; i++ {
			m0, m1 := Split(rows, 3, i, GemmRows)
			part(m0, m1, 0, panels)
		}
	})
	f("3-by-panels", func(part func(m0, m1, p0, p1 int)) {
		for i := 0; i < 3; i++ {
			p0, p1 := Split(panels, 3, i, 1)
			part(0, rows, p0, p1)
		}
	})
}

func TestConvF32(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, tc := range convCases {
		for _, act := range acts {
			s := tc.shape(tc.outC)
			in := randF32(r, s.Batches*s.InH*s.InW*s.InC)
			w := randF32(r, s.OutC*s.K())
			bias := randF32(r, s.OutC)
			if act == ActRelu {
				bias = nil
			}
			lo, hi := act.FloatRange()
			want := make([]float32, s.Pixels()*s.OutC)
			for m := 0; m < s.Pixels(); m++ {
				for o := 0; o < s.OutC; o++ {
					v := convRefAcc[float32, float32](s, in, 0, w, false, m, o)
					if bias != nil {
						v += bias[o]
					}
					want[m*s.OutC+o] = min(max(v, lo), hi)
				}
			}
			k := NewConvF32(s, w, bias, lo, hi)
			splits(t, s.Pixels(), k.Panels(), func(name string, run func(func(m0, m1, p0, p1 int))) {
				got := make([]float32, len(want))
				scratch := make([]float32, k.ScratchLen())
				run(func(m0, m1, p0, p1 int) { k.Run(in, got, scratch, m0, m1, p0, p1) })
				t.Run(fmt.Sprintf("%s/act%d/%s", tc.name, act, name), func(t *testing.T) {
					checkF32(t, got, want, 1e-5)
				})
			})
		}
	}
}

// directCases are geometries the direct float32 path takes (window
// columns of stride 1): first layers on 3-channel images, rows longer than
// the kernels' blocks of 8, one, two and three panels with a partial last
// one, borders on every side, window rows wholly in the padding, dilated
// rows and several images.
var directCases = []convCase{
	{"3x3-s2-c3-n8-even", 1, 16, 40, 3, 8, 3, 3, 2, 2, 1, 1, true},
	{"3x3-s2-c3-n24-odd", 1, 17, 37, 3, 24, 3, 3, 2, 2, 1, 1, true},
	{"3x3-s2-c3-n16-valid", 1, 15, 35, 3, 16, 3, 3, 2, 2, 1, 1, false},
	{"5x5-s2-c3-n24", 1, 16, 42, 3, 24, 5, 5, 2, 2, 1, 1, true},
	{"3x3-c3-n13", 2, 7, 27, 3, 13, 3, 3, 1, 1, 1, 1, true},
	{"3x3-dilh2-c4-n20", 1, 12, 30, 4, 20, 3, 3, 1, 1, 2, 1, true},
	{"7x7-s1-c2-n9-short", 1, 3, 19, 2, 9, 7, 7, 1, 1, 1, 1, true},
	{"3x3-c24-n40", 1, 9, 21, 24, 40, 3, 3, 1, 1, 1, 1, true},
	{"1x1-s2-c16-n32", 1, 12, 34, 16, 32, 1, 1, 2, 2, 1, 1, true},
	// K = 5760: tiles of 6 pixels, so a border column takes several.
	{"3x3-c640-n9-tile6", 1, 15, 5, 640, 9, 3, 3, 1, 1, 1, 1, true},
}

// TestConvF32Variants runs every float32 variant on this CPU, and the
// generic kernels, on the convolution geometries against the plain sum.
func TestConvF32Variants(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, v := range append([]*f32Variant{nil}, f32Variants...) {
		name := "generic"
		if v != nil {
			name = v.name
		}
		for _, tc := range append(directCases, convCases...) {
			s := tc.shape(tc.outC)
			in := randF32(r, s.Batches*s.InH*s.InW*s.InC)
			w, bias := randF32(r, s.OutC*s.K()), randF32(r, s.OutC)
			lo, hi := float32(-0.75), float32(1.25)
			want := make([]float32, s.Pixels()*s.OutC)
			for m := 0; m < s.Pixels(); m++ {
				for o := 0; o < s.OutC; o++ {
					want[m*s.OutC+o] = min(max(convRefAcc[float32, float32](s, in, 0, w, false, m, o)+bias[o], lo), hi)
				}
			}
			k := NewConvF32(s, w, bias, lo, hi)
			k.W.simd = v
			splits(t, s.Pixels(), k.Panels(), func(split string, run func(func(m0, m1, p0, p1 int))) {
				got := make([]float32, len(want))
				scratch := make([]float32, k.ScratchLen())
				run(func(m0, m1, p0, p1 int) { k.Run(in, got, scratch, m0, m1, p0, p1) })
				// The reference sums in float32 in another order: its
				// rounding grows about as √K (K = 5760 differs in the
				// fifth digit).
				tol := max(1e-5, 2e-6*math.Sqrt(float64(s.K())))
				t.Run(name+"/"+tc.name+"/"+split, func(t *testing.T) {
					checkF32(t, got, want, tol)
				})
			})
		}
	}
}

func checkF32(t *testing.T, got, want []float32, tol float64) {
	t.Helper()
	for i := range want {
		if d := math.Abs(float64(got[i] - want[i])); d > tol*(1+math.Abs(float64(want[i]))) || math.IsNaN(float64(got[i])) {
			t.Fatalf("element %d = %v, want %v", i, got[i], want[i])
		}
	}
}

// quantCase is one quantization setting of the table tests.
type quantCase struct {
	name       string
	perChannel bool
	inZP, wZP  int32 // wZP applies to uint8 weights only
	outZP      int32
}

var int8Quant = []quantCase{
	{"int8-per-channel", true, -7, 0, 3},
	{"int8-per-tensor", false, 12, 0, -128},
}

var uint8Quant = []quantCase{{"uint8", false, 131, 117, 120}}

// refRequant is the XNNPACK requantization written out plainly.
func refRequant(acc int64, scale float32, zp, qmin, qmax int32) int32 {
	v := float32(acc) * scale
	v = min(max(v, float32(qmin-zp)), float32(qmax-zp))
	return int32(math.RoundToEven(float64(v))) + zp
}

// quantSetup draws weights and scales for n channels over k inputs and
// returns the weights, their zero points, the bias, and the requantization.
func quantSetup[W Quant8](r *rand.Rand, q quantCase, n, k int, act Activation, qmin, qmax int32) (w []W, wzp []int32, bias []int32, rq *Requant) {
	w = make([]W, n*k)
	for i := range w {
		w[i] = W(int32(qmin) + r.Int32N(qmax-qmin+1))
	}
	wzp = []int32{q.wZP}
	ws := []float32{0.01}
	if q.perChannel {
		ws, wzp = make([]float32, n), make([]int32, n)
		for c := range ws {
			ws[c] = 0.005 + 0.01*r.Float32()
		}
	}
	bias = make([]int32, n)
	for i := range bias {
		bias[i] = r.Int32N(20001) - 10000
	}
	const inScale = 0.05
	outScale := float32(inScale * 0.01 * 70 * 70 * math.Sqrt(float64(k)) / 60)
	lo, hi := act.QuantRange(outScale, q.outZP, qmin, qmax)
	return w, wzp, bias, NewRequant(n, inScale, ws, outScale, q.outZP, lo, hi)
}

func randQ[T Quant8](r *rand.Rand, n int, qmin, qmax int32) []T {
	v := make([]T, n)
	for i := range v {
		v[i] = T(qmin + r.Int32N(qmax-qmin+1))
	}
	return v
}

func TestConvQ(t *testing.T) {
	testConvQ[int8](t, int8Quant, -128, 127)
	testConvQ[uint8](t, uint8Quant, 0, 255)
}

func testConvQ[T Quant8](t *testing.T, quants []quantCase, qmin, qmax int32) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, q := range quants {
		for _, tc := range convCases {
			for _, act := range acts {
				s := tc.shape(tc.outC)
				in := randQ[T](r, s.Batches*s.InH*s.InW*s.InC, qmin, qmax)
				w, wzp, bias, rq := quantSetup[T](r, q, s.OutC, s.K(), act, qmin, qmax)
				want := make([]T, s.Pixels()*s.OutC)
				in64 := widen(in)
				w64 := make([]int64, len(w))
				for i, v := range w {
					w64[i] = int64(v) - int64(wzp[min(i/s.K(), len(wzp)-1)])
				}
				qlo, qhi := rq.lo+float32(rq.ZeroPoint), rq.hi+float32(rq.ZeroPoint)
				for m := 0; m < s.Pixels(); m++ {
					for o := 0; o < s.OutC; o++ {
						acc := convRefAcc[int64, int64](s, in64, int64(q.inZP), w64, false, m, o) + int64(bias[o])
						want[m*s.OutC+o] = T(refRequant(acc, rq.Scale[o], rq.ZeroPoint, int32(qlo), int32(qhi)))
					}
				}
				// The generic copy reads the weights as given when the
				// SIMD layout left no generic one.
				k := NewConvQ[T](s, w, wzp, bias, q.inZP, rq)
				for _, k := range []*ConvQ[T]{k, k.Generic()} {
					splits(t, s.Pixels(), k.Panels(), func(name string, run func(func(m0, m1, p0, p1 int))) {
						got := make([]T, len(want))
						scratch := make([]T, k.ScratchLen())
						run(func(m0, m1, p0, p1 int) { k.Run(in, got, scratch, m0, m1, p0, p1) })
						t.Run(fmt.Sprintf("%s/%s/act%d/%s/generic=%v", q.name, tc.name, act, name, k.W.simd == nil), func(t *testing.T) {
							checkQ(t, got, want)
						})
					})
				}
			}
		}
	}
}

// TestConvQBands checks that the band- cases of convCases take
// runWindows where the CPU's kernels read windows, so that TestConvQ
// tests it, and that the others do not.
func TestConvQBands(t *testing.T) {
	for _, tc := range convCases {
		s := tc.shape(tc.outC)
		w := make([]int8, s.OutC*s.K())
		k := NewConvQ[int8](s, w, []int32{0}, nil, 0, NewRequant(s.OutC, 1, []float32{1}, 1, 0, -128, 127))
		if k.W.simd == nil || !k.W.simd.windows {
			t.Skipf("the 8-bit kernels here (%v) do not read windows in place", Variants()["int8"])
		}
		if got, want := k.band > 0, strings.HasPrefix(tc.name, "band-"); got != want {
			t.Errorf("%s: runs in bands = %v, want %v", tc.name, got, want)
		}
	}
}

// TestConvQBandsUint8 runs the band- cases with uint8 activations and
// uint8 weights within 127 of their zero point, which the VNNI layout
// stores without offsets, so that they run in bands (TestConvQ's uint8
// weights span 0 to 255 and take the offsets and im2col), against the
// generic kernels.
func TestConvQBandsUint8(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, tc := range convCases {
		if !strings.HasPrefix(tc.name, "band-") {
			continue
		}
		s := tc.shape(tc.outC)
		in := randQ[uint8](r, s.Batches*s.InH*s.InW*s.InC, 0, 255)
		w := randQ[uint8](r, s.OutC*s.K(), 0, 117+127)
		bias := make([]int32, s.OutC)
		for i := range bias {
			bias[i] = r.Int32N(20001) - 10000
		}
		rq := func() *Requant {
			return NewRequant(s.OutC, 0.05, []float32{0.01}, float32(0.05*0.01*70*70*math.Sqrt(float64(s.K()))/60), 120, -120, 135)
		}
		k := NewConvQ[uint8](s, w, []int32{117}, bias, 131, rq())
		if k.W.simd == nil || !k.W.simd.windows {
			t.Skipf("the 8-bit kernels here (%v) do not read windows in place", Variants()["int8"])
		}
		if k.band == 0 {
			t.Fatalf("%s: does not run in bands", tc.name)
		}
		ref := NewConvQ[uint8](s, w, []int32{117}, bias, 131, rq()).Generic()
		want := make([]uint8, s.Pixels()*s.OutC)
		ref.Run(in, want, make([]uint8, ref.ScratchLen()), 0, s.Pixels(), 0, ref.Panels())
		splits(t, s.Pixels(), k.Panels(), func(name string, run func(func(m0, m1, p0, p1 int))) {
			got := make([]uint8, len(want))
			scratch := make([]uint8, k.ScratchLen())
			run(func(m0, m1, p0, p1 int) { k.Run(in, got, scratch, m0, m1, p0, p1) })
			t.Run(tc.name+"/"+name, func(t *testing.T) { checkQ(t, got, want) })
		})
	}
}

func widen[T Quant8](v []T) []int64 {
	out := make([]int64, len(v))
	for i, x := range v {
		out[i] = int64(x)
	}
	return out
}

func checkQ[T Quant8](t *testing.T, got, want []T) {
	t.Helper()
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("element %d = %d, want %d", i, got[i], want[i])
		}
	}
}
