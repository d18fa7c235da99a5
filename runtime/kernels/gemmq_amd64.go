//go:build !purego

package kernels

import "golang.org/x/sys/cpu"

// packQ8Off is packQ8 for the VNNI kernels, which take per-channel
// offsets: a channel whose w' = w - zp does not fit int8 is stored as its
// raw weight as an int8 (w - 128 for uint8 weights, w for int8 ones), that
// is w' + d with d = zp - 128 or zp in p.offs, and the kernels take
// d·Σk a[k] off its sums. Every weight fits, so it never returns nil.
func packQ8Off(p *PackedQ) []byte {
	kg := (p.K + 3) / 4
	out := make([]byte, panels(p.N)*kg*gemmNR*4)
	var offs []int32
	for n := range p.N {
		zp, src := p.zp(n), p.raw[n*p.K:(n+1)*p.K]
		var d int32
		for _, b := range src {
			if v := rawWeight(b, p.rawSigned) - zp; v < -128 || v > 127 {
				d = zp
				if !p.rawSigned {
					d -= 128
				}
				break
			}
		}
		if d != 0 && offs == nil {
			offs = make([]int32, panels(p.N)*gemmNR)
		}
		if offs != nil {
			offs[n] = d
		}
		base := (n/gemmNR*kg*gemmNR + n%gemmNR) * 4
		for k, b := range src {
			out[base+(k/4)*gemmNR*4+k%4] = byte(int8(rawWeight(b, p.rawSigned) - zp + d))
		}
	}
	p.offs = offs
	return out
}

//go:noescape
func sumRowsAVX512(a *byte, lda, rows, k int, flip int32, sums *int32)

//go:noescape
func gemmQVNNI512x4(a *byte, lda, rows int, w *byte, psz, kg int, bias, sum *int32, scale *float32, lo, hi float32, zp, signed int32, c *byte, ldc int, offs *int32, rsum uintptr, segs, segSkip int)

//go:noescape
func flipBytesAVX512(dst, src *byte, n int)

// hasAVX512BW reports whether sumRowsAVX512 and flipBytesAVX512 run on
// this CPU.
var hasAVX512BW = cpu.X86.HasAVX512BW && cpu.X86.HasAVX512F

// flipBytes is flipBytesGeneric, with AVX-512 where the CPU has it.
func flipBytes(dst, src []byte) {
	if !hasAVX512BW || len(src) == 0 {
		flipBytesGeneric(dst, src)
		return
	}
	_ = dst[len(src)-1]
	flipBytesAVX512(&dst[0], &src[0], len(src))
}

// sumRows is sumRowsGeneric, with AVX-512 where the CPU has it.
func sumRows(a []byte, lda, rows, k int, signed bool, sums []int32) {
	if rows == 0 {
		return
	}
	if !hasAVX512BW {
		sumRowsGeneric(a, lda, rows, k, signed, sums)
		return
	}
	_, _ = a[(rows-1)*lda+k-1], sums[rows-1]
	var flip int32
	if signed {
		flip = 0x80
	}
	sumRowsAVX512(&a[0], lda, rows, k, flip, &sums[0])
}
