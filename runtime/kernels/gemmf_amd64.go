//go:build !purego

package kernels

// gemmF32Seg512 is the seg kernel of the avx512 float32 variant: blocks of
// 8 rows on 512-bit registers for two panels, 256-bit ones for one.
//
//go:noescape
func gemmF32Seg512(a *float32, lda, rows int, w *float32, psz, kseg, nseg, segStride int, bias *float32, lo, hi float32, c *float32, ldc, nc int)

// gemmF32SegFMA is the seg kernel of the avx2fma float32 variant: blocks
// of 4 rows for two panels, 8 for one.
//
//go:noescape
func gemmF32SegFMA(a *float32, lda, rows int, w *float32, psz, kseg, nseg, segStride int, bias *float32, lo, hi float32, c *float32, ldc, nc int)
