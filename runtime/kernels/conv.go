package kernels

// A convolution is a matrix product of the im2col rows of its input (one
// row of K = KH·KW·InC values per output pixel) with the weights [OutC×K],
// a tile of rows at a time, small enough to stay in cache while every
// weight panel passes over it. Pointwise convolutions use the input pixels
// as the rows directly; the others gather each tile into a per-worker
// scratch buffer.

// convTile returns the number of output pixels gathered per tile for a
// convolution's rows of K elements of size elem bytes; no more than the
// convolution has, so that the scratch of small layers stays small.
func convTile(s *ConvShape, elem int) int {
	t := gemmTileBytes / max(s.K()*elem, 1) / GemmRows * GemmRows
	t = min(max(t, GemmRows), 32*GemmRows)
	return min(t, (s.Pixels()+GemmRows-1)/GemmRows*GemmRows)
}

// ConvF32 is a float32 convolution prepared at load.
type ConvF32 struct {
	Shape  ConvShape
	W      *PackedF32
	Lo, Hi float32
	tile   int
}

// NewConvF32 packs the weights w [OutC][KH][KW][InC] and bias (nil for
// none) of a convolution clamped to [lo, hi].
func NewConvF32(s ConvShape, w, bias []float32, lo, hi float32) *ConvF32 {
	return &ConvF32{Shape: s, W: PackF32(w, s.OutC, s.K(), bias), Lo: lo, Hi: hi, tile: convTile(&s, 4)}
}

// ScratchLen is the number of scratch elements one worker needs.
func (c *ConvF32) ScratchLen() int {
	if c.Shape.pointwise() {
		return 0
	}
	return c.tile * c.Shape.K()
}

// Panels is the number of output channel panels (the unit of a split by
// channels).
func (c *ConvF32) Panels() int { return panels(c.Shape.OutC) }

// Run computes output pixels [m0, m1) for channel panels [p0, p1), using
// scratch (ScratchLen elements, private to the caller) for im2col.
func (c *ConvF32) Run(in, out, scratch []float32, m0, m1, p0, p1 int) {
	s := &c.Shape
	if !s.pointwise() && s.DilW == 1 && c.W.simd != nil && c.W.simd.seg != nil {
		c.runDirect(in, out, scratch, m0, m1, p0, p1)
		return
	}
	c.runIm2col(in, out, scratch, m0, m1, p0, p1)
}

// runIm2col is Run gathering every pixel's window (none when pointwise).
func (c *ConvF32) runIm2col(in, out, scratch []float32, m0, m1, p0, p1 int) {
	s := &c.Shape
	k, n := s.K(), s.OutC
	pointwise := s.pointwise()
	for t0 := m0; t0 < m1; t0 += c.tile {
		t1 := min(t0+c.tile, m1)
		a := scratch
		if pointwise {
			a = in[t0*k:]
		} else {
			im2col(s, in, t0, t1, 0, scratch)
		}
		GemmF32(a, k, t1-t0, c.W, p0, p1, out[t0*n:], n, c.Lo, c.Hi)
	}
}

// runDirect is Run with the seg kernel reading the windows of the pixels
// whose columns lie across the input where they are: each window row is
// KW·InC consecutive input values, and the window rows that fall in the
// padding above or below are skipped (their weights meet zeros). The
// pixels of the border columns, whose window rows run past the input's
// sides, are gathered as in runIm2col, a column at a time: a column's
// pixels are OutW apart in the output, one product of up to a tile of
// them.
func (c *ConvF32) runDirect(in, out, scratch []float32, m0, m1, p0, p1 int) {
	s := &c.Shape
	oa, ob := s.insideCols()
	for m := m0; m < m1; {
		ox := m % s.OutW
		e := min(m1, m-ox+s.OutW)
		if x0, x1 := max(ox, oa), min(ox+e-m, ob); x0 < x1 {
			c.directRow(in, out, m-ox+x0, m-ox+x1, p0, p1)
		}
		m = e
	}
	for x := range s.OutW {
		if x >= oa && x < ob {
			continue
		}
		// The rows whose pixel in column x lies in [m0, m1).
		y0, y1 := (m0-x+s.OutW-1)/s.OutW, (m1-x+s.OutW-1)/s.OutW
		for ; y0 < y1; y0 += c.tile {
			rows := min(c.tile, y1-y0)
			k := s.K()
			for i := range rows {
				m := (y0+i)*s.OutW + x
				im2col(s, in, m, m+1, 0, scratch[i*k:(i+1)*k])
			}
			GemmF32(scratch, k, rows, c.W, p0, p1, out[(y0*s.OutW+x)*s.OutC:], s.OutW*s.OutC, c.Lo, c.Hi)
		}
	}
}

// directRow computes the pixels [m0, m1) of one output row, all of whose
// columns lie inside the input, with the seg kernel.
func (c *ConvF32) directRow(in, out []float32, m0, m1, p0, p1 int) {
	s, w := &c.Shape, c.W
	ox, row := m0%s.OutW, m0/s.OutW
	oy, b := row%s.OutH, row/s.OutH
	iy0 := oy*s.StrideH - s.PadTop
	ky0, ky1 := tapRange(iy0, s.KH, s.DilH, s.InH)
	kseg, lda, segStride := s.KW*s.InC, s.StrideW*s.InC, s.DilH*s.InW*s.InC
	rows, nseg := m1-m0, ky1-ky0
	a0 := 0
	if nseg == 0 {
		ky0 = 0
	} else {
		a0 = ((b*s.InH+iy0+ky0*s.DilH)*s.InW + ox*s.StrideW - s.PadLeft) * s.InC
		// The kernel reads up to the last window row of the last pixel.
		_ = in[a0+(rows-1)*lda+(nseg-1)*segStride+kseg-1]
	}
	n := s.OutC
	_ = out[(m1-1)*n+min(p1*gemmNR, n)-1]
	psz := gemmNR * w.K
	for p := p0; p < p1; p += 2 {
		c0 := p * gemmNR
		nc := min(gemmNR, n-c0)
		if p+1 < p1 {
			nc = min(2*gemmNR, n-c0)
		}
		w.simd.seg(&in[a0], lda, rows, &w.data[p*psz+ky0*kseg*gemmNR], psz, kseg, nseg, segStride,
			&w.bias[c0], c.Lo, c.Hi, &out[m0*n+c0], n, nc)
	}
}

// ConvQ is an 8-bit quantized convolution (int8 or uint8 activations)
// prepared at load.
type ConvQ[T Quant8] struct {
	Shape ConvShape
	W     *PackedQ
	Rq    *Requant
	// InZP is the input zero point, the value of padding.
	InZP T
	tile int
	// band is the number of output rows runWindows computes at a time,
	// 0 when it does not fit the convolution, and win the weights it
	// multiplies (see setWindows).
	band int
	win  *PackedQ
}

// flips reports whether c turns its int8 activations into uint8 once per
// tile, in scratch, for kernels that take them so (see gemmQFlipped): in
// place after im2col, and in a copy for a pointwise convolution when it
// has at least 4 output channels per input one (the expansions of inverted
// residual blocks; the per-operator minimums of mobilenet_v2 improved 3 to
// 10% on those and worsened 5 to 15% on the projections, whose
// channels are fewer than their inputs', where the copy costs more than
// the kernels save).
func (c *ConvQ[T]) flips() bool {
	s := &c.Shape
	return isSigned(T(0)) && c.W.takesFlipped() && (!s.pointwise() || s.OutC >= 4*s.K())
}

// NewConvQ packs the weights w [OutC][KH][KW][InC] with their zero
// point(s) and folds bias (nil for none) and the input zero point into rq.
func NewConvQ[T Quant8, W Quant8](s ConvShape, w []W, wZP []int32, bias []int32, inZP int32, rq *Requant) *ConvQ[T] {
	p := packQ(w, s.OutC, s.K(), wZP, false)
	p.FoldBias(rq, bias, inZP)
	c := &ConvQ[T]{Shape: s, W: p, Rq: rq, InZP: T(inZP), tile: convTile(&s, 1)}
	setWindows(c, w, wZP)
	return c
}

// ScratchLen is the number of scratch elements one worker needs: a tile
// of gathered (or turned) rows and 3 more, so that the SIMD kernels, which
// read each row's K rounded up to a multiple of 4 (weights past K are
// zero), can read the last row too.
func (c *ConvQ[T]) ScratchLen() int {
	s := &c.Shape
	if s.pointwise() && !c.flips() {
		return 0
	}
	n := c.tile*s.K() + 3
	if c.band > 0 {
		// The band, and 3 bytes that the last row of taps rounded up to
		// whole groups of 4 may read past it.
		n = max(n, s.bandHeight(c.band)*s.bandWidth()*s.InC+3)
	}
	return n
}

// Panels is the number of output channel panels.
func (c *ConvQ[T]) Panels() int { return panels(c.Shape.OutC) }

// Run computes output pixels [m0, m1) for channel panels [p0, p1).
func (c *ConvQ[T]) Run(in, out, scratch []T, m0, m1, p0, p1 int) {
	if c.band > 0 && p0%2 == 0 && (p1-p0)%2 == 0 {
		c.runWindows(in, out, scratch, m0, m1, p0, p1)
		return
	}
	s := &c.Shape
	k, n := s.K(), s.OutC
	pointwise, flip := s.pointwise(), c.flips()
	for t0 := m0; t0 < m1; t0 += c.tile {
		t1 := min(t0+c.tile, m1)
		a := scratch
		switch {
		case pointwise && flip:
			flipBytes(asBytes(scratch[:(t1-t0)*k]), asBytes(in[t0*k:t1*k]))
		case pointwise:
			a = in[t0*k:]
		default:
			im2colQ(s, in, t0, t1, c.InZP, scratch)
			if flip {
				b := asBytes(scratch[:(t1-t0)*k])
				flipBytes(b, b)
			}
		}
		if flip {
			gemmQFlipped(asBytes(a), k, t1-t0, c.W, c.Rq, p0, p1, asInt8(out[t0*n:]), n)
			continue
		}
		GemmQ(a, k, t1-t0, c.W, c.Rq, p0, p1, out[t0*n:], n)
	}
}
