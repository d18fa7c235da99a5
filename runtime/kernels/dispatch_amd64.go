//go:build !purego

package kernels

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

// On amd64 the 8-bit product uses AVX-512 VNNI (VPDPBUSD, uint8 by int8)
// on any weights: a channel whose w' does not fit int8 (uint8 weights far
// from their zero point) is stored with an offset that the kernels take
// back out with the sums of the activation rows; AVX2 (VPMADDWD on int16
// pairs) on CPUs without VNNI. The float32 product (gemmf_amd64.s) uses
// AVX-512, or AVX2 with FMA, in its segmented form.

//go:noescape
func gemmQVNNI(a *byte, lda, rows int, w *byte, kg int, bias, sum *int32, scale *float32, lo, hi float32, zp, signed int32, c *byte, ldc int, offs *int32, rsum uintptr)

//go:noescape
func gemmQVNNI512(a *byte, lda, rows int, w *byte, psz, kg int, bias, sum *int32, scale *float32, lo, hi float32, zp, signed int32, c *byte, ldc int, offs *int32, rsum uintptr, segs, segSkip int)

//go:noescape
func gemmQVNNITail(a *byte, lda, rows int, w *byte, kg int, bias, sum *int32, scale *float32, lo, hi float32, zp, signed int32, c *byte, ldc, nc int, offs *int32, rsum uintptr)

//go:noescape
func gemmQAVX2(a *byte, lda, rows int, w *byte, kg int, bias, sum *int32, scale *float32, lo, hi float32, zp, signed int32, c *byte, ldc int, offs *int32, rsum uintptr)

func init() {
	if cpu.X86.HasAVX512VNNI && cpu.X86.HasAVX512VL && cpu.X86.HasAVX512BW && cpu.X86.HasAVX2 {
		qVariants = append(qVariants, &qVariant{name: "avx512vnni", pack: packQ8Off, run: gemmQVNNI, wide: gemmQVNNI512, tail: gemmQVNNITail, quad: gemmQVNNI512x4, flipped: true, windows: true})
	}
	if cpu.X86.HasAVX2 {
		qVariants = append(qVariants, &qVariant{name: "avx2", pack: packQ16, run: gemmQAVX2})
	}
	if cpu.X86.HasAVX512F && cpu.X86.HasAVX512VL && cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		f32Variants = append(f32Variants, &f32Variant{name: "avx512", seg: gemmF32Seg512})
	}
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		f32Variants = append(f32Variants, &f32Variant{name: "avx2fma", seg: gemmF32SegFMA})
	}
}

//go:noescape
func dwF32FMA(x *float32, rowStep, colStep int, w *float32, kh, kw, wSkip, nc, cs int, bias *float32, lo, hi float32, out *float32)

//go:noescape
func dwQAVX2(x *byte, rowStep, colStep int, w *int16, kh, kw, wSkip, nc, cs int, init, bias *int32, scale *float32, lo, hi float32, zp, signed, xzp int32, out *byte)

//go:noescape
func dwF32AVX512(x *float32, rowStep, colStep int, w *float32, kh, kw, wSkip, nc, cs int, bias *float32, lo, hi float32, out *float32, n, xStep int)

//go:noescape
func dwQAVX512(x *byte, rowStep, colStep int, w *int16, kh, kw, wSkip, nc, cs int, init, bias *int32, scale *float32, lo, hi float32, zp, signed, xzp int32, out *byte, n, xStep int)

func init() {
	if cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW && cpu.X86.HasAVX512VL {
		v := &dwVariant{
			name: "avx512",
			f32: func(x *float32, rowStep, colStep int, w *float32, kh, kw, wSkip, nc, cs int, bias *float32, lo, hi float32, out *float32) {
				dwF32AVX512(x, rowStep, colStep, w, kh, kw, wSkip, nc, cs, bias, lo, hi, out, 1, 0)
			},
			q: func(x *byte, rowStep, colStep int, w *int16, kh, kw, wSkip, nc, cs int, init, bias *int32, scale *float32, lo, hi float32, zp, signed, xzp int32, out *byte) {
				dwQAVX512(x, rowStep, colStep, w, kh, kw, wSkip, nc, cs, init, bias, scale, lo, hi, zp, signed, xzp, out, 1, 0)
			},
			f32Row: func(x *float32, rowStep, colStep int, w *float32, kh, kw, wSkip, nc, cs int, bias *float32, lo, hi float32, out *float32, n, xStep int) {
				dwF32Tile(x, rowStep, colStep, w, kh, kw, wSkip, nc, cs, bias, lo, hi, out, n, xStep, 4*cs)
			},
			f32Cols:  dwF32Tile,
			qRow:     dwQAVX512,
			rawInt8:  true,
			anyNCF32: true,
		}
		if cpu.X86.HasAVX512VNNI {
			v.qTile, v.qTileU = dwQTile, dwQTileU
		}
		dwVariants = append(dwVariants, v)
	}
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		dwVariants = append(dwVariants, &dwVariant{name: "avx2fma", f32: dwF32FMA, q: dwQAVX2})
	}
}

// packQ16 lays out w' as int16 pairs of K for each channel of a panel,
// two pairs (4 values of K) per group: element ((p·kg + g)·2 + h)·2·gemmNR
// + 2j + i is w'[p·gemmNR+j][4g+2h+i]. Every w' fits.
func packQ16(p *PackedQ) []byte {
	kg := (p.K + 3) / 4
	out := make([]int16, panels(p.N)*kg*gemmNR*4)
	for n := 0; n < p.N; n++ {
		pn, j := n/gemmNR, n%gemmNR
		src := p.panel(pn)
		for k := 0; k < p.K; k++ {
			g, h, i := k/4, (k%4)/2, k%2
			out[((pn*kg+g)*2+h)*2*gemmNR+2*j+i] = src[k*gemmNR+j]
		}
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(out))), len(out)*2)
}

//go:noescape
func addQ8AVX512(x, y, z *byte, n int, ma, mb, bias, shift, zero, lo, hi, signed int32)

//go:noescape
func clampF32AVX512(in, out *float32, n int, lo, hi float32)

//go:noescape
func sqrtF32AVX512(in, out *float32, n int)

//go:noescape
func binF32AVX512(op int, a, b, out *float32, n, astep, bstep int, lo, hi float32)

//go:noescape
func quantF32AVX512(in *float32, out *byte, n int, inv, flo, fhi float32, zero int32)

//go:noescape
func mulQ8AVX512(x, y, z *byte, n, ystep int, za, zb, yv int32, scale, lo, hi float32, zero, signed int32)

func init() {
	if cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW {
		addQ8SIMD = addQ8AVX512
		clampF32SIMD = clampF32AVX512
		sqrtF32SIMD = sqrtF32AVX512
		mulQ8SIMD = mulQ8AVX512
		binF32SIMD = binF32AVX512
		quantF32SIMD = quantF32AVX512
	}
}
