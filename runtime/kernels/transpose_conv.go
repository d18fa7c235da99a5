package kernels

import "math"

// A transposed convolution scatters each input pixel, multiplied by the
// KH·KW·OutC weights of its window, onto the output: input pixel (y, x)
// adds its products to output pixels (y·StrideH - PadTop + ky,
// x·StrideW - PadLeft + kx). Here the products of one input row are one
// matrix product, [InW×InC] by the weights as [(KH·KW·OutC)×InC], and a
// worker owns a range of output rows: it computes the products of every
// input row that reaches them (recomputing the few rows shared with its
// neighbours) and adds the ones that land in its rows. In ConvShape, In*
// is the transposed convolution's input and Out* its output.

// tapRows returns the input rows whose products land in output rows
// [y0, y1).
func tapRows(s *ConvShape, y0, y1 int) (iy0, iy1 int) {
	lo := y0 + s.PadTop - (s.KH - 1)
	if lo > 0 {
		iy0 = (lo + s.StrideH - 1) / s.StrideH
	}
	iy1 = min(s.InH, (y1-1+s.PadTop)/s.StrideH+1)
	return iy0, max(iy1, iy0)
}

// transposeWeights reorders weights [OutC][KH][KW][InC] into rows of InC
// values in (ky, kx, oc) order.
func transposeWeights[W any](s *ConvShape, w []W) []W {
	out := make([]W, len(w))
	taps := s.KH * s.KW
	for oc := range s.OutC {
		for t := range taps {
			copy(out[(t*s.OutC+oc)*s.InC:][:s.InC], w[(oc*taps+t)*s.InC:][:s.InC])
		}
	}
	return out
}

// scatterRow adds the products prod [InW][KH·KW·OutC] of input row iy to
// the output rows [y0, y1) of one image held in out from row first on.
func scatterRow[T float32 | int32](s *ConvShape, prod, out []T, iy, y0, y1, first int) {
	n := s.KH * s.KW * s.OutC
	rowLen := s.OutW * s.OutC
	for ky := range s.KH {
		oy := iy*s.StrideH - s.PadTop + ky
		if oy < y0 || oy >= y1 {
			continue
		}
		row := out[(oy-first)*rowLen : (oy-first+1)*rowLen]
		for ix := range s.InW {
			p := prod[ix*n : (ix+1)*n]
			ox0 := ix*s.StrideW - s.PadLeft
			for kx := max(0, -ox0); kx < s.KW && ox0+kx < s.OutW; kx++ {
				src := p[(ky*s.KW+kx)*s.OutC:][:s.OutC]
				dst := row[(ox0+kx)*s.OutC:][:s.OutC]
				for c, v := range src {
					dst[c] += v
				}
			}
		}
	}
}

// TransposeConvF32 is a float32 transposed convolution prepared at load.
type TransposeConvF32 struct {
	Shape  ConvShape
	W      *PackedF32
	Bias   []float32
	Lo, Hi float32
}

// NewTransposeConvF32 packs the weights w [OutC][KH][KW][InC] and the bias
// (nil for none) of a transposed convolution clamped to [lo, hi].
func NewTransposeConvF32(s ConvShape, w, bias []float32, lo, hi float32) *TransposeConvF32 {
	t := &TransposeConvF32{Shape: s, Bias: make([]float32, s.OutC), Lo: lo, Hi: hi}
	t.W = PackF32(transposeWeights(&s, w), s.KH*s.KW*s.OutC, s.InC, nil)
	copy(t.Bias, bias)
	return t
}

// Generic returns a copy of t that runs the generic kernels.
func (t *TransposeConvF32) Generic() *TransposeConvF32 {
	g, w := *t, *t.W
	w.simd = nil
	g.W = &w
	return &g
}

// Rows is the number of output rows (Batches·OutH), the unit of a split.
func (t *TransposeConvF32) Rows() int { return t.Shape.Batches * t.Shape.OutH }

// ScratchLen is the number of scratch elements one worker needs: the
// products of one input row.
func (t *TransposeConvF32) ScratchLen() int { return t.Shape.InW * t.W.N }

// Run computes output rows [r0, r1) (counted over all batches).
func (t *TransposeConvF32) Run(in, out, scratch []float32, r0, r1 int) {
	s := &t.Shape
	inf := float32(math.Inf(1))
	img, inImg, rowLen := s.OutH*s.OutW*s.OutC, s.InH*s.InW*s.InC, s.OutW*s.OutC
	for r := r0; r < r1; {
		b, y0 := r/s.OutH, r%s.OutH
		y1 := min(s.OutH, y0+r1-r)
		o := out[b*img : (b+1)*img]
		for y := y0; y < y1; y++ {
			row := o[y*rowLen : (y+1)*rowLen]
			for x := 0; x < len(row); x += s.OutC {
				copy(row[x:x+s.OutC], t.Bias)
			}
		}
		iy0, iy1 := tapRows(s, y0, y1)
		for iy := iy0; iy < iy1; iy++ {
			a := in[b*inImg+iy*s.InW*s.InC:]
			GemmF32(a, s.InC, s.InW, t.W, 0, panels(t.W.N), scratch, t.W.N, -inf, inf)
			scatterRow(s, scratch, o, iy, y0, y1, 0)
		}
		clampF32(o[y0*rowLen:y1*rowLen], t.Lo, t.Hi)
		r += y1 - y0
	}
}

func clampF32(x []float32, lo, hi float32) {
	for i, v := range x {
		x[i] = min(max(v, lo), hi)
	}
}

// TransposeConvQ is an 8-bit transposed convolution: exact int32 sums of
// (x - input zero point)·(w - weight zero point), plus the bias,
// requantized per channel like the other 8-bit kernels. When no sum can
// reach 2^24 (Σk |w'| · 255 below it for every row of weights), the sums
// are computed by the float32 SIMD GEMM on the integer values, which
// float32 then holds exactly whatever the order of the additions.
type TransposeConvQ[T Quant8] struct {
	Shape ConvShape
	W     *PackedQ
	// F holds the weights w' as float32 when the sums fit (else nil).
	F    *PackedF32
	Rq   *Requant
	InZP int32
}

// NewTransposeConvQ packs the weights w [OutC][KH][KW][InC] with their
// zero point(s); rq's bias is set to bias (nil for none).
func NewTransposeConvQ[T Quant8, W Quant8](s ConvShape, w []W, wZP, bias []int32, inZP int32, rq *Requant) *TransposeConvQ[T] {
	zp := wZP
	if len(wZP) > 1 {
		// The rows of the packed matrix are (tap, channel) pairs.
		zp = make([]int32, s.KH*s.KW*s.OutC)
		for i := range zp {
			zp[i] = wZP[i%s.OutC]
		}
	}
	n := s.KH * s.KW * s.OutC
	wt := transposeWeights(&s, w)
	p := PackQ(wt, n, s.InC, zp)
	p.useQVariant(nil)
	clear(rq.Bias)
	copy(rq.Bias, bias)
	t := &TransposeConvQ[T]{Shape: s, W: p, Rq: rq, InZP: inZP}
	wf := make([]float32, len(wt))
	exact := true
	for r := range n {
		var sum int64
		for k, v := range wt[r*s.InC : (r+1)*s.InC] {
			d := int64(v) - int64(zp[min(r, len(zp)-1)])
			wf[r*s.InC+k] = float32(d)
			sum += max(d, -d)
		}
		exact = exact && sum*255 < 1<<24
	}
	if exact {
		t.F = PackF32(wf, n, s.InC, nil)
	}
	return t
}

// Generic returns a copy of t that runs the generic kernels.
func (t *TransposeConvQ[T]) Generic() *TransposeConvQ[T] {
	g := *t
	if t.F != nil {
		f := *t.F
		f.simd = nil
		g.F = &f
	}
	return &g
}

// ScratchF32Len is the number of float32 scratch elements one worker
// needs: one input row and its products.
func (t *TransposeConvQ[T]) ScratchF32Len() int {
	if t.F == nil {
		return 0
	}
	return t.Shape.InW * (t.Shape.InC + t.W.N)
}

// Rows is the number of output rows (Batches·OutH), the unit of a split.
func (t *TransposeConvQ[T]) Rows() int { return t.Shape.Batches * t.Shape.OutH }

// ScratchLen is the number of int32 scratch elements one worker needs for
// output rows [r0, r1): the products of one input row and the sums of the
// rows.
func (t *TransposeConvQ[T]) ScratchLen(rows int) int {
	return t.Shape.InW*t.W.N + rows*t.Shape.OutW*t.Shape.OutC
}

// Run computes output rows [r0, r1) (counted over all batches), with
// scratch of ScratchLen and fscratch of ScratchF32Len elements.
func (t *TransposeConvQ[T]) Run(in, out []T, scratch []int32, fscratch []float32, r0, r1 int) {
	s := &t.Shape
	n := t.W.N
	prod := scratch[:s.InW*n]
	inf := float32(math.Inf(1))
	rowLen := s.OutW * s.OutC
	inImg := s.InH * s.InW * s.InC
	for r := r0; r < r1; {
		b, y0 := r/s.OutH, r%s.OutH
		y1 := min(s.OutH, y0+r1-r)
		// acc holds the sums of output rows [y0, y1).
		acc := scratch[s.InW*n:][:(y1-y0)*rowLen]
		clear(acc)
		iy0, iy1 := tapRows(s, y0, y1)
		for iy := iy0; iy < iy1; iy++ {
			a := in[b*inImg+iy*s.InW*s.InC:][:s.InW*s.InC]
			if t.F != nil {
				x, pf := fscratch[:len(a)], fscratch[len(a):][:len(prod)]
				for i, v := range a {
					x[i] = float32(int32(v) - t.InZP)
				}
				GemmF32(x, s.InC, s.InW, t.F, 0, panels(n), pf, n, -inf, inf)
				for i, v := range pf {
					prod[i] = int32(v)
				}
			} else {
				gemmAcc(a, s.InC, s.InW, t.W, t.InZP, prod, n)
			}
			scatterRow(s, prod, acc, iy, y0, y1, y0)
		}
		dst := out[(b*s.OutH+y0)*rowLen : (b*s.OutH+y1)*rowLen]
		for x := 0; x < len(dst); x += s.OutC {
			requantRow(t.Rq, dst[x:x+s.OutC], acc[x:x+s.OutC], 0)
		}
		r += y1 - y0
	}
}

// gemmAcc computes the int32 sums c[r·ldc+n] = Σk (a[r·lda+k] - zp)·W'[n][k]
// for rows rows of a and every channel of w.
func gemmAcc[T Quant8](a []T, lda, rows int, w *PackedQ, zp int32, c []int32, ldc int) {
	var acc [gemmMR * gemmNR]int32
	k := w.K
	for p := range panels(w.N) {
		b := w.panel(p)
		c0 := p * gemmNR
		nc := min(gemmNR, w.N-c0)
		sum := w.sum[c0 : c0+nc]
		r := 0
		for ; r+gemmMRQ <= rows; r += gemmMRQ {
			microQx2(a[r*lda:], lda, k, b, &acc)
			for i := range gemmMRQ {
				dst := c[(r+i)*ldc+c0:][:nc]
				for j := range dst {
					dst[j] = acc[i*gemmNR+j] - zp*sum[j]
				}
			}
		}
		for ; r < rows; r++ {
			microQx1(a[r*lda:r*lda+k], b, &acc)
			dst := c[r*ldc+c0:][:nc]
			for j := range dst {
				dst[j] = acc[j] - zp*sum[j]
			}
		}
	}
}
