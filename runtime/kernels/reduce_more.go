package kernels

// ReduceProd sets out to the products of in over the reduced dimensions.
func ReduceProd[T ~float32 | ~int32 | ~int64](g *ReduceGeom, in, out []T) {
	for i := range out {
		out[i] = 1
	}
	last := g.Shape[len(g.Shape)-1]
	ls := g.OutStride[len(g.Shape)-1]
	g.walk(len(in), func(i, o int) {
		for j, v := range in[i : i+last] {
			out[o+j*ls] *= v
		}
	})
}

// ReduceAnyAll sets out to whether any (or, with all set, every) bool byte
// of in is true over the reduced dimensions.
func ReduceAnyAll(g *ReduceGeom, in, out []byte, all bool) {
	init := Bool(all)
	for i := range out {
		out[i] = init
	}
	last := g.Shape[len(g.Shape)-1]
	ls := g.OutStride[len(g.Shape)-1]
	g.walk(len(in), func(i, o int) {
		for j, v := range in[i : i+last] {
			p := o + j*ls
			if all {
				out[p] &= Bool(v != 0)
			} else {
				out[p] |= Bool(v != 0)
			}
		}
	})
}
