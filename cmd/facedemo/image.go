package main

import (
	"fmt"
	"image"
	_ "image/jpeg" // decoders for loadImage
	_ "image/png"
	"math"
	"os"
)

// rgb is an 8-bit RGB image, row-major.
type rgb struct {
	w, h int
	pix  []uint8 // 3 bytes per pixel
}

func newRGB(w, h int) *rgb { return &rgb{w: w, h: h, pix: make([]uint8, 3*w*h)} }

func (m *rgb) at(x, y, c int) uint8 { return m.pix[3*(y*m.w+x)+c] }

func (m *rgb) set(x, y int, r, g, b uint8) {
	i := 3 * (y*m.w + x)
	m.pix[i], m.pix[i+1], m.pix[i+2] = r, g, b
}

// tensor returns the image as the model's input: NHWC float32 in [-1, 1],
// (p - 127.5) / 127.5, as the MediaPipe graph feeds it.
func (m *rgb) tensor() []float32 {
	out := make([]float32, len(m.pix))
	for i, p := range m.pix {
		out[i] = float32((float64(p) - 127.5) / 127.5)
	}
	return out
}

// loadImage decodes a PNG or JPEG file into RGB.
func loadImage(path string) (*rgb, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("decode %s: %w", path, err)
	}
	b := img.Bounds()
	out := newRGB(b.Dx(), b.Dy())
	for y := 0; y < out.h; y++ {
		for x := 0; x < out.w; x++ {
			r, g, bl, _ := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
			out.set(x, y, uint8(r>>8), uint8(g>>8), uint8(bl>>8))
		}
	}
	return out, nil
}

// centerSquare crops the largest centred square.
func centerSquare(m *rgb) *rgb {
	s := min(m.w, m.h)
	x0, y0 := (m.w-s)/2, (m.h-s)/2
	out := newRGB(s, s)
	for y := 0; y < s; y++ {
		copy(out.pix[3*y*s:3*(y+1)*s], m.pix[3*((y0+y)*m.w+x0):])
	}
	return out
}

// resizeBilinear scales a square image to size x size with half-pixel
// centres (src = (dst + 0.5) * in/out - 0.5, clamped), the sampling of
// OpenCV's INTER_LINEAR and of the conformance references' preprocessing.
func resizeBilinear(m *rgb, size int) *rgb {
	out := newRGB(size, size)
	sx, sy := float64(m.w)/float64(size), float64(m.h)/float64(size)
	for y := 0; y < size; y++ {
		fy := min(max((float64(y)+0.5)*sy-0.5, 0), float64(m.h-1))
		y0 := int(fy)
		y1 := min(y0+1, m.h-1)
		wy := fy - float64(y0)
		for x := 0; x < size; x++ {
			fx := min(max((float64(x)+0.5)*sx-0.5, 0), float64(m.w-1))
			x0 := int(fx)
			x1 := min(x0+1, m.w-1)
			wx := fx - float64(x0)
			var c [3]uint8
			for k := range c {
				top := float64(m.at(x0, y0, k))*(1-wx) + float64(m.at(x1, y0, k))*wx
				bot := float64(m.at(x0, y1, k))*(1-wx) + float64(m.at(x1, y1, k))*wx
				c[k] = uint8(math.Floor(top*(1-wy) + bot*wy + 0.5))
			}
			out.set(x, y, c[0], c[1], c[2])
		}
	}
	return out
}

// syntheticFace draws a deterministic 128x128 picture: a cartoon face
// (skin-toned oval, eyes, brows, nose and mouth) on a grey-blue gradient.
// It stands in for a photo when none is at hand; a detector trained on
// photos may or may not see a face in it.
func syntheticFace() *rgb {
	const n = inputSize
	m := newRGB(n, n)
	inEllipse := func(x, y int, cx, cy, rx, ry float64) bool {
		dx, dy := (float64(x)-cx)/rx, (float64(y)-cy)/ry
		return dx*dx+dy*dy <= 1
	}
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			r, g, b := uint8(90+y/4), uint8(110+y/4), uint8(140+y/3)
			switch {
			case inEllipse(x, y, 64, 122, 40, 18): // shoulders
				r, g, b = 40, 50, 80
			case inEllipse(x, y, 64, 40, 30, 24): // hair
				r, g, b = 60, 40, 25
			}
			if inEllipse(x, y, 64, 66, 26, 34) { // face
				r, g, b = 224, 180, 150
				switch {
				case inEllipse(x, y, 54, 58, 5, 3), inEllipse(x, y, 74, 58, 5, 3): // eyes
					r, g, b = 250, 250, 250
					if inEllipse(x, y, 54, 58, 2, 2) || inEllipse(x, y, 74, 58, 2, 2) {
						r, g, b = 40, 30, 20
					}
				case inEllipse(x, y, 54, 51, 6, 1.5), inEllipse(x, y, 74, 51, 6, 1.5): // brows
					r, g, b = 70, 45, 30
				case inEllipse(x, y, 64, 70, 3, 6): // nose
					r, g, b = 205, 155, 125
				case inEllipse(x, y, 64, 84, 9, 3): // mouth
					r, g, b = 170, 70, 70
				}
			}
			m.set(x, y, r, g, b)
		}
	}
	return m
}
