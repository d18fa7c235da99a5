package kernels

import "unsafe"

// im2colQ is im2col for 8-bit values. When a window's row of taps is at
// most maxMoveRow bytes (KW·InC, undilated: the first convolution of most
// image models, 3×3 over RGB, has 9; a 3×3 over 16 channels 48), it moves
// each such row of a window that lies inside the input as 16-byte arrays
// (one vector move each on amd64 and arm64) rather than with a memmove
// call: a few instructions instead of a few dozen (the 3×3 over 16
// channels of tiny_resnet8 spent 60% of its time in im2col's memmoves).
// The moves may write up to 15 bytes past a row; the rows are written in
// order, so those bytes are written again by the next. Pixels whose
// window crosses the border, or whose moves would read past the input or
// write past dst, take borderWindows.
// maxMoveRow is the longest window row that im2colQ moves in 16-byte
// arrays.
const maxMoveRow = 256

func im2colQ[T int8 | uint8](s *ConvShape, in []T, m0, m1 int, pad T, dst []T) {
	rowLen := s.KW * s.InC
	if rowLen > maxMoveRow || s.DilW != 1 {
		im2col(s, in, m0, m1, pad, dst)
		return
	}
	// span is rowLen rounded up to whole moves.
	span := (rowLen + 15) &^ 15
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
			// The last pixel's moves read up to (kh-1)·rowStep + span
			// bytes from its first tap and write less than k + 16.
			i0 := ((b*s.InH+iy0)*s.InW + (a-(m-ox))*s.StrideW - s.PadLeft) * s.InC
			if z > a {
				for z > a && (i0+(z-1-a)*colStep+lastY*s.InW*s.InC+span > len(src) || (z-m0)*k+16 > len(d)) {
					z--
				}
			}
			if z > a {
				w := windowMove{dst: unsafe.Pointer(&d[(a-m0)*k]), src: unsafe.Pointer(&src[i0]),
					n: z - a, kh: kh, k: k, rowLen: rowLen, rowStep: rowStep, colStep: colStep}
				moveWindows(&w, span)
			} else {
				a, z = end, end
			}
		}
		if a > m {
			borderWindows(s, src, m, a, byte(pad), d[(m-m0)*k:])
		}
		if end > z {
			borderWindows(s, src, z, end, byte(pad), d[(z-m0)*k:])
		}
		m = end
	}
}

// windowMove is the work of moveWindows: n pixels' windows of kh rows of
// rowLen bytes, rowStep apart in src and the pixels colStep apart, into
// dst, k bytes a pixel.
type windowMove struct {
	dst, src                           unsafe.Pointer
	n, kh, k, rowLen, rowStep, colStep int
}

// moveWindows moves each window row of w as span bytes (rowLen rounded up
// to a multiple of 16), 16-byte arrays that the compiler moves with one
// vector load and store each, with no call and no bounds checks. The
// caller has checked that every move stays within src and dst.
func moveWindows(w *windowMove, span int) {
	// The pointers step to the next row and pixel only when there is one:
	// a pointer stepped past the last row would point outside src or dst,
	// which the garbage collector and -race's checkptr refuse.
	if w.n <= 0 || w.kh <= 0 {
		return
	}
	dst, src := w.dst, w.src
	for p := 1; ; p++ {
		d, s := dst, src
		for r := 1; ; r++ {
			*(*[16]byte)(d) = *(*[16]byte)(s)
			if span > 16 {
				*(*[16]byte)(unsafe.Add(d, 16)) = *(*[16]byte)(unsafe.Add(s, 16))
				if span > 32 {
					*(*[16]byte)(unsafe.Add(d, 32)) = *(*[16]byte)(unsafe.Add(s, 32))
					if span > 48 {
						*(*[16]byte)(unsafe.Add(d, 48)) = *(*[16]byte)(unsafe.Add(s, 48))
						for c := 64; c < span; c += 16 {
							*(*[16]byte)(unsafe.Add(d, c)) = *(*[16]byte)(unsafe.Add(s, c))
						}
					}
				}
			}
			if r == w.kh {
				break
			}
			d = unsafe.Add(d, w.rowLen)
			s = unsafe.Add(s, w.rowStep)
		}
		if p == w.n {
			return
		}
		dst = unsafe.Add(dst, w.k)
		src = unsafe.Add(src, w.colStep)
	}
}

// borderWindows writes the windows of the pixels [m0, m1) of one output
// row into dst, k bytes each, for an undilated row of taps: the window is
// first filled with pad, 16 bytes a store, and then each of its rows that
// lies in the input gets its taps inside the input with one copy (im2col
// fills and copies tap by tap, a call or a byte loop for each).
func borderWindows(s *ConvShape, src []byte, m0, m1 int, pad byte, dst []byte) {
	k, rowLen := s.K(), s.KW*s.InC
	var pp [16]byte
	for i := range pp {
		pp[i] = pad
	}
	ox, row := m0%s.OutW, m0/s.OutW
	oy, b := row%s.OutH, row/s.OutH
	iy0 := oy*s.StrideH - s.PadTop
	for m := m0; m < m1; m, ox = m+1, ox+1 {
		win := dst[(m-m0)*k : (m-m0+1)*k]
		i := 0
		for ; i+16 <= k; i += 16 {
			*(*[16]byte)(win[i:]) = pp
		}
		for ; i < k; i++ {
			win[i] = pad
		}
		ix0 := ox*s.StrideW - s.PadLeft
		kx0, kx1 := max(0, -ix0), min(s.KW, s.InW-ix0)
		if kx1 <= kx0 {
			continue
		}
		for ky := range s.KH {
			iy := iy0 + ky*s.DilH
			if iy < 0 || iy >= s.InH {
				continue
			}
			at := ((b*s.InH+iy)*s.InW + ix0) * s.InC
			copy(win[ky*rowLen+kx0*s.InC:ky*rowLen+kx1*s.InC], src[at+kx0*s.InC:at+kx1*s.InC])
		}
	}
}
