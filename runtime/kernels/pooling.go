package kernels

import (
	"math"
	"unsafe"
)

// PoolGeom describes a 2-D pooling window sliding over an NHWC tensor.
// PadTop and PadLeft are the implicit padding before the first row and
// column; padded positions never contribute to a window.
type PoolGeom struct {
	Batches, InH, InW, Channels int
	OutH, OutW                  int
	FilterH, FilterW            int
	StrideH, StrideW            int
	PadTop, PadLeft             int
}

// Rows is the number of output rows (batches x output height), the unit the
// pooling kernels split work by.
func (g *PoolGeom) Rows() int { return g.Batches * g.OutH }

// window returns the in-bounds filter ranges of output pixel (oy, ox).
func (g *PoolGeom) window(oy, ox int) (y0, y1, x0, x1 int) {
	iy := oy*g.StrideH - g.PadTop
	ix := ox*g.StrideW - g.PadLeft
	y0, y1 = max(0, -iy), min(g.FilterH, g.InH-iy)
	x0, x1 = max(0, -ix), min(g.FilterW, g.InW-ix)
	return iy + y0, iy + y1, ix + x0, ix + x1
}

// Element types the generic pooling and data-movement kernels accept.
type poolElem interface {
	~float32 | ~int8 | ~uint8 | ~int16 | ~int32
}

// maxPoolF32SIMD, when set, computes n float output pixels of a max
// pooling whose windows lie wholly inside the input, as maxPoolPixel
// does: src is the first tap of the first pixel, rows and fw the window's
// rows and columns, rowStride, colStride and pixStride the bytes from one
// window row, tap column and pixel to the next, c the channels; a CPU
// file sets it from init.
var maxPoolF32SIMD func(src *float32, rows, rowStride, fw, colStride, pixStride int, out *float32, n, c int, lo, hi float32)

// MaxPool computes output rows [lo, hi) of a max pooling, clamping each
// result to [act0, act1] (the fused activation's range).
func MaxPool[T poolElem](g *PoolGeom, in, out []T, act0, act1 T, lo, hi int) {
	C := g.Channels
	if C == 0 {
		return
	}
	// The pixels [ox0, ox1) of each row whose windows need no clipping
	// along x go to the SIMD kernel, if there is one for T.
	ox0, ox1 := 0, 0
	if _, ok := any(in).([]float32); ok && maxPoolF32SIMD != nil {
		ox0 = min((g.PadLeft+g.StrideW-1)/g.StrideW, g.OutW)
		if last := g.InW - g.FilterW + g.PadLeft; last >= 0 {
			ox1 = max(min(last/g.StrideW+1, g.OutW), ox0)
		}
	}
	for r := lo; r < hi; r++ {
		b, oy := r/g.OutH, r%g.OutH
		img := in[b*g.InH*g.InW*C : (b+1)*g.InH*g.InW*C]
		row := out[r*g.OutW*C : (r+1)*g.OutW*C]
		for ox := 0; ox < g.OutW; ox++ {
			if ox == ox0 && ox1 > ox0 {
				if y0, y1, x0, _ := g.window(oy, ox0); y1 > y0 {
					src := any(img).([]float32)[(y0*g.InW+x0)*C:]
					dst := any(row).([]float32)
					_ = dst[ox1*C-1]
					_ = src[((y1-y0-1)*g.InW+(ox1-ox0-1)*g.StrideW+g.FilterW)*C-1] // the last tap read
					maxPoolF32SIMD(&src[0], y1-y0, g.InW*C*4, g.FilterW, C*4, g.StrideW*C*4, &dst[ox0*C], ox1-ox0, C, any(act0).(float32), any(act1).(float32))
					ox = ox1 - 1
					continue
				}
			}
			maxPoolPixel(g, img, row[ox*C:(ox+1)*C], oy, ox, act0, act1)
		}
	}
}

// maxPoolPixel computes output pixel (oy, ox) of a max pooling into dst.
// A tap replaces the running maximum only when greater, and the clamp
// replaces a value only when beyond a bound (so a NaN is kept), as the
// SIMD kernels do.
func maxPoolPixel[T poolElem](g *PoolGeom, img, dst []T, oy, ox int, act0, act1 T) {
	C := g.Channels
	y0, y1, x0, x1 := g.window(oy, ox)
	first := true
	for y := y0; y < y1; y++ {
		for x := x0; x < x1; x++ {
			src := img[(y*g.InW+x)*C : (y*g.InW+x+1)*C]
			if first {
				copy(dst, src)
				first = false
				continue
			}
			src = src[:len(dst)]
			for c, v := range src {
				if v > dst[c] {
					dst[c] = v
				}
			}
		}
	}
	if first {
		clear(dst)
	}
	for c, v := range dst {
		if act0 > v {
			v = act0
		}
		if act1 < v {
			v = act1
		}
		dst[c] = v
	}
}

// AvgPoolF32 computes output rows [lo, hi) of a float average pooling over
// the in-bounds part of each window, clamped to [act0, act1].
func AvgPoolF32(g *PoolGeom, in, out []float32, act0, act1 float32, lo, hi int) {
	C := g.Channels
	for r := lo; r < hi; r++ {
		b, oy := r/g.OutH, r%g.OutH
		img := in[b*g.InH*g.InW*C:]
		for ox := 0; ox < g.OutW; ox++ {
			y0, y1, x0, x1 := g.window(oy, ox)
			dst := out[((r*g.OutW)+ox)*C : ((r*g.OutW)+ox+1)*C]
			clear(dst)
			for y := y0; y < y1; y++ {
				for x := x0; x < x1; x++ {
					src := img[(y*g.InW+x)*C : (y*g.InW+x+1)*C]
					src = src[:len(dst)]
					for c := range dst {
						dst[c] += src[c]
					}
				}
			}
			n := (y1 - y0) * (x1 - x0)
			inv := float32(0)
			if n > 0 {
				inv = 1 / float32(n)
			}
			for c, v := range dst {
				dst[c] = min(max(v*inv, act0), act1)
			}
		}
	}
}

// avgBlock is how many channels the quantized average pooling accumulates
// at once in a stack buffer.
const avgBlock = 64

// AvgPoolQ computes output rows [lo, hi) of a quantized (int8, uint8, int16)
// average pooling whose input and output share scale and zero point: the
// in-bounds sum divided by the element count, rounded half away from zero,
// clamped to [act0, act1] (TFLite's reference integer AveragePool).
func AvgPoolQ[T ~int8 | ~uint8 | ~int16](g *PoolGeom, in, out []T, act0, act1 int32, lo, hi int) {
	C := g.Channels
	var acc [avgBlock]int32
	var z T
	simd := sumWindowQ8SIMD != nil && unsafe.Sizeof(z) == 1
	var signed int32
	if z--; z < 0 {
		signed = 1
	}
	for r := lo; r < hi; r++ {
		b, oy := r/g.OutH, r%g.OutH
		img := in[b*g.InH*g.InW*C:]
		for ox := 0; ox < g.OutW; ox++ {
			y0, y1, x0, x1 := g.window(oy, ox)
			n := int32((y1 - y0) * (x1 - x0))
			base := ((r * g.OutW) + ox) * C
			for c0 := 0; c0 < C; c0 += avgBlock {
				w := min(avgBlock, C-c0)
				sum := acc[:w]
				if simd && w%16 == 0 && n > 0 {
					at := (y0*g.InW+x0)*C + c0
					_ = img[((y1-1)*g.InW+x1-1)*C+c0+w-1]
					sumWindowQ8SIMD((*byte)(unsafe.Pointer(&img[at])), y1-y0, g.InW*C, x1-x0, C, w, signed, uintptr(unsafe.Pointer(&acc)))
				} else {
					sumWindow(g, img, y0, y1, x0, x1, c0, sum)
				}
				dst := out[base+c0 : base+c0+w]
				for c, s := range sum {
					var q int32
					switch {
					case n == 0:
					case s >= 0:
						q = (s + n/2) / n
					default:
						q = (s - n/2) / n
					}
					dst[c] = T(min(max(q, act0), act1))
				}
			}
		}
	}
}

// sumWindowQ8SIMD, when set, sets acc[j] to the sum of channel j over
// the rows × cols taps of the 8-bit window at src, rowStride and
// colStride bytes from one row and column to the next, for j < c, a
// multiple of 16; the values are int8 when signed is 1, else uint8. A CPU
// file sets it from init, to an assembly leaf: acc is a uintptr so that
// AvgPoolQ's sums stay on its stack (a pointer passed to a function value
// escapes, an allocation per call), which does not move while a leaf runs.
var sumWindowQ8SIMD func(src *byte, rows, rowStride, cols, colStride, c int, signed int32, acc uintptr)

// sumWindow sets sum to the in-bounds window [y0, y1) × [x0, x1) of img's
// channels from c0, summed.
func sumWindow[T ~int8 | ~uint8 | ~int16](g *PoolGeom, img []T, y0, y1, x0, x1, c0 int, sum []int32) {
	clear(sum)
	for y := y0; y < y1; y++ {
		for x := x0; x < x1; x++ {
			p := (y*g.InW+x)*g.Channels + c0
			src := img[p : p+len(sum)]
			for c := range sum {
				sum[c] += int32(src[c])
			}
		}
	}
}

// L2PoolF32 computes output rows [lo, hi) of an L2 pooling: the square
// root of the mean of the squares over the in-bounds part of each window,
// clamped to [act0, act1].
func L2PoolF32(g *PoolGeom, in, out []float32, act0, act1 float32, lo, hi int) {
	C := g.Channels
	for r := lo; r < hi; r++ {
		b, oy := r/g.OutH, r%g.OutH
		img := in[b*g.InH*g.InW*C:]
		for ox := 0; ox < g.OutW; ox++ {
			y0, y1, x0, x1 := g.window(oy, ox)
			dst := out[((r*g.OutW)+ox)*C : ((r*g.OutW)+ox+1)*C]
			clear(dst)
			for y := y0; y < y1; y++ {
				for x := x0; x < x1; x++ {
					src := img[(y*g.InW+x)*C : (y*g.InW+x+1)*C]
					src = src[:len(dst)]
					for c := range dst {
						dst[c] += src[c] * src[c]
					}
				}
			}
			n := float32((y1 - y0) * (x1 - x0))
			for c, v := range dst {
				m := float32(0)
				if n > 0 {
					m = float32(math.Sqrt(float64(v / n)))
				}
				dst[c] = min(max(m, act0), act1)
			}
		}
	}
}
