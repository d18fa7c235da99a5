//go:build !purego && arm64

package kernels

// packQ8 lays out w' in groups of 4 values of K for each channel of a
// panel: byte ((p·kg + g)·gemmNR + j)·4 + i is w'[p·gemmNR+j][4g+i]. It
// returns nil unless every w' is an int8.
func packQ8(p *PackedQ) []byte {
	kg := (p.K + 3) / 4
	out := make([]byte, panels(p.N)*kg*gemmNR*4)
	for n := 0; n < p.N; n++ {
		pn, j := n/gemmNR, n%gemmNR
		src := p.panel(pn)
		for k := 0; k < p.K; k++ {
			v := src[k*gemmNR+j]
			if v < -128 || v > 127 {
				return nil
			}
			out[((pn*kg+k/4)*gemmNR+j)*4+k%4] = byte(int8(v))
		}
	}
	return out
}
