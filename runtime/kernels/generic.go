package kernels

// Generic copies of prepared kernels: the same shape, packed weights and
// requantization, with the SIMD variant chosen at load cleared, so they
// run the generic Go kernels (the reference). A session asks for them with
// runtime.Options{Backend: "generic"}; the copies share the weights.

// Generic returns a copy of c that runs the generic kernels.
func (c *ConvF32) Generic() *ConvF32 {
	g, w := *c, *c.W
	w.simd = nil
	g.W = &w
	return &g
}

// Generic returns a copy of c that runs the generic kernels.
func (c *ConvQ[T]) Generic() *ConvQ[T] {
	g, w := *c, *c.W
	w.useQVariant(nil)
	g.W, g.band, g.win = &w, 0, nil
	return &g
}

// Generic returns a copy of d that runs the generic kernels.
func (d *DepthwiseF32) Generic() *DepthwiseF32 {
	g := *d
	g.useDW(nil)
	return &g
}

// Generic returns a copy of d that runs the generic kernels.
func (d *DepthwiseQ[T]) Generic() *DepthwiseQ[T] {
	g := *d
	g.useDW(nil)
	return &g
}
