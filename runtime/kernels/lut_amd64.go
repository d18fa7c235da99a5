//go:build !purego

package kernels

import "golang.org/x/sys/cpu"

// On amd64 with AVX-512 VBMI a byte table lookup takes 64 bytes a step:
// two VPERMI2B over the table's halves, chosen by each byte's top bit.

//go:noescape
func lut8VBMI(t *LUT8, in, out *byte, n int)

func init() {
	if cpu.X86.HasAVX512VBMI && cpu.X86.HasAVX512BW {
		lut8SIMD = lut8VBMI
	}
}
