//go:build !purego

package kernels

import (
	"math"
	"unsafe"

	"golang.org/x/sys/cpu"
)

// On arm64 the 8-bit product uses I8MM (SMMLA, USMMLA) when the CPU has
// the 8-bit matrix multiply extension, SDOT by element when it has the dot
// product extension, both when the weights fit int8, then SMULL on int8
// when the weights lie in [-127, 127] (the path of CPUs without the dot
// product, like the Cortex-A72), and SMLAL by lane on int16 weights
// otherwise; the float32 product uses FMLA. NEON is always
// present.

// gemmQDot and gemmQMM compute any number of rows (at least one) times
// one panel (nc ≤ gemmNR) or the two panels at w and w+psz (nc >
// gemmNR), and store the first nc channels of each row: they serve as
// the run, wide and tail of their variants.

//go:noescape
func gemmQDot(a *byte, lda, rows int, w *byte, psz, kg int, bias, sum *int32, scale *float32, lo, hi float32, zp, signed int32, c *byte, ldc, nc int)

//go:noescape
func gemmQMM(a *byte, lda, rows int, w *byte, psz, kg int, bias, sum *int32, scale *float32, lo, hi float32, zp, signed int32, c *byte, ldc, nc int)

//go:noescape
func gemmQMull(a *byte, lda, rows int, w *byte, kg int, bias, sum *int32, scale *float32, lo, hi float32, zp, signed int32, c *byte, ldc, nc int)

//go:noescape
func gemmQSMLAL(a *byte, lda, rows int, w *byte, kg int, bias, sum *int32, scale *float32, lo, hi float32, zp, signed int32, c *byte, ldc int)

//go:noescape
func gemmF32NEON(a *float32, lda, rows int, w *float32, k int, bias *float32, lo, hi float32, c *float32, ldc, nc int)

func init() {
	if cpu.ARM64.HasI8MM {
		qVariants = append(qVariants, panelsQ("i8mm", packQ8MM, gemmQMM))
	}
	if cpu.ARM64.HasASIMDDP {
		qVariants = append(qVariants, panelsQ("sdot", packQ8, gemmQDot))
	}
	qVariants = append(qVariants, &qVariant{
		name:      "smull",
		pack:      packQ8C16,
		symmetric: true,
		run: func(a *byte, lda, rows int, w *byte, kg int, bias, sum *int32, scale *float32, lo, hi float32, zp, signed int32, c *byte, ldc int, _ *int32, _ uintptr) {
			gemmQMull(a, lda, rows, w, kg, bias, sum, scale, lo, hi, zp, signed, c, ldc, gemmNR)
		},
		wide: func(a *byte, lda, rows int, w *byte, psz, kg int, bias, sum *int32, scale *float32, lo, hi float32, zp, signed int32, c *byte, ldc int, _ *int32, _ uintptr, _, _ int) {
			gemmQMull(a, lda, rows, w, kg, bias, sum, scale, lo, hi, zp, signed, c, ldc, gemmNR)
			gemmQMull(a, lda, rows, (*byte)(unsafe.Add(unsafe.Pointer(w), psz)), kg, (*int32)(unsafe.Add(unsafe.Pointer(bias), 4*gemmNR)),
				(*int32)(unsafe.Add(unsafe.Pointer(sum), 4*gemmNR)), (*float32)(unsafe.Add(unsafe.Pointer(scale), 4*gemmNR)), lo, hi, zp, signed,
				(*byte)(unsafe.Add(unsafe.Pointer(c), gemmNR)), ldc, gemmNR)
		},
		tail: func(a *byte, lda, rows int, w *byte, kg int, bias, sum *int32, scale *float32, lo, hi float32, zp, signed int32, c *byte, ldc, nc int, _ *int32, _ uintptr) {
			gemmQMull(a, lda, rows, w, kg, bias, sum, scale, lo, hi, zp, signed, c, ldc, nc)
		},
	})
	qVariants = append(qVariants, &qVariant{name: "smlal", pack: packQ16K,
		run: func(a *byte, lda, rows int, w *byte, kg int, bias, sum *int32, scale *float32, lo, hi float32, zp, signed int32, c *byte, ldc int, _ *int32, _ uintptr) {
			gemmQSMLAL(a, lda, rows, w, kg, bias, sum, scale, lo, hi, zp, signed, c, ldc)
		}})
	f32Variants = append(f32Variants, &f32Variant{name: "fmla", run: gemmF32NEON})
}

// panelsQ makes the variant whose run, wide and tail are all k, a kernel
// with gemmQDot's arguments.
func panelsQ(name string, pack func(*PackedQ) []byte, k func(a *byte, lda, rows int, w *byte, psz, kg int, bias, sum *int32, scale *float32, lo, hi float32, zp, signed int32, c *byte, ldc, nc int)) *qVariant {
	return &qVariant{
		name: name,
		pack: pack,
		run: func(a *byte, lda, rows int, w *byte, kg int, bias, sum *int32, scale *float32, lo, hi float32, zp, signed int32, c *byte, ldc int, _ *int32, _ uintptr) {
			k(a, lda, rows, w, 0, kg, bias, sum, scale, lo, hi, zp, signed, c, ldc, gemmNR)
		},
		wide: func(a *byte, lda, rows int, w *byte, psz, kg int, bias, sum *int32, scale *float32, lo, hi float32, zp, signed int32, c *byte, ldc int, _ *int32, _ uintptr, _, _ int) {
			k(a, lda, rows, w, psz, kg, bias, sum, scale, lo, hi, zp, signed, c, ldc, 2*gemmNR)
		},
		tail: func(a *byte, lda, rows int, w *byte, kg int, bias, sum *int32, scale *float32, lo, hi float32, zp, signed int32, c *byte, ldc, nc int, _ *int32, _ uintptr) {
			k(a, lda, rows, w, 0, kg, bias, sum, scale, lo, hi, zp, signed, c, ldc, nc)
		},
	}
}

// packQ8MM lays out w' for SMMLA: for each panel, groups of 8 values of K
// (zero past K), each 4 pairs of channels of 16 bytes: byte
// (((p·kg8 + g)·4 + j/2)·2 + j%2)·8 + i is w'[p·gemmNR+j][8g+i], with kg8 =
// ⌈K/8⌉. It returns nil unless every w' is an int8.
func packQ8MM(p *PackedQ) []byte {
	kg8 := (p.K + 7) / 8
	out := make([]byte, panels(p.N)*kg8*gemmNR*8)
	for n := 0; n < p.N; n++ {
		pn, j := n/gemmNR, n%gemmNR
		src := p.panel(pn)
		for k := 0; k < p.K; k++ {
			v := src[k*gemmNR+j]
			if v < -128 || v > 127 {
				return nil
			}
			out[(((pn*kg8+k/8)*4+j/2)*2+j%2)*8+k%8] = byte(int8(v))
		}
	}
	return out
}

// packQ8C16 lays out w' for gemmQMull: for each panel, groups of 16
// values of K (zero past K) of each channel in turn: byte ((p·kg16 + g)·
// gemmNR + j)·16 + i is w'[p·gemmNR+j][16g+i], with kg16 = ⌈K/16⌉. It
// returns nil unless every w' lies in [-127, 127], so that two products
// with an int8 activation fit int16.
func packQ8C16(p *PackedQ) []byte {
	kg16 := (p.K + 15) / 16
	out := make([]byte, panels(p.N)*kg16*gemmNR*16)
	for n := 0; n < p.N; n++ {
		pn, j := n/gemmNR, n%gemmNR
		src := p.panel(pn)
		for k := 0; k < p.K; k++ {
			v := src[k*gemmNR+j]
			if v < -127 || v > 127 {
				return nil
			}
			out[((pn*kg16+k/16)*gemmNR+j)*16+k%16] = byte(int8(v))
		}
	}
	return out
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
func dwF32RowNEON(x *float32, rowStep, colStep int, w *float32, kh, kw, wSkip, nc, cs int, bias *float32, lo, hi float32, out *float32, n, xStep int)

//go:noescape
func dwQRowNEON(x *byte, rowStep, colStep int, w *int16, kh, kw, wSkip, nc, cs int, init, bias *int32, scale *float32, lo, hi float32, zp, signed, xzp int32, out *byte, n, xStep int)

func init() {
	dwVariants = append(dwVariants, &dwVariant{
		name: "neon",
		f32: func(x *float32, rowStep, colStep int, w *float32, kh, kw, wSkip, nc, cs int, bias *float32, lo, hi float32, out *float32) {
			dwF32RowNEON(x, rowStep, colStep, w, kh, kw, wSkip, nc, cs, bias, lo, hi, out, 1, 0)
		},
		q: func(x *byte, rowStep, colStep int, w *int16, kh, kw, wSkip, nc, cs int, init, bias *int32, scale *float32, lo, hi float32, zp, signed, xzp int32, out *byte) {
			dwQRowNEON(x, rowStep, colStep, w, kh, kw, wSkip, nc, cs, init, bias, scale, lo, hi, zp, signed, xzp, out, 1, 0)
		},
		f32Row:  dwF32RowNEON,
		qRow:    dwQRowNEON,
		rawInt8: true,
	})
}

//go:noescape
func addQ8NEON(x, y, z *byte, n int, ma, mb, bias, shift, zero, lo, hi, signed int32)

//go:noescape
func mulQ8NEON(x, y, z *byte, n, ystep int, za, zb, yv int32, scale, lo, hi float32, zero, signed int32)

//go:noescape
func quantF32NEON(in *float32, out *byte, n int, inv, flo, fhi float32, zero int32)

func init() {
	addQ8SIMD = addQ8Blocks
	mulQ8SIMD = mulQ8Blocks
	quantF32SIMD = quantF32Blocks
}

// The NEON element-wise kernels take whole blocks of 16 elements; these
// wrappers run them on n &^ 15 elements and finish the rest in Go with the
// same arithmetic.

func addQ8Blocks(x, y, z *byte, n int, ma, mb, bias, shift, zero, lo, hi, signed int32) {
	nb := n &^ 15
	if nb > 0 {
		addQ8NEON(x, y, z, nb, ma, mb, bias, shift, zero, lo, hi, signed)
	}
	xs, ys, zs := unsafe.Slice(x, n), unsafe.Slice(y, n), unsafe.Slice(z, n)
	for i := nb; i < n; i++ {
		acc := bias + byteValue(int(xs[i]), signed == 1)*ma + byteValue(int(ys[i]), signed == 1)*mb
		zs[i] = byte(min(max(acc>>shift+zero, lo), hi))
	}
}

func mulQ8Blocks(x, y, z *byte, n, ystep int, za, zb, yv int32, scale, lo, hi float32, zero, signed int32) {
	nb := n &^ 15
	if nb > 0 {
		mulQ8NEON(x, y, z, nb, ystep, za, zb, yv, scale, lo, hi, zero, signed)
	}
	xs, ys, zs := unsafe.Slice(x, n), unsafe.Slice(y, ystep*(n-1)+1), unsafe.Slice(z, n)
	for i := nb; i < n; i++ {
		yi := yv
		if ystep != 0 {
			yi = byteValue(int(ys[i]), signed == 1) - zb
		}
		f := min(max(float32((byteValue(int(xs[i]), signed == 1)-za)*yi)*scale, lo), hi)
		zs[i] = byte(int32(math.Float32bits(f+magicBias)) - magicBiasBits + zero)
	}
}

func quantF32Blocks(in *float32, out *byte, n int, inv, flo, fhi float32, zero int32) {
	nb := n &^ 15
	if nb > 0 {
		quantF32NEON(in, out, nb, inv, flo, fhi, zero)
	}
	ins, outs := unsafe.Slice(in, n), unsafe.Slice(out, n)
	for i := nb; i < n; i++ {
		f := min(max(ins[i]*inv, flo), fhi)
		outs[i] = byte(int32(math.Float32bits(f+magicBias)) - magicBiasBits + zero)
	}
}
