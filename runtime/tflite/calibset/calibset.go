// Package calibset reads a calibration set: a folder of sample inputs for
// a model, as raw tensor files or as images (PNG, JPEG) resized to the
// model's input and normalized as its metadata or the caller says. The
// quantizer runs the float model on them to observe the ranges of its
// activations, and edgeinfer compress measures agreement on them.
package calibset

import (
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // JPEG calibration images
	_ "image/png"  // PNG calibration images
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/edgeinfer/edgeinfer/runtime"
)

// ErrInvalid is wrapped by every error about a calibration set.
var ErrInvalid = errors.New("calibset: invalid")

// maxImageBytes bounds an image file; maxPixels its decoded size.
const (
	maxImageBytes = 64 << 20
	maxPixels     = 50_000_000
)

// Normalization is the (pixel - Mean) / Std applied per channel to images
// for a float32 input; one value applies to every channel. The zero value
// leaves pixels in [0, 255].
type Normalization struct {
	Mean, Std []float32
}

// Sample is one calibration input: the file it came from and one tensor
// per model input, in the model's input order.
type Sample struct {
	File   string
	Inputs [][]byte
}

// Read reads every file of dir (sorted by name; names starting with a dot
// and subfolders are skipped) as one sample for a model with the given
// inputs. A .bin or .raw file holds the raw little-endian tensors of all
// inputs, one after another; a .png, .jpg or .jpeg file is an image for a
// model with one [1, H, W, C] input (C 1 or 3) of float32 (normalized with
// norm) or uint8. Errors name the file at fault.
func Read(dir string, inputs []runtime.TensorInfo, norm Normalization) ([]Sample, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("calibration set: %w", err)
	}
	if err := norm.validate(); err != nil {
		return nil, err
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		if !e.IsDir() && !strings.HasPrefix(e.Name(), ".") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	if len(names) == 0 {
		return nil, fmt.Errorf("%w: %s holds no sample files", ErrInvalid, dir)
	}
	var out []Sample
	for _, n := range names {
		path := filepath.Join(dir, n)
		var ins [][]byte
		switch strings.ToLower(filepath.Ext(n)) {
		case ".bin", ".raw":
			ins, err = readTensors(path, inputs)
		case ".png", ".jpg", ".jpeg":
			ins, err = readImage(path, inputs, norm)
		default:
			err = fmt.Errorf("%w: %s: not a tensor file (.bin, .raw) or an image (.png, .jpg, .jpeg)", ErrInvalid, path)
		}
		if err != nil {
			return nil, err
		}
		out = append(out, Sample{File: path, Inputs: ins})
	}
	return out, nil
}

func (n Normalization) validate() error {
	for _, s := range n.Std {
		if s == 0 || math.IsNaN(float64(s)) || math.IsInf(float64(s), 0) {
			return fmt.Errorf("%w: std %g", ErrInvalid, s)
		}
	}
	for _, m := range n.Mean {
		if math.IsNaN(float64(m)) || math.IsInf(float64(m), 0) {
			return fmt.Errorf("%w: mean %g", ErrInvalid, m)
		}
	}
	return nil
}

func readTensors(path string, inputs []runtime.TensorInfo) ([][]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("calibration sample: %w", err)
	}
	want := 0
	for _, in := range inputs {
		want += in.ByteSize()
	}
	if len(b) != want {
		return nil, fmt.Errorf("%w: %s: %d bytes, want %d (the raw tensors of the model's %d input(s), one after another)", ErrInvalid, path, len(b), want, len(inputs))
	}
	out := make([][]byte, len(inputs))
	for i, in := range inputs {
		out[i], b = b[:in.ByteSize():in.ByteSize()], b[in.ByteSize():]
	}
	return out, nil
}

func readImage(path string, inputs []runtime.TensorInfo, norm Normalization) ([][]byte, error) {
	if len(inputs) != 1 {
		return nil, fmt.Errorf("%w: %s: an image is a sample for a model with one input, this one has %d", ErrInvalid, path, len(inputs))
	}
	in := inputs[0]
	if len(in.Shape) != 4 || in.Shape[0] != 1 || (in.Shape[3] != 1 && in.Shape[3] != 3) || (in.DType != runtime.Float32 && in.DType != runtime.UInt8) {
		return nil, fmt.Errorf("%w: %s: an image needs an input of float32 or uint8 [1, H, W, 1 or 3], this model's is %s%v", ErrInvalid, path, in.DType, in.Shape)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("calibration sample: %w", err)
	}
	defer f.Close()
	r := io.LimitReader(f, maxImageBytes)
	cfg, _, err := image.DecodeConfig(r)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrInvalid, path, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > maxPixels {
		return nil, fmt.Errorf("%w: %s: %dx%d pixels, want at most %d", ErrInvalid, path, cfg.Width, cfg.Height, maxPixels)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("calibration sample: %w", err)
	}
	img, _, err := image.Decode(io.LimitReader(f, maxImageBytes))
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrInvalid, path, err)
	}
	h, w, c := in.Shape[1], in.Shape[2], in.Shape[3]
	px := resize(img, w, h, c)
	if in.DType == runtime.UInt8 {
		out := make([]byte, len(px))
		for i, v := range px {
			out[i] = byte(min(255, max(0, math.Floor(v+0.5))))
		}
		return [][]byte{out}, nil
	}
	out := make([]byte, 4*len(px))
	for i, v := range px {
		mean, std := channel(norm.Mean, i%c, 0), channel(norm.Std, i%c, 1)
		binary.LittleEndian.PutUint32(out[4*i:], math.Float32bits(float32((v-float64(mean))/float64(std))))
	}
	return [][]byte{out}, nil
}

func channel(v []float32, c int, def float32) float32 {
	switch {
	case len(v) == 0:
		return def
	case len(v) == 1:
		return v[0]
	}
	return v[c%len(v)]
}

// resize samples img at w×h with c channels (RGB, or luma for 1) in
// [0, 255], bilinearly with half-pixel centers (as TF's resize_bilinear
// with half_pixel_centers and OpenCV's INTER_LINEAR), HWC row-major.
func resize(img image.Image, w, h, c int) []float64 {
	b := img.Bounds()
	sw, sh := b.Dx(), b.Dy()
	src := make([]float64, sw*sh*3)
	for y := range sh {
		for x := range sw {
			r, g, bl, _ := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
			i := 3 * (y*sw + x)
			src[i], src[i+1], src[i+2] = float64(r>>8), float64(g>>8), float64(bl>>8)
		}
	}
	out := make([]float64, 0, w*h*c)
	for y := range h {
		fy, y0, y1 := coord(y, h, sh)
		for x := range w {
			fx, x0, x1 := coord(x, w, sw)
			var rgb [3]float64
			for k := range 3 {
				top := src[3*(y0*sw+x0)+k]*(1-fx) + src[3*(y0*sw+x1)+k]*fx
				bot := src[3*(y1*sw+x0)+k]*(1-fx) + src[3*(y1*sw+x1)+k]*fx
				rgb[k] = top*(1-fy) + bot*fy
			}
			if c == 1 {
				out = append(out, 0.299*rgb[0]+0.587*rgb[1]+0.114*rgb[2])
				continue
			}
			out = append(out, rgb[:]...)
		}
	}
	return out
}

// coord maps output index i of n onto a source of size s: the fraction
// between the two source indexes to blend.
func coord(i, n, s int) (float64, int, int) {
	p := (float64(i)+0.5)*float64(s)/float64(n) - 0.5
	p = min(max(p, 0), float64(s-1))
	lo := int(math.Floor(p))
	hi := min(lo+1, s-1)
	return p - float64(lo), lo, hi
}
