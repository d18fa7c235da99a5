package kernels

import "math"

// ResizeGeom describes a 2-D resize of an NHWC tensor, with the source
// rows and columns (and bilinear weights) of every output row and column
// precomputed.
type ResizeGeom struct {
	Batches, InH, InW, Channels, OutH, OutW int
	// Top/Bottom and Left/Right are the source rows and columns; AlphaY and
	// AlphaX the weights of Bottom and Right, as floats and in Q11 fixed
	// point (2048 = 1).
	Top, Bottom, Left, Right []int
	AlphaY, AlphaX           []float32
	QAlphaY, QAlphaX         []int32
}

// Rows is the number of output rows (batches x output height), the unit the
// resize kernels split work by.
func (g *ResizeGeom) Rows() int { return g.Batches * g.OutH }

// NewBilinearGeom computes the sampling of a bilinear resize the way
// XNNPACK does (TFLite's default CPU path): in float32, the source
// coordinate of output index i is i*scale (align_corners, or neither flag:
// TensorFlow's legacy mode) or i*scale + (scale/2 - 1/2) clamped to
// [0, in-1] (half_pixel_centers), where scale = in/out, or (in-1)/(out-1)
// with align_corners.
func NewBilinearGeom(batches, inH, inW, channels, outH, outW int, alignCorners, halfPixel bool) *ResizeGeom {
	g := &ResizeGeom{Batches: batches, InH: inH, InW: inW, Channels: channels, OutH: outH, OutW: outW}
	g.Top, g.Bottom, g.AlphaY, g.QAlphaY = bilinearAxis(inH, outH, alignCorners, halfPixel)
	g.Left, g.Right, g.AlphaX, g.QAlphaX = bilinearAxis(inW, outW, alignCorners, halfPixel)
	return g
}

func bilinearAxis(in, out int, alignCorners, halfPixel bool) (lo, hi []int, alpha []float32, qalpha []int32) {
	adj := 0
	if alignCorners && out != 1 {
		adj = 1
	}
	scale := float32(in-adj) / float32(out-adj)
	offset := float32(0)
	legacy := alignCorners || !halfPixel
	if !legacy {
		offset = float32(0.5*scale) - 0.5
	}
	maxIdx := in - 1
	lo, hi = make([]int, out), make([]int, out)
	alpha, qalpha = make([]float32, out), make([]int32, out)
	for i := 0; i < out; i++ {
		// The conversion keeps i*scale from fusing with the addition.
		x := float32(float32(i)*scale) + offset
		if !legacy {
			x = min(max(x, 0), float32(maxIdx))
		}
		l := min(int(x), maxIdx)
		lo[i], hi[i] = l, min(l+1, maxIdx)
		alpha[i] = x - float32(l)
		qalpha[i] = int32(math.RoundToEven(float64(alpha[i] * 2048)))
	}
	return lo, hi, alpha, qalpha
}

// resizeRowF32SIMD and resizeRowQ8SIMD, when set, compute one output row
// of a bilinear resize (outW pixels of c channels) from the source rows top
// and bot with the arithmetic of resizeRowF32 and resizeRowQ8 (signed is 1
// for int8, 0 for uint8); CPU files set them from init.
var (
	resizeRowF32SIMD func(top, bot, out *float32, left, right *int, ax *float32, outW, c int, ay float32)
	resizeRowQ8SIMD  func(top, bot, out *byte, left, right *int, ax *int32, outW, c int, ay, signed int32)
)

// ResizeBilinearF32 computes output rows [lo, hi) of a float bilinear
// resize: interpolate along x on the top and bottom rows, then along y.
func ResizeBilinearF32(g *ResizeGeom, in, out []float32, lo, hi int) {
	C := g.Channels
	if C == 0 || g.OutW == 0 {
		return
	}
	for r := lo; r < hi; r++ {
		b, oy := r/g.OutH, r%g.OutH
		img := in[b*g.InH*g.InW*C : (b+1)*g.InH*g.InW*C]
		top, bot := img[g.Top[oy]*g.InW*C:][:g.InW*C], img[g.Bottom[oy]*g.InW*C:][:g.InW*C]
		dst := out[r*g.OutW*C : (r+1)*g.OutW*C]
		if resizeRowF32SIMD != nil {
			resizeRowF32SIMD(&top[0], &bot[0], &dst[0], &g.Left[0], &g.Right[0], &g.AlphaX[0], g.OutW, C, g.AlphaY[oy])
			continue
		}
		resizeRowF32(g, top, bot, dst, g.AlphaY[oy])
	}
}

// resizeRowF32 is one output row of ResizeBilinearF32. Each product is
// rounded on its own (the conversions keep it from fusing with the sum),
// as the SIMD kernels compute it.
func resizeRowF32(g *ResizeGeom, top, bot, row []float32, ay float32) {
	C := g.Channels
	for ox := 0; ox < g.OutW; ox++ {
		l, rt := g.Left[ox]*C, g.Right[ox]*C
		ax := g.AlphaX[ox]
		dst := row[ox*C : (ox+1)*C]
		tl, tr := top[l:l+len(dst)], top[rt:rt+len(dst)]
		bl, br := bot[l:l+len(dst)], bot[rt:rt+len(dst)]
		for c := range dst {
			t := tl[c] + float32((tr[c]-tl[c])*ax)
			u := bl[c] + float32((br[c]-bl[c])*ax)
			dst[c] = t + float32((u-t)*ay)
		}
	}
}

// ResizeBilinearQ computes output rows [lo, hi) of an 8-bit bilinear
// resize in XNNPACK's Q11 arithmetic: t = tl<<11 + (tr-tl)*ax, likewise b,
// then (t<<11 + (b-t)*ay + 2^21) >> 22. Input and output share
// quantization.
func ResizeBilinearQ[T ~int8 | ~uint8](g *ResizeGeom, in, out []T, lo, hi int) {
	C := g.Channels
	if C == 0 || g.OutW == 0 {
		return
	}
	for r := lo; r < hi; r++ {
		b, oy := r/g.OutH, r%g.OutH
		img := in[b*g.InH*g.InW*C : (b+1)*g.InH*g.InW*C]
		top, bot := img[g.Top[oy]*g.InW*C:][:g.InW*C], img[g.Bottom[oy]*g.InW*C:][:g.InW*C]
		dst := out[r*g.OutW*C : (r+1)*g.OutW*C]
		if resizeRowQ8SIMD != nil {
			resizeRowQ8SIMD(bytePtr(top, 0), bytePtr(bot, 0), bytePtr(dst, 0), &g.Left[0], &g.Right[0], &g.QAlphaX[0], g.OutW, C, g.QAlphaY[oy], signedFlag[T]())
			continue
		}
		resizeRowQ8(g, top, bot, dst, g.QAlphaY[oy])
	}
}

// resizeRowQ8 is one output row of ResizeBilinearQ.
func resizeRowQ8[T ~int8 | ~uint8](g *ResizeGeom, top, bot, row []T, ay int32) {
	C := g.Channels
	for ox := 0; ox < g.OutW; ox++ {
		l, rt := g.Left[ox]*C, g.Right[ox]*C
		ax := g.QAlphaX[ox]
		dst := row[ox*C : (ox+1)*C]
		tl, tr := top[l:l+len(dst)], top[rt:rt+len(dst)]
		bl, br := bot[l:l+len(dst)], bot[rt:rt+len(dst)]
		for c := range dst {
			t := int32(tl[c])<<11 + (int32(tr[c])-int32(tl[c]))*ax
			u := int32(bl[c])<<11 + (int32(br[c])-int32(bl[c]))*ax
			dst[c] = T((t<<11 + (u-t)*ay + 1<<21) >> 22)
		}
	}
}

// NewNearestGeom computes the sampling of a nearest-neighbour resize as
// TFLite does: source = min(floor((i+offset)*scale), in-1), rounded instead
// of floored with align_corners, offset 0.5 and clamped at 0 with
// half_pixel_centers. Only Top and Left are set.
func NewNearestGeom(batches, inH, inW, channels, outH, outW int, alignCorners, halfPixel bool) *ResizeGeom {
	g := &ResizeGeom{Batches: batches, InH: inH, InW: inW, Channels: channels, OutH: outH, OutW: outW}
	g.Top = nearestAxis(inH, outH, alignCorners, halfPixel)
	g.Left = nearestAxis(inW, outW, alignCorners, halfPixel)
	return g
}

func nearestAxis(in, out int, alignCorners, halfPixel bool) []int {
	scale := float32(in) / float32(out)
	if alignCorners && out > 1 {
		scale = float32(in-1) / float32(out-1)
	}
	offset := float32(0)
	if halfPixel {
		offset = 0.5
	}
	idx := make([]int, out)
	for i := range idx {
		x := float32(float32(i)+offset) * scale
		var v int
		if alignCorners {
			v = int(math.Round(float64(x)))
		} else {
			v = int(math.Floor(float64(x)))
		}
		v = min(v, in-1)
		if halfPixel {
			v = max(v, 0)
		}
		idx[i] = v
	}
	return idx
}

// ResizeNearest computes output rows [lo, hi) of a nearest-neighbour
// resize; pixel is the byte size of one input pixel (channels x element).
func ResizeNearest(g *ResizeGeom, in, out []byte, pixel, lo, hi int) {
	for r := lo; r < hi; r++ {
		b, oy := r/g.OutH, r%g.OutH
		row := in[(b*g.InH+g.Top[oy])*g.InW*pixel:]
		dst := out[r*g.OutW*pixel:]
		for ox, l := range g.Left {
			copy(dst[ox*pixel:(ox+1)*pixel], row[l*pixel:(l+1)*pixel])
		}
	}
}
