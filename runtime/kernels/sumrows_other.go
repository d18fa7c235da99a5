//go:build purego || !amd64

package kernels

// sumRows is sumRowsGeneric: only the amd64 kernels take row sums and
// turned activations.
func sumRows(a []byte, lda, rows, k int, signed bool, sums []int32) {
	sumRowsGeneric(a, lda, rows, k, signed, sums)
}

// flipBytes is flipBytesGeneric.
func flipBytes(dst, src []byte) { flipBytesGeneric(dst, src) }
