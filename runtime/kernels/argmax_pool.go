package kernels

import (
	"fmt"
	"math"
)

// MaxPoolArgmax is MediaPipe's MaxPoolingWithArgmax2D on float32 NHWC
// tensors: a max pool that also returns, for each output, where in its
// window the maximum was (y·KW + x + 0.1, as a float32). The window is
// clipped to the input; the first of equal maxima wins.
func MaxPoolArgmax(s *ConvShape, in, out, indices []float32, lo, hi float32) {
	c := s.InC
	for b := range s.Batches {
		for oy := range s.OutH {
			iy0 := oy*s.StrideH - s.PadTop
			for ox := range s.OutW {
				ix0 := ox*s.StrideW - s.PadLeft
				o := ((b*s.OutH+oy)*s.OutW + ox) * c
				for ch := range c {
					best, bx, by := float32(-math.MaxFloat32), 0, 0
					for ky := max(0, -iy0); ky < min(s.KH, s.InH-iy0); ky++ {
						for kx := max(0, -ix0); kx < min(s.KW, s.InW-ix0); kx++ {
							v := in[((b*s.InH+iy0+ky)*s.InW+ix0+kx)*c+ch]
							if v > best {
								best, bx, by = v, kx, ky
							}
						}
					}
					out[o+ch] = min(max(best, lo), hi)
					indices[o+ch] = float32(by*s.KW+bx) + 0.1
				}
			}
		}
	}
}

// MaxUnpoolWindow is MediaPipe's MaxUnpooling2D: each input value goes to
// the place in its window that a float32 index y·KW + x (truncated)
// names; the rest of the output is zero. Indices that land outside the
// output are skipped. In s, In* is the pooled input and Out* the output.
func MaxUnpoolWindow(s *ConvShape, in, indices, out []float32) {
	clear(out)
	c := s.InC
	for b := range s.Batches {
		for iy := range s.InH {
			for ix := range s.InW {
				i := ((b*s.InH+iy)*s.InW + ix) * c
				for ch := range c {
					f := indices[i+ch]
					if !(f > -1<<31 && f < 1<<31) {
						continue
					}
					idx := int(f)
					oy := iy*s.StrideH - s.PadTop + idx/s.KW
					ox := ix*s.StrideW - s.PadLeft + idx%s.KW
					if oy >= 0 && oy < s.OutH && ox >= 0 && ox < s.OutW {
						out[((b*s.OutH+oy)*s.OutW+ox)*c+ch] = in[i+ch]
					}
				}
			}
		}
	}
}

// MaxUnpoolFlat is TensorFlow Lite's MaxUnpooling2D (LiteRtMaxUnpooling2D):
// each input value goes to the output element of its batch that an int32
// index (flat over OutH·OutW·OutC) names; the rest is zero. An index
// outside the image is an error.
func MaxUnpoolFlat(batches int, in []float32, indices []int32, out []float32) error {
	clear(out)
	perIn, perOut := len(in)/batches, len(out)/batches
	for b := range batches {
		o := out[b*perOut : (b+1)*perOut]
		for i, idx := range indices[b*perIn : (b+1)*perIn] {
			if idx < 0 || int(idx) >= perOut {
				return fmt.Errorf("index %d of batch %d is %d, outside the %d values of an output image", i, b, idx, perOut)
			}
			o[idx] = in[b*perIn+i]
		}
	}
	return nil
}
