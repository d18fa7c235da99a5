package kernels

// FullyConnectedF32 computes out[b][u] = clamp(bias[u] + sum_d in[b][d]*w[u][d])
// for batches x units outputs; bias may be nil.
func FullyConnectedF32(in, w, bias, out []float32, batches, units, depth int, lo, hi float32) {
	for b := 0; b < batches; b++ {
		x := in[b*depth : (b+1)*depth]
		for u := 0; u < units; u++ {
			row := w[u*depth : (u+1)*depth]
			var acc float32
			for d, v := range x {
				acc += v * row[d]
			}
			if bias != nil {
				acc += bias[u]
			}
			out[b*units+u] = min(max(acc, lo), hi)
		}
	}
}
