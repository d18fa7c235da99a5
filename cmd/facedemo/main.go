// Command facedemo is the demo behind `make run`: it prepares an image as
// the input tensor of MediaPipe's face_detection_short_range model and
// decodes the model's outputs, written by `edgeinfer run`, into faces
// described in words.
//
//	facedemo input -image photo.png -o in_0.bin    # or -synthetic
//	edgeinfer run face_detection_short_range.tflite --input in_0.bin --output-dir out
//	facedemo decode -image photo.png out
//
// It is a separate program so that edgeinfer itself carries no image
// decoders.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unsafe"
)

const usage = `usage:
	facedemo input (-image FILE.png|.jpg | -synthetic) -o IN.bin
	facedemo decode [-threshold 0.5] [-image FILE.png|.jpg] OUTPUT_DIR`

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "facedemo: %v\n", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New(usage)
	}
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	image := fs.String("image", "", "PNG or JPEG image: input centre-crops and resizes it to 128x128; decode reports faces in its pixels")
	synthetic := fs.Bool("synthetic", false, "use a generated 128x128 drawing of a face instead of an image")
	out := fs.String("o", "", "input tensor file to write")
	threshold := fs.Float64("threshold", 0.5, "minimum face score")
	if err := fs.Parse(args[1:]); err != nil {
		return fmt.Errorf("%s: %w\n%s", args[0], err, usage)
	}
	switch args[0] {
	case "input":
		if *out == "" || (*image == "") == !*synthetic {
			return errors.New(usage)
		}
		var px *rgb
		if *synthetic {
			px = syntheticFace()
		} else {
			src, err := loadImage(*image)
			if err != nil {
				return err
			}
			px = resizeBilinear(centerSquare(src), inputSize)
		}
		if err := os.WriteFile(*out, f32Bytes(px.tensor()), 0o644); err != nil {
			return err
		}
		return nil
	case "decode":
		if fs.NArg() != 1 {
			return errors.New(usage)
		}
		faces, err := decodeDir(fs.Arg(0), float32(*threshold))
		if err != nil {
			return err
		}
		fr := frame{w: inputSize, h: inputSize, side: inputSize}
		if *image != "" {
			src, err := loadImage(*image)
			if err != nil {
				return err
			}
			fr = frameOf(src)
		}
		describe(stdout, faces, fr)
		return nil
	}
	return fmt.Errorf("unknown subcommand %q\n%s", args[0], usage)
}

// decodeDir reads the model's two outputs from dir, as edgeinfer infer
// writes them (out_regressors.bin, out_classificators.bin) or as edgeinfer
// run does (out_0.bin, out_1.bin), and decodes them.
func decodeDir(dir string, threshold float32) ([]face, error) {
	var outs [2][]float32
	for i, name := range []string{"regressors", "classificators"} {
		path := filepath.Join(dir, "out_"+name+".bin")
		if _, err := os.Stat(path); err != nil {
			path = filepath.Join(dir, fmt.Sprintf("out_%d.bin", i))
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		if len(b)%4 != 0 {
			return nil, fmt.Errorf("%s: %d bytes is not a float32 tensor", path, len(b))
		}
		outs[i] = make([]float32, len(b)/4)
		copy(f32Bytes(outs[i]), b)
	}
	faces, err := decodeFaces(outs[0], outs[1], ssdAnchors(), threshold)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	return faces, nil
}

// frame maps the model's normalized coordinates back to the pixels of the
// image the input was made from: its centred square of side pixels starts
// at (x0, y0) in a w x h image.
type frame struct{ w, h, x0, y0, side int }

func frameOf(m *rgb) frame {
	s := min(m.w, m.h)
	return frame{w: m.w, h: m.h, x0: (m.w - s) / 2, y0: (m.h - s) / 2, side: s}
}

func (fr frame) x(v float32) float32 { return float32(fr.x0) + v*float32(fr.side) }
func (fr frame) y(v float32) float32 { return float32(fr.y0) + v*float32(fr.side) }

// describe prints the faces in words, with coordinates in the pixels of
// the image the input was made from.
func describe(w io.Writer, faces []face, fr frame) {
	switch len(faces) {
	case 0:
		fmt.Fprintf(w, "found no face\n")
		return
	case 1:
		fmt.Fprintf(w, "found 1 face\n")
	default:
		fmt.Fprintf(w, "found %d faces\n", len(faces))
	}
	px := func(p point) string { return fmt.Sprintf("(%.0f, %.0f)", fr.x(p.X), fr.y(p.Y)) }
	for i, f := range faces {
		cx, cy := (f.XMin+f.XMax)/2, (f.YMin+f.YMax)/2
		fmt.Fprintf(w, "face %d: %.0f%% sure, %s of the picture, box x %.0f..%.0f y %.0f..%.0f in the %dx%d image, %.0f pixels wide\n",
			i+1, 100*f.Score, where(cx, cy), fr.x(f.XMin), fr.x(f.XMax), fr.y(f.YMin), fr.y(f.YMax), fr.w, fr.h, (f.XMax-f.XMin)*float32(fr.side))
		var kps []string
		for k, p := range f.Keypoints {
			kps = append(kps, keypointNames[k]+" "+px(p))
		}
		fmt.Fprintf(w, "  %s\n", strings.Join(kps, ", "))
	}
}

// where names the part of the picture a normalized point lies in.
func where(x, y float32) string {
	third := func(v float32, lo, mid, hi string) string {
		switch {
		case v < 1.0/3:
			return lo
		case v < 2.0/3:
			return mid
		}
		return hi
	}
	v, h := third(y, "top", "middle", "bottom"), third(x, "left", "centre", "right")
	switch {
	case v == "middle" && h == "centre":
		return "in the centre"
	case v == "middle":
		return "middle " + h
	}
	return v + " " + h
}

// f32Bytes views float32s as their little-endian bytes (every target of
// this project is little-endian).
func f32Bytes(f []float32) []byte {
	if len(f) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&f[0])), 4*len(f))
}
