package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/edgeinfer/edgeinfer/media"
	"github.com/edgeinfer/edgeinfer/runtime"
	"github.com/edgeinfer/edgeinfer/runtime/tflite"
)

// mediaFlags are run's flags for an image or a WAV file instead of tensor
// files.
type mediaFlags struct {
	image, audio, mask string
	top                int
	json               bool
	mean, std          string
	fit                string
}

func (mf *mediaFlags) add(f *cmdFlags) {
	f.StringVar(&mf.image, "image", "", "an image `file` (JPEG, PNG, BMP) for the model's image input, prepared as its metadata says")
	f.StringVar(&mf.audio, "audio", "", "a WAV `file` for the model's audio input, resampled and cut into windows")
	f.IntVar(&mf.top, "top", 5, "classes to print (with --image or --audio)")
	f.StringVar(&mf.mask, "mask", "", "write a segmentation model's mask as a PNG `file`")
	f.BoolVar(&mf.json, "json", false, "print the decoded result as JSON")
	f.StringVar(&mf.mean, "mean", "", "pixel normalization mean, one value or one per channel (`m0,m1,m2`), for models without metadata")
	f.StringVar(&mf.std, "std", "", "pixel normalization std, as --mean")
	f.StringVar(&mf.fit, "fit", "stretch", "how an image of another aspect ratio fits the input: stretch, crop or letterbox")
}

func (mf *mediaFlags) on() bool { return mf.image != "" || mf.audio != "" }

func parseFloats(flag, s string) ([]float32, error) {
	if s == "" {
		return nil, nil
	}
	var out []float32
	for _, p := range strings.Split(s, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(p), 32)
		if err != nil {
			return nil, usagef("--%s %q: want numbers separated by commas", flag, s)
		}
		out = append(out, float32(v))
	}
	return out, nil
}

// runMedia prepares the image or audio file for the model at path as its
// metadata says, runs the model (once per audio window) and prints what
// the outputs say: classes, detections, segments or landmarks.
func runMedia(ctx context.Context, path string, m *tflite.Model, mf *mediaFlags, threads int, stdout io.Writer) error {
	if mf.image != "" && mf.audio != "" {
		return usagef("give --image or --audio, not both")
	}
	o := media.Options{TopK: mf.top, Fit: media.Fit(mf.fit)}
	var err error
	if o.Mean, err = parseFloats("mean", mf.mean); err != nil {
		return err
	}
	if o.Std, err = parseFloats("std", mf.std); err != nil {
		return err
	}
	md, err := m.Describe()
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	task, err := media.NewTask(m.Inputs(), m.Outputs(), md, o)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	file := mf.image + mf.audio
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	p, err := task.Prepare(data, 0)
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	if len(m.Inputs()) != 1 {
		return fmt.Errorf("%s: the model has %d inputs; --image and --audio feed models of one input", path, len(m.Inputs()))
	}
	s, err := m.NewSession(runtime.Options{Threads: threads})
	if err != nil {
		return fmt.Errorf("%s: new session: %w", path, err)
	}
	defer s.Close()
	var runs [][][]byte
	start := time.Now()
	for _, in := range p.Tensors {
		copy(s.Input(task.Input), in)
		if err := s.Run(ctx); err != nil {
			return fmt.Errorf("%s: run: %w", path, err)
		}
		outs := make([][]byte, len(m.Outputs()))
		for i := range outs {
			outs[i] = append([]byte(nil), s.Output(i)...)
		}
		runs = append(runs, outs)
	}
	took := time.Since(start)
	res, err := task.Read(m.Outputs(), runs, p)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if mf.mask != "" {
		if res.Mask == nil {
			return fmt.Errorf("--mask: %s is not a segmentation model (it is %s)", path, res.Kind)
		}
		f, err := os.Create(mf.mask)
		if err != nil {
			return fmt.Errorf("--mask: %w", err)
		}
		if err := res.Mask.WritePNG(f, p.Frame, p.Width, p.Height); err != nil {
			f.Close()
			return fmt.Errorf("--mask %s: %w", mf.mask, err)
		}
		if err := f.Close(); err != nil {
			return fmt.Errorf("--mask: %w", err)
		}
	}
	runsNote := ""
	if len(runs) > 1 {
		runsNote = fmt.Sprintf(" (%d windows, scores averaged)", len(runs))
	}
	return printDecoded(stdout, &res.Decoded, mf.json, mf.mask, fmt.Sprintf("%s: %s, %s in %s%s", file, path, res.Kind, ms(took), runsNote))
}
