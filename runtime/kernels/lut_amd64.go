//go:build !purego

package kernels

import "golang.org/x/sys/cpu"

// On amd64 with AVX-512 VBMI a byte table lookup takes 64 bytes a step:
// two VPERMI2B over the table's halves, chosen by each byte's top bit;
// with AVX-512 a dequantization widens, subtracts, converts and scales 16
// values a step.

//go:noescape
func lut8VBMI(t *LUT8, in, out *byte, n int)

//go:noescape
func dequant8AVX512(in *byte, out *float32, n int, zero int32, scale float32, signed int32)

func init() {
	if cpu.X86.HasAVX512VBMI && cpu.X86.HasAVX512BW {
		lut8SIMD = lut8VBMI
	}
	if cpu.X86.HasAVX512F {
		dequant8SIMD = dequant8AVX512
	}
}
