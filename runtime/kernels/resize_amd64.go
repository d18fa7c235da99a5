//go:build !purego

package kernels

import "golang.org/x/sys/cpu"

// On amd64 with AVX-512 a bilinear resize computes each output pixel's
// channels 16 at a time.

//go:noescape
func resizeRowF32AVX512(top, bot, out *float32, left, right *int, ax *float32, outW, c int, ay float32)

//go:noescape
func resizeRowQ8AVX512(top, bot, out *byte, left, right *int, ax *int32, outW, c int, ay, signed int32)

func init() {
	if cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW {
		resizeRowF32SIMD = resizeRowF32AVX512
		resizeRowQ8SIMD = resizeRowQ8AVX512
	}
}
