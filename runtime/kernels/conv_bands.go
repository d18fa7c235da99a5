package kernels

import "unsafe"

// An 8-bit convolution can skip im2col on kernels that read a row's K in
// segments (qVariant.windows): the input rows a band of output rows
// needs are copied once into scratch with the padding filled in (and,
// for int8 activations, turned into uint8 a+128 on the way), and the
// kernel reads each pixel's window from there in place, one segment per
// row of taps. im2col writes every input value KH·KW times; the band
// copy writes it about once. On tiny_resnet8's 3×3 convolutions over 16
// channels im2col and the flip were a third of the operator's time. A
// row of taps that is not whole groups of 4 bytes (3×3 over RGB: 9) is
// read rounded up to whole groups, the bytes past it multiplied by
// weights w' = 0 added to the packed rows.

// setWindows makes c run in bands when it can (see windowsFit), with the
// weights w [OutC][KH][KW][InC] and their zero points packed again, rows
// of taps padded, when the rows are not whole groups of 4.
func setWindows[T, W Quant8](c *ConvQ[T], w []W, wZP []int32) {
	s := &c.Shape
	if !c.windowsFit(c.W) {
		return
	}
	c.win = c.W
	if rowLen := s.KW * s.InC; rowLen%4 != 0 {
		row4 := (rowLen + 3) &^ 3
		padded := make([]W, s.OutC*s.KH*row4)
		for o := range s.OutC {
			zp := W(wZP[min(o, len(wZP)-1)])
			for ky := range s.KH {
				d := padded[(o*s.KH+ky)*row4 : (o*s.KH+ky+1)*row4]
				copy(d, w[(o*s.KH+ky)*rowLen:(o*s.KH+ky+1)*rowLen])
				for i := rowLen; i < row4; i++ {
					d[i] = zp
				}
			}
		}
		c.win = packQ(padded, s.OutC, s.KH*row4, wZP, false)
		if !c.windowsFit(c.win) {
			c.win = nil
			return
		}
	}
	c.band = c.windowBand()
}

// windowsFit reports whether c can run runWindows with the weights w: a
// SIMD variant that reads windows, weights stored without offsets, whole
// pairs of full panels, no column dilation, and a window wider than one
// pixel (a 1×1 convolution with stride gathers a quarter of its input or
// less; copying the band would copy it all).
func (c *ConvQ[T]) windowsFit(w *PackedQ) bool {
	s := &c.Shape
	return w.simd != nil && w.simd.windows && w.offs == nil &&
		(!isSigned(T(0)) || w.simd.flipped) &&
		s.OutC%(2*gemmNR) == 0 && s.DilW == 1 && s.KH*s.KW > 1
}

// bandWidth is the number of input columns a band row holds: from the
// first pixel's first tap, padding included, to the last pixel's last.
func (s *ConvShape) bandWidth() int { return (s.OutW-1)*s.StrideW + s.KW }

// bandHeight is the number of input rows that rows output rows read.
func (s *ConvShape) bandHeight(rows int) int { return (rows-1)*s.StrideH + (s.KH-1)*s.DilH + 1 }

// windowBand returns the number of output rows runWindows computes per
// band, at least one, so that the band stays within about the scratch
// that im2col would use for a tile of the convolution.
func (c *ConvQ[T]) windowBand() int {
	s := &c.Shape
	rowBytes := s.bandWidth() * s.InC
	rows := 1
	for rows < s.OutH && s.bandHeight(rows+1)*rowBytes <= c.tile*s.K() {
		rows++
	}
	return rows
}

// runWindows is Run for a convolution that windowsFit.
func (c *ConvQ[T]) runWindows(in, out, scratch []T, m0, m1, p0, p1 int) {
	s, w, rq := &c.Shape, c.win, c.Rq
	n := s.OutC
	rowBytes := s.bandWidth() * s.InC
	band := asBytes(scratch)
	src, dst := asBytes(in), asBytes(out)
	var signed int32
	pad := byte(c.InZP)
	if isSigned(T(0)) {
		signed, pad = 3, pad^0x80
	}
	rowLen := (s.KW*s.InC + 3) &^ 3 // bytes read per row of taps
	kg, segSkip := rowLen/4, s.DilH*rowBytes-rowLen
	lda := s.StrideW * s.InC
	psz := len(w.simdData) / panels(w.N)
	for m := m0; m < m1; {
		row := m / s.OutW // b·OutH + oy
		b, oy0 := row/s.OutH, row%s.OutH
		last := (m1 - 1) / s.OutW
		oy1 := min(oy0+c.band, s.OutH, last-b*s.OutH+1)
		iy0 := oy0*s.StrideH - s.PadTop
		h := s.bandHeight(oy1 - oy0)
		fillBand(s, src, b, iy0, h, rowBytes, pad, signed == 3, band)
		for oy := oy0; oy < oy1; oy++ {
			x0, x1 := 0, s.OutW
			if oy == oy0 {
				x0 = m - row*s.OutW
			}
			if b*s.OutH+oy == last {
				x1 = m1 - last*s.OutW
			}
			at := (oy-oy0)*s.StrideH*rowBytes + x0*lda
			// The last pixel's last segment ends within the band.
			_ = band[at+(x1-x0-1)*lda+(s.KH-1)*s.DilH*rowBytes+rowLen-1]
			ab := unsafe.Pointer(&band[at])
			o := ((b*s.OutH+oy)*s.OutW + x0) * n
			_ = dst[o+(x1-x0-1)*n+p1*gemmNR-1]
			for p := p0; p < p1; {
				c0 := p * gemmNR
				cb := (*byte)(unsafe.Pointer(&dst[o+c0]))
				if p+3 < p1 {
					w.simd.quad((*byte)(ab), lda, x1-x0, &w.simdData[p*psz], psz, kg, &rq.Bias[c0], &w.sum[c0], &rq.Scale[c0],
						rq.lo, rq.hi, rq.ZeroPoint, signed, cb, n, nil, 0, s.KH, segSkip)
					p += 4
					continue
				}
				w.simd.wide((*byte)(ab), lda, x1-x0, &w.simdData[p*psz], psz, kg, &rq.Bias[c0], &w.sum[c0], &rq.Scale[c0],
					rq.lo, rq.hi, rq.ZeroPoint, signed, cb, n, nil, 0, s.KH, segSkip)
				p += 2
			}
		}
		m = (b*s.OutH + oy1) * s.OutW
	}
}

// fillBand writes the h input rows from iy0 of batch b into band, each
// rowBytes long and starting PadLeft columns before the input's first:
// the values inside the input (turned into uint8 a+128 when flip), pad
// outside it.
func fillBand(s *ConvShape, src []byte, b, iy0, h, rowBytes int, pad byte, flip bool, band []byte) {
	left := min(s.PadLeft*s.InC, rowBytes)
	inRow := s.InW * s.InC
	inside := max(0, min(inRow, rowBytes-left)) // input bytes a band row holds
	for r := range h {
		d := band[r*rowBytes : (r+1)*rowBytes]
		iy := iy0 + r
		if iy < 0 || iy >= s.InH {
			fillBytes(d, pad)
			continue
		}
		fillBytes(d[:left], pad)
		at := (b*s.InH + iy) * inRow
		if flip {
			flipBytes(d[left:left+inside], src[at:at+inside])
		} else {
			copy(d[left:left+inside], src[at:at+inside])
		}
		fillBytes(d[left+inside:], pad)
	}
}

// fillBytes sets every byte of d to v.
func fillBytes(d []byte, v byte) {
	for i := range d {
		d[i] = v
	}
}
