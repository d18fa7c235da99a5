package kernels

import "unsafe"

// im2colQ is im2col for 8-bit values. When a window's row of taps is at
// most 16 bytes (KW·InC, undilated: the first convolution of most image
// models, 3×3 over RGB, has 9), it moves each such row of a window that
// lies inside the input as one 16-byte array (one vector move on amd64 and
// arm64) rather than with a memmove call: a few instructions instead of a
// few dozen. The move may write up to 16 bytes; the rows are written in
// order, so the bytes past a row's end are written again by the next.
// Pixels whose window crosses the border, or whose moves would read past
// the input or write past dst, take im2col.
func im2colQ[T int8 | uint8](s *ConvShape, in []T, m0, m1 int, pad T, dst []T) {
	rowLen := s.KW * s.InC
	if rowLen > 16 || s.DilW != 1 {
		im2col(s, in, m0, m1, pad, dst)
		return
	}
	src := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(in))), len(in))
	d := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(dst))), len(dst))
	k, kh := s.K(), s.KH
	oxa, oxb := s.insideCols()
	rowStep := s.DilH * s.InW * s.InC
	colStep := s.StrideW * s.InC
	lastY := (kh - 1) * s.DilH
	for m := m0; m < m1; {
		ox, oy, b := m%s.OutW, (m/s.OutW)%s.OutH, m/(s.OutW*s.OutH)
		end := min(m1, m-ox+s.OutW) // the end of this output row
		iy0 := oy*s.StrideH - s.PadTop
		a, z := end, end // the pixels [a, z) take the moves
		if iy0 >= 0 && iy0+lastY < s.InH {
			a, z = max(m, m-ox+oxa), min(end, m-ox+oxb)
			// The last pixel's moves read up to (kh-1)·rowStep + 16
			// bytes from its first tap and write k + 16 bytes.
			i0 := ((b*s.InH+iy0)*s.InW + (a-(m-ox))*s.StrideW - s.PadLeft) * s.InC
			if z > a {
				for z > a && (i0+(z-1-a)*colStep+lastY*s.InW*s.InC+16 > len(src) || (z-m0)*k+16 > len(d)) {
					z--
				}
			}
			if z > a {
				i := i0
				for o := (a - m0) * k; o < (z-m0)*k; o += k {
					j, p := i, o
					for range kh {
						*(*[16]byte)(d[p:]) = *(*[16]byte)(src[j:])
						j += rowStep
						p += rowLen
					}
					i += colStep
				}
			} else {
				a, z = end, end
			}
		}
		if a > m {
			im2col(s, in, m, a, pad, dst[(m-m0)*k:])
		}
		if end > z {
			im2col(s, in, z, end, pad, dst[(z-m0)*k:])
		}
		m = end
	}
}
