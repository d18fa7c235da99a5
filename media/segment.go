package media

import (
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"sort"

	"github.com/edgeinfer/edgeinfer/api"
	"github.com/edgeinfer/edgeinfer/runtime"
)

// Segmentation is a class per pixel of a segmentation model's output.
type Segmentation struct {
	// W and H are the output's size; Classes holds W x H class indices,
	// row-major.
	W, H    int
	Classes []uint16
}

// Segment reads a segmentation output: scores [1, H, W, C] (the class of a
// pixel is its highest score; ties go to the lower class) or class indices
// [1, H, W] of an integer type.
func Segment(t runtime.TensorInfo, data []byte) (*Segmentation, error) {
	if len(data) != t.ByteSize() {
		return nil, fmt.Errorf("media: output %s holds %d bytes, want %d", t, len(data), t.ByteSize())
	}
	switch {
	case len(t.Shape) == 4 && t.Shape[0] == 1 && t.Shape[3] >= 1 && t.Shape[3] <= 1<<16:
		scores, err := Scores(t, data)
		if err != nil {
			return nil, err
		}
		h, w, c := t.Shape[1], t.Shape[2], t.Shape[3]
		s := &Segmentation{W: w, H: h, Classes: make([]uint16, w*h)}
		for p := range s.Classes {
			best := 0
			px := scores[p*c : (p+1)*c]
			for k, v := range px {
				if v > px[best] {
					best = k
				}
			}
			s.Classes[p] = uint16(best)
		}
		return s, nil
	case len(t.Shape) == 3 && t.Shape[0] == 1:
		h, w := t.Shape[1], t.Shape[2]
		s := &Segmentation{W: w, H: h, Classes: make([]uint16, w*h)}
		for p := range s.Classes {
			var v int64
			switch t.DType {
			case runtime.UInt8:
				v = int64(data[p])
			case runtime.Int32:
				v = int64(int32(binary.LittleEndian.Uint32(data[4*p:])))
			case runtime.Int64:
				v = int64(binary.LittleEndian.Uint64(data[8*p:]))
			default:
				return nil, fmt.Errorf("media: output %s: class indices of %s are not read", t, t.DType)
			}
			if v < 0 || v > math.MaxUint16 {
				return nil, fmt.Errorf("media: output %s: class %d at pixel %d is outside 0..65535", t, v, p)
			}
			s.Classes[p] = uint16(v)
		}
		return s, nil
	}
	return nil, fmt.Errorf("media: output %s is not a segmentation (want [1, height, width, classes] scores or [1, height, width] classes)", t)
}

// ClassShare is the share of a segmentation's pixels one class holds
// (the socket API's type).
type ClassShare = api.Segment

// Shares lists the classes present, largest share first (ties: lower
// class first), labelled from labels by index.
func (s *Segmentation) Shares(labels []string) []ClassShare {
	counts := map[int]int{}
	for _, c := range s.Classes {
		counts[int(c)]++
	}
	out := make([]ClassShare, 0, len(counts))
	for c, n := range counts {
		cs := ClassShare{Class: c, Share: float64(n) / float64(len(s.Classes))}
		if c < len(labels) {
			cs.Label = labels[c]
		}
		out = append(out, cs)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Share != out[j].Share {
			return out[i].Share > out[j].Share
		}
		return out[i].Class < out[j].Class
	})
	return out
}

// classColor is the PASCAL VOC colour map: class bits spread over the
// high bits of red, green and blue; class 0 is black.
func classColor(c int) color.RGBA {
	var r, g, b uint8
	for shift := 7; c > 0 && shift >= 0; shift-- {
		r |= uint8(c&1) << shift
		g |= uint8(c>>1&1) << shift
		b |= uint8(c>>2&1) << shift
		c >>= 3
	}
	return color.RGBA{r, g, b, 255}
}

// WritePNG writes the segmentation as a colour mask of the original
// image's w x h pixels (each pixel takes the class of the output pixel
// frame maps it to; pixels outside the model's view are class 0), in the
// PASCAL VOC colours. Past 255 classes present, the others are drawn as
// class 0.
func (s *Segmentation) WritePNG(out io.Writer, frame Frame, w, h int) error {
	if w < 1 || h < 1 || w > 1<<14 || h > 1<<14 || frame.W <= 0 || frame.H <= 0 {
		return fmt.Errorf("media: mask of %dx%d pixels through frame %+v", w, h, frame)
	}
	used := map[uint16]uint8{}
	pal := color.Palette{classColor(0)}
	used[0] = 0
	for _, c := range s.Classes {
		if _, ok := used[c]; !ok && len(pal) < 256 {
			used[c] = uint8(len(pal))
			pal = append(pal, classColor(int(c)))
		}
	}
	img := image.NewPaletted(image.Rect(0, 0, w, h), pal)
	for y := 0; y < h; y++ {
		v := (float64(y) + 0.5 - frame.Y0) / frame.H
		my := int(math.Floor(v * float64(s.H)))
		for x := 0; x < w; x++ {
			u := (float64(x) + 0.5 - frame.X0) / frame.W
			mx := int(math.Floor(u * float64(s.W)))
			if mx < 0 || my < 0 || mx >= s.W || my >= s.H {
				continue
			}
			img.Pix[y*img.Stride+x] = used[s.Classes[my*s.W+mx]]
		}
	}
	return png.Encode(out, img)
}
