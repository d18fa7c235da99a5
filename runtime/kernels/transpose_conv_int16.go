package kernels

// TransposeConvQ16 is a 16x8 transposed convolution: int16 input (zero
// point 0), int8 weights [OutC, KH, KW, InC] with zero point 0, sums in 64
// bits (or wrapping 32 bits with an int32 bias, as Requant16 says). It
// gathers: output pixel (oy, ox) sums the input pixels (iy, ix) with
// iy·StrideH - PadTop + ky = oy and ix·StrideW - PadLeft + kx = ox. Integer
// sums do not depend on their order, so this equals TFLite's scatter.
type TransposeConvQ16 struct {
	s  ConvShape
	w  []int8
	rq *Requant16
}

// NewTransposeConvQ16 prepares a 16x8 transposed convolution; in s, In* is
// its input and Out* its output.
func NewTransposeConvQ16(s ConvShape, w []int8, rq *Requant16) *TransposeConvQ16 {
	return &TransposeConvQ16{s: s, w: w, rq: rq}
}

// taps returns the window offsets k < n whose input index i (i·stride -
// pad + k = o) lies in [0, size), as pairs (k, i) appended to dst.
func taps(dst []int, o, pad, stride, n, size int) []int {
	for k := range n {
		t := o + pad - k
		if t < 0 || t%stride != 0 || t/stride >= size {
			continue
		}
		dst = append(dst, k, t/stride)
	}
	return dst
}

// Run computes output pixels [p0, p1) (batch, row, column order).
func (k *TransposeConvQ16) Run(in, out []int16, p0, p1 int) {
	s := &k.s
	ys := make([]int, 0, 2*s.KH)
	xs := make([]int, 0, 2*s.KW)
	for p := p0; p < p1; p++ {
		b, oy, ox := p/(s.OutH*s.OutW), p/s.OutW%s.OutH, p%s.OutW
		ys = taps(ys[:0], oy, s.PadTop, s.StrideH, s.KH, s.InH)
		xs = taps(xs[:0], ox, s.PadLeft, s.StrideW, s.KW, s.InW)
		dst := out[p*s.OutC : (p+1)*s.OutC]
		for c := range dst {
			var acc int64
			wc := k.w[c*s.KH*s.KW*s.InC:]
			for i := 0; i < len(ys); i += 2 {
				ky, iy := ys[i], ys[i+1]
				for j := 0; j < len(xs); j += 2 {
					kx, ix := xs[j], xs[j+1]
					src := in[((b*s.InH+iy)*s.InW+ix)*s.InC:][:s.InC]
					wk := wc[(ky*s.KW+kx)*s.InC:][:s.InC]
					var sum int64
					for i, v := range src {
						sum += int64(v) * int64(wk[i])
					}
					acc += sum
				}
			}
			dst[c] = k.rq.out(acc, c)
		}
	}
}
