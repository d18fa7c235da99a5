// Package calibset reads a calibration set: a folder of sample inputs for
// a model, as raw tensor files or as images (PNG, JPEG) resized to the
// model's input and normalized as its metadata or the caller says. The
// quantizer runs the float model on them to observe the ranges of its
// activations, and edgeinfer compress measures agreement on them.
package calibset

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/edgeinfer/edgeinfer/media"
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
// for a float32 input; one value applies to every channel. Both or
// neither are set; the zero value leaves pixels in [0, 255].
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
// inputs, one after another; a .png, .jpg, .jpeg or .bmp file is an image
// for a model with one [1, H, W, C] input (C 1 or 3) of float32
// (normalized with norm), uint8 or int8, resized bilinearly. Errors name
// the file at fault.
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
		case ".png", ".jpg", ".jpeg", ".bmp":
			ins, err = readImage(path, inputs, norm)
		default:
			err = fmt.Errorf("%w: %s: not a tensor file (.bin, .raw) or an image (.png, .jpg, .jpeg, .bmp)", ErrInvalid, path)
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
	in, err := media.ImageInputFor(inputs[0], norm.Mean, norm.Std)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrInvalid, path, err)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("calibration sample: %w", err)
	}
	defer f.Close()
	img, _, err := media.ReadImage(f, maxImageBytes, maxPixels)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrInvalid, path, err)
	}
	t, _, err := in.Tensor(img)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrInvalid, path, err)
	}
	return [][]byte{t}, nil
}
