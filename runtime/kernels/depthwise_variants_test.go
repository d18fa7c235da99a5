package kernels

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// dwTestVariants returns every registered depthwise variant and, for those
// with row or tile kernels, a copy without them, so that the per-pixel
// kernels are tested on the rows too.
func dwTestVariants() []*dwVariant {
	var vs []*dwVariant
	for _, v := range dwVariants {
		vs = append(vs, v)
		if v.f32Row != nil || v.qRow != nil || v.qTile != nil {
			p := *v
			p.name += "-per-pixel"
			p.f32Row, p.qRow, p.qTile = nil, nil, nil
			vs = append(vs, &p)
		}
	}
	return vs
}

// dwVariantCases are the depthwise shapes every variant is checked on: all
// channel counts from 1 to 40 on a 3×3 window, and counts around the
// kernels' blocks (16, 32, 64 channels) on 5×5, strided, dilated, VALID
// and tall-narrow windows. Rows are 23 wide so that the row kernels see
// groups of 8, 4 and single pixels. With -short (the arm64 tests under
// qemu) the counts away from the block edges are left out.
func dwVariantCases() []ConvShape {
	counts := []int{1, 7, 8, 16, 24, 33, 48, 64, 72, 100, 130}
	keep := func(c int) bool { return true }
	if testing.Short() {
		counts = []int{1, 8, 24, 33, 72, 130}
		keep = func(c int) bool { return c <= 9 || c%8 <= 1 || c%8 == 7 }
	}
	type geom struct {
		kh, kw, sh, sw, dh, dw int
		same                   bool
	}
	var out []ConvShape
	add := func(g geom, batches, c int) {
		s := ConvShape{Batches: batches, InH: 7, InW: 23, InC: c, OutC: c, KH: g.kh, KW: g.kw,
			StrideH: g.sh, StrideW: g.sw, DilH: g.dh, DilW: g.dw}
		s.OutH = OutSize(s.InH, s.KH, s.StrideH, s.DilH, g.same)
		s.OutW = OutSize(s.InW, s.KW, s.StrideW, s.DilW, g.same)
		s.PadTop = Pad(s.InH, s.OutH, s.KH, s.StrideH, s.DilH)
		s.PadLeft = Pad(s.InW, s.OutW, s.KW, s.StrideW, s.DilW)
		out = append(out, s)
	}
	for c := 1; c <= 40; c++ {
		if keep(c) {
			add(geom{3, 3, 1, 1, 1, 1, true}, 1, c)
		}
	}
	geoms := []geom{
		{3, 3, 2, 2, 1, 1, true},
		{3, 3, 2, 2, 1, 1, false},
		{3, 3, 1, 1, 1, 1, false},
		{3, 3, 1, 1, 2, 2, true},
		{5, 5, 1, 1, 1, 1, true},
		{5, 5, 2, 2, 1, 1, true},
		{5, 3, 2, 1, 1, 2, true},
		{1, 7, 1, 2, 1, 2, true},
	}
	for _, g := range geoms {
		for _, c := range counts {
			add(g, 1, c)
		}
	}
	add(geoms[4], 2, 24)
	return out
}

// TestDepthwiseF32Variants checks every variant against the generic kernels.
func TestDepthwiseF32Variants(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for _, v := range dwTestVariants() {
		for _, base := range dwVariantCases() {
			for _, mult := range []int{1, 2} {
				if mult > 1 && base.OutC > 8 {
					continue
				}
				s := base
				s.OutC = s.InC * mult
				in := randF32(r, s.Batches*s.InH*s.InW*s.InC)
				w := randF32(r, s.KH*s.KW*s.OutC)
				bias := randF32(r, s.OutC)
				d := NewDepthwiseF32(s, mult, w, bias, -0.9, 1.5)
				d.useDW(v)
				want := make([]float32, s.Pixels()*s.OutC)
				d.Generic().Run(in, want, 0, d.Rows())
				depthwiseSplits(d.Rows(), func(split string, parts [][2]int) {
					got := make([]float32, len(want))
					for _, p := range parts {
						d.Run(in, got, p[0], p[1])
					}
					t.Run(fmt.Sprintf("%s/%s/mult%d/%s", v.name, dwShapeName(s), mult, split), func(t *testing.T) {
						checkF32(t, got, want, 1e-5)
					})
				})
			}
		}
	}
}

func dwShapeName(s ConvShape) string {
	return fmt.Sprintf("b%d-%dx%d-c%d-k%dx%d-s%dx%d-d%dx%d-p%dx%d", s.Batches, s.InH, s.InW, s.InC, s.KH, s.KW,
		s.StrideH, s.StrideW, s.DilH, s.DilW, s.PadTop, s.PadLeft)
}

// dwQuantCase is a quantization of a depthwise test: weights drawn in
// [wlo, whi] with zero point wzp (per channel when perChannel); tile says
// whether the tile kernels take them.
type dwQuantCase struct {
	name       string
	perChannel bool
	inZP, outZP,
	wzp, wlo, whi int32
	tile bool
}

func TestDepthwiseQVariants(t *testing.T) {
	testDepthwiseQVariants[int8](t, -128, 127, []dwQuantCase{
		{"int8-per-channel", true, -7, 3, 0, -127, 127, true},
		{"int8-per-tensor", false, 12, -128, 0, -128, 127, true},
		// w' = w + 5 reaches 132 and w is not uint8: no tile kernel.
		{"int8-zero-point-5", false, 12, -128, -5, -128, 127, false},
	})
	testDepthwiseQVariants[uint8](t, 0, 255, []dwQuantCase{
		// w' = w - 117 fits int8 (qTile).
		{"uint8-narrow", false, 131, 120, 117, 0, 244, true},
		// w' reaches 138 (qTileU).
		{"uint8-wide", false, 131, 120, 117, 0, 255, true},
		{"uint8-zero-point-0", false, 0, 0, 0, 0, 255, true},
		{"uint8-zero-point-255", false, 255, 255, 255, 0, 255, true},
	})
}

func testDepthwiseQVariants[T Quant8](t *testing.T, qmin, qmax int32, quants []dwQuantCase) {
	r := rand.New(rand.NewPCG(13, 14))
	for _, v := range dwTestVariants() {
		for _, q := range quants {
			for _, base := range dwVariantCases() {
				for _, mult := range []int{1, 3} {
					if mult > 1 && base.OutC > 8 {
						continue
					}
					s := base
					s.OutC = s.InC * mult
					in := randQ[T](r, s.Batches*s.InH*s.InW*s.InC, qmin, qmax)
					w := make([]T, s.KH*s.KW*s.OutC)
					for i := range w {
						w[i] = T(q.wlo + r.Int32N(q.whi-q.wlo+1))
					}
					// Both ends of the range, whatever the draw.
					w[0], w[len(w)-1] = T(q.whi), T(q.wlo)
					wzp, ws := []int32{q.wzp}, []float32{0.01}
					if q.perChannel {
						wzp, ws = make([]int32, s.OutC), make([]float32, s.OutC)
						for c := range ws {
							ws[c] = 0.005 + 0.01*r.Float32()
						}
					}
					bias := make([]int32, s.OutC)
					for i := range bias {
						bias[i] = r.Int32N(20001) - 10000
					}
					outScale := float32(0.05 * 0.01 * 70 * 70 * 3 / 60)
					act := acts[len(bias)%len(acts)]
					lo, hi := act.QuantRange(outScale, q.outZP, qmin, qmax)
					rq := NewRequant(s.OutC, 0.05, ws, outScale, q.outZP, lo, hi)
					d := NewDepthwiseQ[T](s, mult, w, wzp, bias, q.inZP, rq)
					d.useDW(v)
					if v.qTile != nil && mult == 1 && (d.tile != nil) != (q.tile && (s.OutC > 16 || s.StrideW == 1)) {
						t.Fatalf("%s/%s/%s: tile kernel in use %v", v.name, q.name, dwShapeName(s), d.tile != nil)
					}
					want := make([]T, s.Pixels()*s.OutC)
					acc := make([]int32, d.ScratchLen())
					d.Generic().Run(in, want, acc, 0, d.Rows())
					depthwiseSplits(d.Rows(), func(split string, parts [][2]int) {
						got := make([]T, len(want))
						for _, p := range parts {
							d.Run(in, got, acc, p[0], p[1])
						}
						t.Run(fmt.Sprintf("%s/%s/%s/mult%d/%s", v.name, q.name, dwShapeName(s), mult, split), func(t *testing.T) {
							checkQ(t, got, want)
						})
					})
				}
			}
		}
	}
}
