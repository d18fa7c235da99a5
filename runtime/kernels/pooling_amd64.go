//go:build !purego

package kernels

import "golang.org/x/sys/cpu"

// On amd64 with AVX-512 a float max pooling computes the pixels whose
// windows need no clipping 16 channels at a time, and an 8-bit average
// pooling sums its windows 16 channels at a time.

//go:noescape
func maxPoolF32AVX512(src *float32, rows, rowStride, fw, colStride, pixStride int, out *float32, n, c int, lo, hi float32)

//go:noescape
func sumWindowQ8AVX512(src *byte, rows, rowStride, cols, colStride, c int, signed int32, acc uintptr)

func init() {
	if cpu.X86.HasAVX512F {
		maxPoolF32SIMD = maxPoolF32AVX512
		sumWindowQ8SIMD = sumWindowQ8AVX512
	}
}
