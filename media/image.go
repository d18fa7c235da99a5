package media

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // JPEG for DecodeImage
	_ "image/png"  // PNG for DecodeImage
	"io"
	"math"

	_ "golang.org/x/image/bmp" // BMP for DecodeImage
)

// ErrImage is wrapped by every error about an undecodable or oversized
// image.
var ErrImage = errors.New("media: bad image")

// DefaultMaxPixels bounds the images DecodeImage takes: 40 megapixels
// (a 160 MB RGBA frame in the decoder) by default.
const DefaultMaxPixels = 40 << 20

// Image is an 8-bit RGB image, row-major, three bytes per pixel.
type Image struct {
	W, H int
	Pix  []uint8
}

// NewImage returns a black w x h image.
func NewImage(w, h int) *Image { return &Image{W: w, H: h, Pix: make([]uint8, 3*w*h)} }

func (m *Image) at(x, y, c int) uint8 { return m.Pix[3*(y*m.W+x)+c] }

// DecodeImage decodes a JPEG, PNG or BMP image into RGB (alpha is
// dropped, grey is spread to the three channels) and names its format.
// An image of more than maxPixels pixels (0 = DefaultMaxPixels) is refused
// from its header, before its pixels are decoded.
func DecodeImage(data []byte, maxPixels int) (*Image, string, error) {
	if maxPixels <= 0 {
		maxPixels = DefaultMaxPixels
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, "", fmt.Errorf("%w: %v (JPEG, PNG and BMP are read)", ErrImage, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width > maxPixels/max(cfg.Height, 1) {
		return nil, format, fmt.Errorf("%w: %s of %dx%d pixels, over the limit of %d pixels", ErrImage, format, cfg.Width, cfg.Height, maxPixels)
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, format, fmt.Errorf("%w: %s: %v", ErrImage, format, err)
	}
	b := img.Bounds()
	out := NewImage(b.Dx(), b.Dy())
	i := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			out.Pix[i], out.Pix[i+1], out.Pix[i+2] = uint8(r>>8), uint8(g>>8), uint8(bl>>8)
			i += 3
		}
	}
	return out, format, nil
}

// ReadImage is DecodeImage of everything r holds, reading at most limit
// bytes (an image file over limit is refused).
func ReadImage(r io.Reader, limit int64, maxPixels int) (*Image, string, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, "", fmt.Errorf("%w: %v", ErrImage, err)
	}
	if int64(len(data)) > limit {
		return nil, "", fmt.Errorf("%w: the file is over %d bytes", ErrImage, limit)
	}
	return DecodeImage(data, maxPixels)
}

// Crop returns the part of m in the rectangle at (x0, y0) of w x h pixels,
// which must lie inside m.
func (m *Image) Crop(x0, y0, w, h int) *Image {
	out := NewImage(w, h)
	for y := 0; y < h; y++ {
		copy(out.Pix[3*y*w:3*(y+1)*w], m.Pix[3*((y0+y)*m.W+x0):])
	}
	return out
}

// ResizeBilinear scales m to w x h with half-pixel centres
// (src = (dst + 0.5) * in/out - 0.5, clamped to the edge), no
// antialiasing, in float64, rounded half up: the sampling of OpenCV's
// INTER_LINEAR, of TensorFlow's resize_bilinear with half_pixel_centers,
// and of the shared conformance references' preprocessing.
func (m *Image) ResizeBilinear(w, h int) *Image {
	out := NewImage(w, h)
	sx, sy := float64(m.W)/float64(w), float64(m.H)/float64(h)
	i := 0
	for y := 0; y < h; y++ {
		fy := min(max((float64(y)+0.5)*sy-0.5, 0), float64(m.H-1))
		y0 := int(fy)
		y1 := min(y0+1, m.H-1)
		wy := fy - float64(y0)
		for x := 0; x < w; x++ {
			fx := min(max((float64(x)+0.5)*sx-0.5, 0), float64(m.W-1))
			x0 := int(fx)
			x1 := min(x0+1, m.W-1)
			wx := fx - float64(x0)
			for c := 0; c < 3; c++ {
				top := float64(m.at(x0, y0, c))*(1-wx) + float64(m.at(x1, y0, c))*wx
				bot := float64(m.at(x0, y1, c))*(1-wx) + float64(m.at(x1, y1, c))*wx
				out.Pix[i] = uint8(math.Floor(top*(1-wy) + bot*wy + 0.5))
				i++
			}
		}
	}
	return out
}

// ResizeNearest scales m to w x h taking the nearest source pixel of each
// destination pixel's centre.
func (m *Image) ResizeNearest(w, h int) *Image {
	out := NewImage(w, h)
	i := 0
	for y := 0; y < h; y++ {
		sy := min(int((float64(y)+0.5)*float64(m.H)/float64(h)), m.H-1)
		for x := 0; x < w; x++ {
			sx := min(int((float64(x)+0.5)*float64(m.W)/float64(w)), m.W-1)
			copy(out.Pix[i:i+3], m.Pix[3*(sy*m.W+sx):])
			i += 3
		}
	}
	return out
}

// Frame maps points of a model's input image back to the original image:
// the input covers the original's rectangle at (X0, Y0) of W x H pixels
// (which may reach outside it, for a letterbox).
type Frame struct {
	X0, Y0, W, H float64
}

// Point maps (u, v), relative coordinates in [0, 1] of the model's input,
// to pixels of the original image.
func (f Frame) Point(u, v float64) (x, y float64) { return f.X0 + u*f.W, f.Y0 + v*f.H }

// Fit is how an image of another aspect ratio is made the model's size.
type Fit string

// The fits.
const (
	// FitStretch resizes the whole image to the input's size, changing its
	// aspect ratio.
	FitStretch Fit = "stretch"
	// FitCrop crops the largest centred rectangle of the input's aspect
	// ratio, then resizes it.
	FitCrop Fit = "crop"
	// FitLetterbox resizes the whole image into the input keeping its
	// aspect ratio, on black bars.
	FitLetterbox Fit = "letterbox"
)

// fitTo makes m w x h as fit says, with resize, and returns the frame of
// the result in m's pixels.
func fitTo(m *Image, w, h int, fit Fit, resize func(*Image, int, int) *Image) (*Image, Frame, error) {
	switch fit {
	case FitStretch, "":
		return resize(m, w, h), Frame{0, 0, float64(m.W), float64(m.H)}, nil
	case FitCrop:
		cw, ch := m.W, m.W*h/w
		if ch > m.H {
			cw, ch = m.H*w/h, m.H
		}
		cw, ch = max(cw, 1), max(ch, 1)
		x0, y0 := (m.W-cw)/2, (m.H-ch)/2
		return resize(m.Crop(x0, y0, cw, ch), w, h), Frame{float64(x0), float64(y0), float64(cw), float64(ch)}, nil
	case FitLetterbox:
		scale := min(float64(w)/float64(m.W), float64(h)/float64(m.H))
		iw, ih := max(int(math.Round(float64(m.W)*scale)), 1), max(int(math.Round(float64(m.H)*scale)), 1)
		inner := resize(m, iw, ih)
		out := NewImage(w, h)
		ox, oy := (w-iw)/2, (h-ih)/2
		for y := 0; y < ih; y++ {
			copy(out.Pix[3*((oy+y)*w+ox):], inner.Pix[3*y*iw:3*(y+1)*iw])
		}
		return out, Frame{-float64(ox) / scale, -float64(oy) / scale, float64(w) / scale, float64(h) / scale}, nil
	}
	return nil, Frame{}, fmt.Errorf("media: unknown fit %q (stretch, crop or letterbox)", fit)
}
