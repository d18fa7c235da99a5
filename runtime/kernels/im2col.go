package kernels

// ConvShape is the geometry of a 2-D convolution on NHWC tensors: input
// [Batches, InH, InW, InC], output [Batches, OutH, OutW, OutC], a KH×KW
// window moved by the strides, with dilation, and PadTop/PadLeft implicit
// rows and columns of padding before the input.
type ConvShape struct {
	Batches, InH, InW, InC int
	OutH, OutW, OutC       int
	KH, KW                 int
	StrideH, StrideW       int
	DilH, DilW             int
	PadTop, PadLeft        int
}

// Pad returns the padding before the input along one dimension, TFLite's
// ComputePadding: half (rounded down) of what is needed to produce out
// values from in with the given window, stride and dilation.
func Pad(in, out, k, stride, dil int) int {
	eff := (k-1)*dil + 1
	return max((out-1)*stride+eff-in, 0) / 2
}

// OutSize returns the output size along one dimension for SAME (same=true)
// or VALID padding.
func OutSize(in, k, stride, dil int, same bool) int {
	if same {
		return (in + stride - 1) / stride
	}
	eff := (k-1)*dil + 1
	return (in - eff + stride) / stride
}

// Pixels is the number of output pixels (Batches·OutH·OutW).
func (s *ConvShape) Pixels() int { return s.Batches * s.OutH * s.OutW }

// K is the number of input values per output (KH·KW·InC).
func (s *ConvShape) K() int { return s.KH * s.KW * s.InC }

// insideCols returns the output columns [oa, ob) whose windows lie across
// the input: all KW taps of each inside it (oa == ob when there is none).
func (s *ConvShape) insideCols() (oa, ob int) {
	oa = (s.PadLeft + s.StrideW - 1) / s.StrideW
	last := s.InW - 1 - (s.KW-1)*s.DilW + s.PadLeft // largest ix0 + PadLeft
	if last < 0 {
		return 0, 0
	}
	ob = min(s.OutW, last/s.StrideW+1)
	return min(oa, ob), ob
}

// pointwise reports whether the convolution is a plain matrix product of
// the input pixels (1×1 window, stride 1, no padding).
func (s *ConvShape) pointwise() bool {
	return s.KH == 1 && s.KW == 1 && s.StrideH == 1 && s.StrideW == 1 && s.PadTop == 0 && s.PadLeft == 0 &&
		s.OutH == s.InH && s.OutW == s.InW
}

// im2col writes, for output pixels [m0, m1), the row of K input values each
// one sees (in [ky][kx][c] order, like the weights) to dst, using pad for
// positions outside the input.
func im2col[T float32 | int8 | uint8](s *ConvShape, in []T, m0, m1 int, pad T, dst []T) {
	k := s.K()
	rowLen := s.KW * s.InC
	// The pixel's coordinates advance with m rather than being divided
	// out of it each time.
	ox, oy, b := m0%s.OutW, (m0/s.OutW)%s.OutH, m0/(s.OutW*s.OutH)
	for m := m0; m < m1; m, ox = m+1, ox+1 {
		if ox == s.OutW {
			ox, oy = 0, oy+1
			if oy == s.OutH {
				oy, b = 0, b+1
			}
		}
		row := dst[(m-m0)*k : (m-m0+1)*k]
		iy0 := oy*s.StrideH - s.PadTop
		ix0 := ox*s.StrideW - s.PadLeft
		for ky := 0; ky < s.KH; ky++ {
			seg := row[ky*rowLen : (ky+1)*rowLen]
			iy := iy0 + ky*s.DilH
			if iy < 0 || iy >= s.InH {
				fill(seg, pad)
				continue
			}
			base := (b*s.InH + iy) * s.InW
			if s.DilW == 1 && ix0 >= 0 && ix0+s.KW <= s.InW {
				copy(seg, in[(base+ix0)*s.InC:(base+ix0+s.KW)*s.InC])
				continue
			}
			for kx := 0; kx < s.KW; kx++ {
				px := seg[kx*s.InC : (kx+1)*s.InC]
				ix := ix0 + kx*s.DilW
				if ix < 0 || ix >= s.InW {
					fill(px, pad)
					continue
				}
				copy(px, in[(base+ix)*s.InC:(base+ix+1)*s.InC])
			}
		}
	}
}

func fill[T any](s []T, v T) {
	const short = 64
	for i := range s[:min(len(s), short)] {
		s[i] = v
	}
	// Past that, doubling copies: a few memmoves rather than one store per
	// value.
	for n := short; n < len(s); n *= 2 {
		copy(s[n:], s[:n])
	}
}

// Split returns part i of n items divided into parts pieces whose bounds
// are multiples of align (except the end).
func Split(n, parts, i, align int) (lo, hi int) {
	units := (n + align - 1) / align
	per, extra := units/parts, units%parts
	lo = i*per + min(i, extra)
	hi = lo + per
	if i < extra {
		hi++
	}
	return min(lo*align, n), min(hi*align, n)
}
