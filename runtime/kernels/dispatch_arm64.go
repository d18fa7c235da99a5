//go:build !purego

package kernels

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

// On arm64 the 8-bit product uses SDOT when the CPU has the dot product
// extension and the weights fit int8, and SMLAL by lane on int16 weights
// otherwise; the float32 product uses FMLA. NEON is always present.

//go:noescape
func gemmQSDOT(a *byte, lda, rows int, w *byte, kg int, bias, sum *int32, scale *float32, lo, hi float32, zp, signed int32, c *byte, ldc int)

//go:noescape
func gemmQSMLAL(a *byte, lda, rows int, w *byte, kg int, bias, sum *int32, scale *float32, lo, hi float32, zp, signed int32, c *byte, ldc int)

//go:noescape
func gemmF32NEON(a *float32, lda, rows int, w *float32, k int, bias *float32, lo, hi float32, c *float32, ldc, nc int)

func init() {
	if cpu.ARM64.HasASIMDDP {
		qVariants = append(qVariants, &qVariant{name: "sdot", pack: packQ8, run: gemmQSDOT})
	}
	qVariants = append(qVariants, &qVariant{name: "smlal", pack: packQ16K, run: gemmQSMLAL})
	f32Variants = append(f32Variants, &f32Variant{name: "fmla", run: gemmF32NEON})
}

// packQ16K lays out w' as the generic panels do ([k][gemmNR] int16) with
// K padded with zeros to whole groups of 4. Every w' fits.
func packQ16K(p *PackedQ) []byte {
	kp := (p.K + 3) / 4 * 4
	np := panels(p.N)
	out := make([]int16, np*kp*gemmNR)
	for i := 0; i < np; i++ {
		copy(out[i*kp*gemmNR:], p.panel(i))
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(out))), len(out)*2)
}

//go:noescape
func dwF32NEON(x *float32, rowStep, colStep int, w *float32, kh, kw, wSkip, nc, cs int, bias *float32, lo, hi float32, out *float32)

//go:noescape
func dwQNEON(x *byte, rowStep, colStep int, w *int16, kh, kw, wSkip, nc, cs int, init, bias *int32, scale *float32, lo, hi float32, zp, signed, xzp int32, out *byte)

func init() {
	dwVariants = append(dwVariants, &dwVariant{name: "neon", f32: dwF32NEON, q: dwQNEON})
}
