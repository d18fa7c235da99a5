//go:build !purego

package kernels

import "golang.org/x/sys/cpu"

//go:noescape
func addChanPadAVX512(a, b, out *float32, pixels, c, cb int, lo, hi float32)

func init() {
	if cpu.X86.HasAVX512F {
		addChanPadSIMD = addChanPadAVX512
	}
}
