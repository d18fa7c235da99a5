package kernels

// AddChannelPadF32 computes, for pixels [p0, p1), out = clamp(a + b', lo,
// hi) where b' is b padded with zeros from cb up to c channels: an ADD whose
// second operand is a PAD of the channel axis (the shortcut of BlazeFace's
// residual blocks), without writing the padded copy. a and out hold c values
// per pixel, b holds cb (0 < cb < c). The padded channels are a + 0, as the
// ADD of the padded tensor computes them.
func AddChannelPadF32(a, b, out []float32, c, cb, p0, p1 int, lo, hi float32) {
	if p1 <= p0 {
		return
	}
	a, b, out = a[p0*c:p1*c], b[p0*cb:p1*cb], out[p0*c:p1*c]
	if addChanPadSIMD != nil {
		addChanPadSIMD(&a[0], &b[0], &out[0], p1-p0, c, cb, lo, hi)
		return
	}
	for p := range p1 - p0 {
		x, y, z := a[p*c:(p+1)*c], b[p*cb:(p+1)*cb], out[p*c:(p+1)*c]
		for i, v := range y {
			z[i] = min(max(x[i]+v, lo), hi)
		}
		for i := cb; i < c; i++ {
			z[i] = min(max(x[i]+0, lo), hi)
		}
	}
}

// addChanPadSIMD, when set, is AddChannelPadF32 over pixels pixels from
// the first. CPU files set it from init.
var addChanPadSIMD func(a, b, out *float32, pixels, c, cb int, lo, hi float32)
