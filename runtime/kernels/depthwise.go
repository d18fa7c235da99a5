package kernels

import (
	"slices"
	"unsafe"
)

// Depthwise convolutions run directly: for each output pixel the
// accumulators of all channels are updated tap by tap with the channel loop
// innermost, which walks the NHWC input and the [KH][KW][OutC] weights
// contiguously. Taps outside the input are skipped (padding contributes
// zero); runs of three horizontal taps inside the input are added in one
// pass over the channels, loading and storing each accumulator once. Output
// channel o reads input channel o / Mult.

// DepthwiseF32 is a float32 depthwise convolution prepared at load.
type DepthwiseF32 struct {
	Shape ConvShape
	// Mult is the depth multiplier (OutC = InC·Mult).
	Mult int
	// W holds the weights [KH·KW][OutC]; Bias one value per channel.
	W, Bias []float32
	Lo, Hi  float32
	// simd computes every output pixel when set (nil for none).
	simd *dwVariant
}

// NewDepthwiseF32 copies the weights [1][KH][KW][OutC] and the bias (nil
// for none) of a depthwise convolution clamped to [lo, hi].
func NewDepthwiseF32(s ConvShape, mult int, w, bias []float32, lo, hi float32) *DepthwiseF32 {
	d := &DepthwiseF32{Shape: s, Mult: mult, W: append([]float32(nil), w...), Bias: make([]float32, s.OutC), Lo: lo, Hi: hi}
	copy(d.Bias, bias)
	d.useDW(firstDW())
	return d
}

// useDW makes d compute the pixels inside the input with v (nil for the
// generic kernels) if v handles d's shape.
func (d *DepthwiseF32) useDW(v *dwVariant) {
	d.simd = nil
	if d.Mult == 1 && d.Shape.OutC >= 8 {
		d.simd = v
	}
}

// Rows is the number of output rows (Batches·OutH), the unit of a split.
func (d *DepthwiseF32) Rows() int { return d.Shape.Batches * d.Shape.OutH }

// Run computes output rows [r0, r1).
func (d *DepthwiseF32) Run(in, out []float32, r0, r1 int) {
	s := &d.Shape
	nc := s.OutC
	oa, ob := s.insideCols()
	// ncs is how many channels the SIMD kernels compute, the rest going
	// to the generic loop below.
	ncs := nc &^ 7
	if d.simd != nil && d.simd.anyNCF32 {
		ncs = nc
	}
	rowRun := d.simd != nil && d.simd.f32Row != nil && ncs == nc && ob-oa > 1
	colRun := d.simd != nil && d.simd.f32Cols != nil && ncs == nc && (oa > 0 || ob < s.OutW) && d.borderCols(in, out, r0, r1)
	for r := r0; r < r1; r++ {
		b, oy := r/s.OutH, r%s.OutH
		iy0 := oy*s.StrideH - s.PadTop
		ky0, ky1 := tapRange(iy0, s.KH, s.DilH, s.InH)
		rowInside := ky0 == 0 && ky1 == s.KH
		for ox := 0; ox < s.OutW; ox++ {
			if colRun && rowInside && (ox < oa || ox >= ob) {
				// Done by borderCols.
				continue
			}
			if rowRun && ox == oa && ky0 < ky1 {
				// The pixels [oa, ob) of this row, whose windows lie
				// across the input, in one call.
				n := ob - oa
				x := in[((b*s.InH+iy0+ky0*s.DilH)*s.InW+oa*s.StrideW-s.PadLeft)*nc:]
				_ = x[((n-1)*s.StrideW+(ky1-ky0-1)*s.DilH*s.InW+(s.KW-1)*s.DilW+1)*nc-1]
				w := d.W[ky0*s.KW*nc : ky1*s.KW*nc]
				o := out[(r*s.OutW+oa)*nc : (r*s.OutW+ob)*nc]
				d.simd.f32Row(&x[0], 4*s.DilH*s.InW*nc, 4*s.DilW*nc, &w[0], ky1-ky0, s.KW, 0, nc, nc,
					&d.Bias[0], d.Lo, d.Hi, &o[0], n, 4*s.StrideW*nc)
				ox = ob - 1
				continue
			}
			acc := out[(r*s.OutW+ox)*nc : (r*s.OutW+ox+1)*nc]
			ix0 := ox*s.StrideW - s.PadLeft
			if d.simd != nil {
				if kx0, kx1 := tapRange(ix0, s.KW, s.DilW, s.InW); ky0 < ky1 && kx0 < kx1 {
					x := in[((b*s.InH+iy0+ky0*s.DilH)*s.InW+ix0+kx0*s.DilW)*nc:]
					_ = x[((ky1-ky0-1)*s.DilH*s.InW+(kx1-kx0-1)*s.DilW+1)*nc-1]
					w := d.W[(ky0*s.KW+kx0)*nc:]
					_ = w[((ky1-ky0-1)*s.KW+kx1-kx0)*nc-1]
					d.simd.f32(&x[0], 4*s.DilH*s.InW*nc, 4*s.DilW*nc, &w[0], ky1-ky0, kx1-kx0, 4*(s.KW-(kx1-kx0))*nc, ncs, nc,
						&d.Bias[0], d.Lo, d.Hi, &acc[0])
					for c := ncs; c < nc; c++ {
						v := d.Bias[c]
						for ky := 0; ky < ky1-ky0; ky++ {
							for kx := 0; kx < kx1-kx0; kx++ {
								v += x[(ky*s.DilH*s.InW+kx*s.DilW)*nc+c] * w[(ky*s.KW+kx)*nc+c]
							}
						}
						acc[c] = min(max(v, d.Lo), d.Hi)
					}
					continue
				}
			}
			copy(acc, d.Bias)
			for ky := 0; ky < s.KH; ky++ {
				iy := iy0 + ky*s.DilH
				if iy < 0 || iy >= s.InH {
					continue
				}
				base := (b*s.InH + iy) * s.InW
				wrow := d.W[ky*s.KW*nc : (ky+1)*s.KW*nc]
				for kx := 0; kx < s.KW; {
					ix := ix0 + kx*s.DilW
					if d.Mult == 1 && kx+2 < s.KW && ix >= 0 && ix+2*s.DilW < s.InW {
						x := in[(base+ix)*nc:]
						step := s.DilW * nc
						dwRow3F32(acc, x[:nc], x[step:step+nc], x[2*step:2*step+nc], wrow[kx*nc:])
						kx += 3
						continue
					}
					if ix >= 0 && ix < s.InW {
						w := wrow[kx*nc : (kx+1)*nc]
						x := in[(base+ix)*s.InC : (base+ix+1)*s.InC]
						if d.Mult == 1 {
							dwTapF32(acc, x, w)
						} else {
							dwTapMultF32(acc, x, w, d.Mult)
						}
					}
					kx++
				}
			}
			for c, v := range acc {
				acc[c] = min(max(v, d.Lo), d.Hi)
			}
		}
	}
}

// borderCols computes, with d.simd.f32Cols, the output columns outside
// [oa, ob) (whose windows cross the left or right edge) of the rows in
// [r0, r1) whose windows lie inside the input vertically, a column of
// such rows of a batch per call, and reports whether it did (not when a
// column's windows miss the input).
func (d *DepthwiseF32) borderCols(in, out []float32, r0, r1 int) bool {
	s := &d.Shape
	nc := s.OutC
	oa, ob := s.insideCols()
	for ox := 0; ox < s.OutW; ox++ {
		if ox < oa || ox >= ob {
			if kx0, kx1 := tapRange(ox*s.StrideW-s.PadLeft, s.KW, s.DilW, s.InW); kx0 >= kx1 {
				return false
			}
		}
	}
	// The output rows whose windows lie inside the input vertically.
	ya, yb := 0, s.OutH
	for ya < s.OutH && ya*s.StrideH-s.PadTop < 0 {
		ya++
	}
	for yb > ya && (yb-1)*s.StrideH-s.PadTop+(s.KH-1)*s.DilH >= s.InH {
		yb--
	}
	for b := r0 / s.OutH; b*s.OutH < r1; b++ {
		ra, rb := max(r0, b*s.OutH+ya), min(r1, b*s.OutH+yb)
		if ra >= rb {
			continue
		}
		n := rb - ra
		iy0 := (ra-b*s.OutH)*s.StrideH - s.PadTop
		for ox := 0; ox < s.OutW; ox++ {
			if ox == oa && ob > oa {
				ox = ob - 1
				continue
			}
			ix0 := ox*s.StrideW - s.PadLeft
			kx0, kx1 := tapRange(ix0, s.KW, s.DilW, s.InW)
			x := in[((b*s.InH+iy0)*s.InW+ix0+kx0*s.DilW)*nc:]
			_ = x[((n-1)*s.StrideH*s.InW+(s.KH-1)*s.DilH*s.InW+(kx1-kx0-1)*s.DilW+1)*nc-1]
			w := d.W[kx0*nc:]
			_ = w[((s.KH-1)*s.KW+kx1-kx0)*nc-1]
			o := out[(ra*s.OutW+ox)*nc:]
			_ = o[(n-1)*s.OutW*nc+nc-1]
			d.simd.f32Cols(&x[0], 4*s.DilH*s.InW*nc, 4*s.DilW*nc, &w[0], s.KH, kx1-kx0, 4*(s.KW-(kx1-kx0))*nc, nc, nc,
				&d.Bias[0], d.Lo, d.Hi, &o[0], n, 4*s.StrideH*s.InW*nc, 4*s.OutW*nc)
		}
	}
	return true
}

func dwTapF32(acc, x, w []float32) {
	x, w = x[:len(acc)], w[:len(acc)]
	for c := range acc {
		acc[c] += x[c] * w[c]
	}
}

// dwRow3F32 adds three horizontal taps (inputs x0, x1, x2; weights w laid
// out [3][C]) at once, loading and storing each accumulator once.
func dwRow3F32(acc, x0, x1, x2, w []float32) {
	n := len(acc)
	x0, x1, x2 = x0[:n], x1[:n], x2[:n]
	w0, w1, w2 := w[:n], w[n:2*n], w[2*n:3*n]
	for c := range acc {
		acc[c] += x0[c]*w0[c] + x1[c]*w1[c] + x2[c]*w2[c]
	}
}

func dwTapMultF32(acc, x, w []float32, mult int) {
	for i, v := range x {
		o := i * mult
		for m := 0; m < mult; m++ {
			acc[o+m] += v * w[o+m]
		}
	}
}

// DepthwiseQ is an 8-bit quantized depthwise convolution prepared at load.
type DepthwiseQ[T Quant8] struct {
	Shape ConvShape
	Mult  int
	// W holds w - wZeroPoint as [KH·KW][OutC].
	W    []int16
	Rq   *Requant
	InZP int32
	// corr holds -InZP·Σ taps w' per channel: the input zero point's share
	// of an output whose window lies wholly inside the input, which then
	// accumulates raw input values.
	corr []int32
	// simd computes every output pixel when set (nil for none): those
	// whose window lies inside the input from init (corr, less 128·Σ taps
	// w' for int8 inputs), the others from zero with the input zero point
	// subtracted tap by tap.
	simd *dwVariant
	init []int32
	zero []int32
	// tile computes the pixels whose windows lie wholly inside the input
	// when set (nil for none); wZP holds the weights' zero point(s).
	tile *dwTileQ
	wZP  []int32
}

// dwTileQ is a depthwise convolution's weights, sums and scales packed for
// a dwVariant's qTile or qTileU. The taps go four at a time (padded with
// zero weights) and the channels in blocks of 64, then one last block of
// 64, 32 or 16 as more than 32, more than 16 or at most 16 channels are
// left; in a block of b channels from c0, accumulator k (0 to 3) holds in
// its element j the channel c0 + 16·(j/4) + 4·k + j%4 (j < b/4), the order
// in which the kernel's byte and word unpacks leave four taps' inputs.
type dwTileQ struct {
	run func(x *byte, offs *int, ng int, w *byte, nc, cs int, add *int32, scale *float32, lo, hi float32, zp, xflip, oflip, wzp int32, out *byte, n, xStep int)
	// offs holds for each group of four taps the byte offset of each
	// tap's input from the window's first (0 for the padding taps) and
	// the group's ones (byte j is 1 when tap j is real); ng is the number
	// of groups.
	offs []int
	ng   int
	// w holds, block by block and group by group, for each accumulator
	// element the four taps' weights: w' (int8) for qTile, the uint8
	// weights w for qTileU.
	w []byte
	// add holds per accumulator element what the sums start from, scale
	// the multiplier: see packDWTile.
	add   []int32
	scale []float32
	// zp is the output zero point, less 128 for uint8 outputs which the
	// kernel packs as int8 and flips (oflip); xflip flips the inputs the
	// kernel reads the other way; wzp is the weights' zero point (qTileU).
	zp, xflip, oflip, wzp int32
	// group is the number of output pixels (1, or 64/C rounded down) the
	// kernel sees as one pixel of group·C channels: with stride 1 and C at
	// most 32, the inputs and outputs of neighbouring pixels lie next to
	// each other, and channel v of that pixel is channel v%C of pixel v/C.
	group int
}

// dwTileBlock returns the width of the block of channels that starts with
// rem channels left.
func dwTileBlock(rem int) int {
	switch {
	case rem > 32:
		return 64
	case rem > 16:
		return 32
	}
	return 16
}

// packDWTile packs d's weights for v's qTile when every w' fits int8, else
// for v's qTileU when the weights are uint8 with one zero point, and
// returns nil when neither fits or when the layer has 16 channels or fewer
// and cannot group its pixels (the per-pixel kernels are faster then).
//
// qTile reads the inputs as uint8 (int8 ones flipped to x+128) and sums
// x'·w'; qTileU reads them as int8 (uint8 ones flipped to x-128), sums
// x'·w and x', and takes wzp·Σx' out. Either way the sums start from add =
// bias + corr + k·Σ taps w', k taking the flip back out: -128 for qTile on
// int8 inputs, 128 for qTileU on uint8 inputs, 0 otherwise.
func packDWTile[T Quant8](d *DepthwiseQ[T], v *dwVariant) *dwTileQ {
	s := &d.Shape
	nc, taps := s.OutC, s.KH*s.KW
	signed := isSigned(T(0))
	t := &dwTileQ{run: v.qTile, ng: (taps + 3) / 4, zp: d.Rq.ZeroPoint, group: 1}
	vc := nc
	if s.StrideW == 1 && nc <= 32 {
		t.group = 64 / nc
		vc = t.group * nc
	} else if nc <= 16 {
		return nil
	}
	raw := func(c, tap int) int32 { return int32(d.W[tap*nc+c]) }
	k := int32(0)
	if signed {
		k, t.xflip = -128, -0x7f7f7f80 // 0x80808080
	}
	if fits := func(lo, hi, zp int32) bool {
		for _, w := range d.W {
			if int32(w)+zp < lo || int32(w)+zp > hi {
				return false
			}
		}
		return true
	}; !fits(-128, 127, 0) {
		if v.qTileU == nil || slices.ContainsFunc(d.wZP, func(z int32) bool { return z != d.wZP[0] }) || !fits(0, 255, d.wZP[0]) {
			return nil
		}
		t.run, t.wzp, k, t.xflip = v.qTileU, d.wZP[0], 0, 0
		raw = func(c, tap int) int32 { return int32(d.W[tap*nc+c]) + t.wzp }
		if !signed {
			k, t.xflip = 128, -0x7f7f7f80
		}
	}
	if t.run == nil {
		return nil
	}
	if !signed {
		t.zp -= 128
		t.oflip = -0x7f7f7f80
	}
	t.offs = make([]int, 5*t.ng)
	for tap := 0; tap < taps; tap++ {
		g, j := tap/4, tap%4
		t.offs[5*g+j] = ((tap/s.KW)*s.DilH*s.InW + (tap%s.KW)*s.DilW) * nc
		t.offs[5*g+4] |= 1 << (8 * j)
	}
	for c0 := 0; c0 < vc; {
		b := dwTileBlock(vc - c0)
		for a := 0; a < 4; a++ {
			for j := 0; j < b/4; j++ {
				c := c0 + 16*(j/4) + 4*a + j%4
				var add int32
				var scale float32
				if c < vc {
					c %= nc
					add, scale = d.corr[c]+d.Rq.Bias[c], d.Rq.Scale[c]
					for tap := 0; tap < taps; tap++ {
						add += k * int32(d.W[tap*nc+c])
					}
				}
				t.add, t.scale = append(t.add, add), append(t.scale, scale)
			}
		}
		for g := 0; g < t.ng; g++ {
			for a := 0; a < 4; a++ {
				for j := 0; j < b/4; j++ {
					c := c0 + 16*(j/4) + 4*a + j%4
					for i := 0; i < 4; i++ {
						var w int32
						if tap := 4*g + i; c < vc && tap < taps {
							w = raw(c%nc, tap)
						}
						t.w = append(t.w, byte(w))
					}
				}
			}
		}
		c0 += b
	}
	return t
}

// runTile computes the output pixels from oa of a row, whose windows lie
// wholly inside the input from input row iy0 of batch b, into out, as many
// of the n given as make whole groups, and returns how many.
func (d *DepthwiseQ[T]) runTile(in, out []T, b, iy0, oa, n int) int {
	s := &d.Shape
	nc, t := s.OutC, d.tile
	n -= n % t.group
	if n == 0 {
		return 0
	}
	x := in[((b*s.InH+iy0)*s.InW+oa*s.StrideW-s.PadLeft)*nc:]
	_ = x[((n-1)*s.StrideW+(s.KH-1)*s.DilH*s.InW+(s.KW-1)*s.DilW+1)*nc-1]
	_ = out[n*nc-1]
	vc := t.group * nc
	t.run((*byte)(unsafe.Pointer(&x[0])), &t.offs[0], t.ng, &t.w[0], vc, vc, &t.add[0], &t.scale[0], d.Rq.lo, d.Rq.hi,
		t.zp, t.xflip, t.oflip, t.wzp, (*byte)(unsafe.Pointer(&out[0])), n/t.group, t.group*s.StrideW*nc)
	return n
}

// NewDepthwiseQ packs the weights [1][KH][KW][OutC] with their zero
// point(s) (one, or one per output channel) and puts bias (nil for none)
// into rq.
func NewDepthwiseQ[T Quant8, W Quant8](s ConvShape, mult int, w []W, wZP []int32, bias []int32, inZP int32, rq *Requant) *DepthwiseQ[T] {
	d := &DepthwiseQ[T]{Shape: s, Mult: mult, W: make([]int16, len(w)), Rq: rq, InZP: inZP, wZP: slices.Clone(wZP)}
	for i, v := range w {
		zp := wZP[0]
		if len(wZP) > 1 {
			zp = wZP[i%s.OutC]
		}
		d.W[i] = int16(int32(v) - zp)
	}
	d.corr = make([]int32, s.OutC)
	for i, v := range d.W {
		d.corr[i%s.OutC] -= inZP * int32(v)
	}
	for c := 0; c < s.OutC; c++ {
		rq.Bias[c] = 0
		if bias != nil {
			rq.Bias[c] = bias[c]
		}
	}
	d.useDW(firstDW())
	return d
}

// useDW makes d compute the pixels inside the input with v (nil for the
// generic kernels) if v handles d's shape.
func (d *DepthwiseQ[T]) useDW(v *dwVariant) {
	d.simd, d.init, d.zero, d.tile = nil, nil, nil, nil
	if v != nil && d.Mult == 1 {
		d.tile = packDWTile(d, v)
	}
	if v == nil || d.Mult != 1 || d.Shape.OutC < 8 {
		return
	}
	d.simd, d.init, d.zero = v, append([]int32(nil), d.corr...), make([]int32, d.Shape.OutC)
	var zero T
	if isSigned(zero) && !v.rawInt8 {
		for i, w := range d.W {
			d.init[i%d.Shape.OutC] -= 128 * int32(w)
		}
	}
}

// Rows is the number of output rows (Batches·OutH), the unit of a split.
func (d *DepthwiseQ[T]) Rows() int { return d.Shape.Batches * d.Shape.OutH }

// ScratchLen is the number of int32 accumulators one worker needs.
func (d *DepthwiseQ[T]) ScratchLen() int { return d.Shape.OutC }

// Run computes output rows [r0, r1) with acc (ScratchLen values, private to
// the caller) as accumulators.
func (d *DepthwiseQ[T]) Run(in, out []T, acc []int32, r0, r1 int) {
	s := &d.Shape
	nc := s.OutC
	acc = acc[:nc]
	oa, ob := s.insideCols()
	rowRun := d.simd != nil && d.simd.qRow != nil && nc&7 == 0 && ob-oa > 1
	for r := r0; r < r1; r++ {
		b, oy := r/s.OutH, r%s.OutH
		iy0 := oy*s.StrideH - s.PadTop
		rowInside := iy0 >= 0 && iy0+(s.KH-1)*s.DilH < s.InH
		for ox := 0; ox < s.OutW; ox++ {
			if d.tile != nil && rowInside && ox == oa {
				if done := d.runTile(in, out[(r*s.OutW+oa)*nc:(r*s.OutW+ob)*nc], b, iy0, oa, ob-oa); done > 0 {
					ox += done - 1
					continue
				}
			}
			if rowRun && ox == oa && d.runSIMDRow(in, out[(r*s.OutW+oa)*nc:(r*s.OutW+ob)*nc], b, iy0, oa, ob) {
				ox = ob - 1
				continue
			}
			ix0 := ox*s.StrideW - s.PadLeft
			if d.simd != nil && d.runSIMD(in, out[(r*s.OutW+ox)*nc:(r*s.OutW+ox+1)*nc], acc, b, iy0, ix0) {
				continue
			}
			zp := d.InZP
			if rowInside && ix0 >= 0 && ix0+(s.KW-1)*s.DilW < s.InW {
				copy(acc, d.corr)
				zp = 0
			} else {
				clear(acc)
			}
			for ky := 0; ky < s.KH; ky++ {
				iy := iy0 + ky*s.DilH
				if iy < 0 || iy >= s.InH {
					continue
				}
				base := (b*s.InH + iy) * s.InW
				wrow := d.W[ky*s.KW*nc : (ky+1)*s.KW*nc]
				for kx := 0; kx < s.KW; {
					ix := ix0 + kx*s.DilW
					if d.Mult == 1 && kx+2 < s.KW && ix >= 0 && ix+2*s.DilW < s.InW {
						x := in[(base+ix)*nc:]
						step := s.DilW * nc
						if zp == 0 {
							dwRow3RawQ(acc, x[:nc], x[step:step+nc], x[2*step:2*step+nc], wrow[kx*nc:])
						} else {
							dwRow3Q(acc, x[:nc], x[step:step+nc], x[2*step:2*step+nc], wrow[kx*nc:], zp)
						}
						kx += 3
						continue
					}
					if ix >= 0 && ix < s.InW {
						w := wrow[kx*nc : (kx+1)*nc]
						x := in[(base+ix)*s.InC : (base+ix+1)*s.InC]
						if d.Mult == 1 {
							dwTapQ(acc, x, w, zp)
						} else {
							dwTapMultQ(acc, x, w, d.Mult, zp)
						}
					}
					kx++
				}
			}
			requantRow(d.Rq, out[(r*s.OutW+ox)*nc:(r*s.OutW+ox+1)*nc], acc, 0)
		}
	}
}

// runSIMD computes the output pixel out whose window starts at input row
// iy0 and column ix0 of batch b, and reports whether it could (some taps
// lie inside the input). Channels past the last multiple of 8 are summed
// in acc.
func (d *DepthwiseQ[T]) runSIMD(in, out []T, acc []int32, b, iy0, ix0 int) bool {
	s := &d.Shape
	nc := s.OutC
	ky0, ky1 := tapRange(iy0, s.KH, s.DilH, s.InH)
	kx0, kx1 := tapRange(ix0, s.KW, s.DilW, s.InW)
	if ky0 >= ky1 || kx0 >= kx1 {
		return false
	}
	x := in[((b*s.InH+iy0+ky0*s.DilH)*s.InW+ix0+kx0*s.DilW)*nc:]
	_ = x[((ky1-ky0-1)*s.DilH*s.InW+(kx1-kx0-1)*s.DilW+1)*nc-1]
	w := d.W[(ky0*s.KW+kx0)*nc:]
	_ = w[((ky1-ky0-1)*s.KW+kx1-kx0)*nc-1]
	_ = out[nc-1]
	var signed int32
	if isSigned(x[0]) {
		signed = 1
	}
	init, xzp := d.init, int32(0)
	if ky1-ky0 < s.KH || kx1-kx0 < s.KW {
		init, xzp = d.zero, d.zeroPoint(signed)
	}
	nc8 := nc &^ 7
	d.simd.q((*byte)(unsafe.Pointer(&x[0])), s.DilH*s.InW*nc, s.DilW*nc, &w[0], ky1-ky0, kx1-kx0, 2*(s.KW-(kx1-kx0))*nc, nc8, nc,
		&init[0], &d.Rq.Bias[0], &d.Rq.Scale[0], d.Rq.lo, d.Rq.hi, d.Rq.ZeroPoint, signed, xzp, (*byte)(unsafe.Pointer(&out[0])))
	if nc8 == nc {
		return true
	}
	for c := nc8; c < nc; c++ {
		var v int32
		for ky := 0; ky < ky1-ky0; ky++ {
			for kx := 0; kx < kx1-kx0; kx++ {
				v += (int32(x[(ky*s.DilH*s.InW+kx*s.DilW)*nc+c]) - d.InZP) * int32(w[(ky*s.KW+kx)*nc+c])
			}
		}
		acc[c] = v
	}
	requantRow(d.Rq, out[nc8:], acc[nc8:nc], nc8)
	return true
}

// zeroPoint is the input zero point the SIMD kernel subtracts from the
// values it reads: uint8 x+128 for int8 inputs unless it reads them raw.
func (d *DepthwiseQ[T]) zeroPoint(signed int32) int32 {
	if d.simd.rawInt8 {
		return d.InZP
	}
	return d.InZP + 128*signed
}

// runSIMDRow computes the output pixels [oa, ob) of a row, whose windows
// lie across the input, into out with one call of d.simd.qRow, and reports
// whether it could (some window rows lie inside the input).
func (d *DepthwiseQ[T]) runSIMDRow(in, out []T, b, iy0, oa, ob int) bool {
	s := &d.Shape
	nc := s.OutC
	ky0, ky1 := tapRange(iy0, s.KH, s.DilH, s.InH)
	if ky0 >= ky1 {
		return false
	}
	n := ob - oa
	x := in[((b*s.InH+iy0+ky0*s.DilH)*s.InW+oa*s.StrideW-s.PadLeft)*nc:]
	_ = x[((n-1)*s.StrideW+(ky1-ky0-1)*s.DilH*s.InW+(s.KW-1)*s.DilW+1)*nc-1]
	w := d.W[ky0*s.KW*nc : ky1*s.KW*nc]
	_ = out[n*nc-1]
	var signed int32
	if isSigned(x[0]) {
		signed = 1
	}
	init, xzp := d.init, int32(0)
	if ky1-ky0 < s.KH {
		init, xzp = d.zero, d.zeroPoint(signed)
	}
	d.simd.qRow((*byte)(unsafe.Pointer(&x[0])), s.DilH*s.InW*nc, s.DilW*nc, &w[0], ky1-ky0, s.KW, 0, nc, nc,
		&init[0], &d.Rq.Bias[0], &d.Rq.Scale[0], d.Rq.lo, d.Rq.hi, d.Rq.ZeroPoint, signed, xzp, (*byte)(unsafe.Pointer(&out[0])), n, s.StrideW*nc)
	return true
}

func dwTapQ[T Quant8](acc []int32, x []T, w []int16, zp int32) {
	x, w = x[:len(acc)], w[:len(acc)]
	for c := range acc {
		acc[c] += (int32(x[c]) - zp) * int32(w[c])
	}
}

func dwRow3Q[T Quant8](acc []int32, x0, x1, x2 []T, w []int16, zp int32) {
	n := len(acc)
	x0, x1, x2 = x0[:n], x1[:n], x2[:n]
	w0, w1, w2 := w[:n], w[n:2*n], w[2*n:3*n]
	for c := range acc {
		acc[c] += (int32(x0[c])-zp)*int32(w0[c]) + (int32(x1[c])-zp)*int32(w1[c]) + (int32(x2[c])-zp)*int32(w2[c])
	}
}

// dwRow3RawQ is dwRow3Q for inputs whose zero point is already accounted
// for.
func dwRow3RawQ[T Quant8](acc []int32, x0, x1, x2 []T, w []int16) {
	n := len(acc)
	x0, x1, x2 = x0[:n], x1[:n], x2[:n]
	w0, w1, w2 := w[:n], w[n:2*n], w[2*n:3*n]
	for c := range acc {
		acc[c] += int32(x0[c])*int32(w0[c]) + int32(x1[c])*int32(w1[c]) + int32(x2[c])*int32(w2[c])
	}
}

func dwTapMultQ[T Quant8](acc []int32, x []T, w []int16, mult int, zp int32) {
	for i, v := range x {
		xv := int32(v) - zp
		o := i * mult
		for m := 0; m < mult; m++ {
			acc[o+m] += xv * int32(w[o+m])
		}
	}
}
