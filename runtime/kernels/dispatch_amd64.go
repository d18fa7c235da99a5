//go:build !purego

package kernels

import "golang.org/x/sys/cpu"

// On amd64 the 8-bit product uses AVX-512 VNNI (VPDPBUSD on 256-bit
// registers) when the weights fit int8, and AVX2 (VPMADDWD on int16 pairs)
// otherwise or on CPUs without VNNI; the float32 product uses AVX2 with FMA.

//go:noescape
func gemmQVNNI(a *byte, lda, rows int, w *byte, kg int, bias, sum *int32, scale *float32, lo, hi float32, zp, signed int32, c *byte, ldc int)

//go:noescape
func gemmQAVX2(a *byte, lda, rows int, w *byte, kg int, bias, sum *int32, scale *float32, lo, hi float32, zp, signed int32, c *byte, ldc int)

//go:noescape
func gemmF32FMA(a *float32, lda, rows int, w *float32, k int, bias *float32, lo, hi float32, c *float32, ldc, nc int)

func init() {
	if cpu.X86.HasAVX512VNNI && cpu.X86.HasAVX512VL && cpu.X86.HasAVX2 {
		qVariants = append(qVariants, &qVariant{name: "avx512vnni", pack: packQ8, run: gemmQVNNI})
	}
	if cpu.X86.HasAVX2 {
		qVariants = append(qVariants, &qVariant{name: "avx2", pack: packQ16, run: gemmQAVX2})
	}
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		f32Variants = append(f32Variants, &f32Variant{name: "avx2fma", run: gemmF32FMA})
	}
}

//go:noescape
func dwF32FMA(x *float32, rowStep, colStep int, w *float32, kh, kw, wSkip, nc int, bias *float32, lo, hi float32, out *float32)

//go:noescape
func dwQAVX2(x *byte, rowStep, colStep int, w *int16, kh, kw, wSkip, nc int, init, bias *int32, scale *float32, lo, hi float32, zp, signed, xzp int32, out *byte)

func init() {
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		dwVariants = append(dwVariants, &dwVariant{name: "avx2fma", f32: dwF32FMA, q: dwQAVX2})
	}
}
