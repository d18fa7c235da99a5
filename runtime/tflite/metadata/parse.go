package metadata

import (
	"fmt"
	"math"

	"github.com/edgeinfer/edgeinfer/runtime/tflite/internal/flatbuf"
)

// Union member numbers of metadata_schema.fbs.
const (
	contentFeature     = 1
	contentImage       = 2
	contentBoundingBox = 3
	contentAudio       = 4

	unitNormalization    = 1
	unitScoreCalibration = 2
	unitScoreThreshold   = 3
)

var (
	colorSpaces     = []string{"UNKNOWN", "RGB", "GRAYSCALE"}
	transformations = []string{"IDENTITY", "LOG", "INVERSE_LOGISTIC"}
)

// expansion bounds what a flatbuffer reader allocates to this many times
// the bytes it reads (plus flatbuf.Slack): vectors and strings may be
// shared by any number of references.
const expansion = 8

// parse reads a ModelMetadata flatbuffer; z gives the associated files.
func parse(b []byte, z *zipFiles) (*Metadata, error) {
	r := flatbuf.NewReader(b, "buffer", expansion)
	if len(b) >= 8 && string(b[4:8]) != "M001" {
		return nil, fmt.Errorf("file identifier %q, want \"M001\"", b[4:8])
	}
	root := r.Root()
	md := &Metadata{
		Name:             root.Str(0),
		Description:      root.Str(1),
		Version:          root.Str(2),
		Author:           root.Str(4),
		License:          root.Str(5),
		MinParserVersion: root.Str(7),
	}
	md.Files = files(root.Tables(6, MaxFiles, "model associated files"), z)
	if sgs := root.Tables(3, 1<<10, "subgraph metadata entries"); len(sgs) > 0 {
		sg := sgs[0]
		md.Files = append(md.Files, files(sg.Tables(4, MaxFiles, "subgraph associated files"), z)...)
		var err error
		if md.Inputs, err = tensors(sg.Tables(2, MaxTensors, "input tensor entries"), z, "input"); err != nil {
			return nil, err
		}
		if md.Outputs, err = tensors(sg.Tables(3, MaxTensors, "output tensor entries"), z, "output"); err != nil {
			return nil, err
		}
	}
	if r.Err() != nil {
		return nil, fmt.Errorf("metadata flatbuffer: %w", r.Err())
	}
	return md, nil
}

func files(ts []flatbuf.Table, z *zipFiles) []File {
	var out []File
	for _, t := range ts {
		f := File{Name: t.Str(0), Description: t.Str(1), Type: FileUnknown, Locale: t.Str(3), Size: z.size(t.Str(0))}
		if k := int(int8(t.U8(2, 0))); k >= 0 && k < len(fileTypes) {
			f.Type = fileTypes[k]
		}
		out = append(out, f)
	}
	return out
}

func tensors(ts []flatbuf.Table, z *zipFiles, dir string) ([]Tensor, error) {
	out := make([]Tensor, 0, len(ts))
	for i, t := range ts {
		tm, err := tensor(t, z)
		if err != nil {
			return nil, fmt.Errorf("%s %d (%q): %w", dir, i, tm.Name, err)
		}
		out = append(out, tm)
	}
	return out, nil
}

func tensor(t flatbuf.Table, z *zipFiles) (Tensor, error) {
	tm := Tensor{Name: t.Str(0), Description: t.Str(1), Files: files(t.Tables(6, MaxFiles, "associated files"), z)}
	content := t.Table(3)
	props := content.Table(1)
	switch content.U8(0, 0) {
	case contentFeature:
		tm.Kind = KindFeature
	case contentImage:
		tm.Kind = KindImage
		img := &Image{ColorSpace: "UNKNOWN"}
		if c := int(props.U8(0, 0)); c < len(colorSpaces) {
			img.ColorSpace = colorSpaces[c]
		}
		size := props.Table(1)
		img.Width, img.Height = size.U32(0, 0), size.U32(1, 0)
		tm.Image = img
	case contentBoundingBox:
		tm.Kind = KindBoundingBox
	case contentAudio:
		tm.Kind = KindAudio
		tm.Audio = &Audio{SampleRate: props.U32(0, 0), Channels: props.U32(1, 0)}
	}
	for _, u := range t.Tables(4, MaxProcessUnits, "process units") {
		opts := u.Table(1)
		switch u.U8(0, 0) {
		case unitNormalization:
			n := &Normalization{Mean: opts.F32s(0), Std: opts.F32s(1)}
			if err := n.validate(); err != nil {
				return tm, err
			}
			tm.Normalization = n
		case unitScoreCalibration:
			sc := &ScoreCalibration{Transformation: "IDENTITY", DefaultScore: opts.F32(1, 0)}
			if k := int(opts.U8(0, 0)); k < len(transformations) {
				sc.Transformation = transformations[k]
			} else {
				return tm, fmt.Errorf("score calibration: transformation %d unknown", k)
			}
			tm.ScoreCalibration = sc
		case unitScoreThreshold:
			v := opts.F32(0, 0)
			tm.ScoreThreshold = &v
		}
	}
	for _, f := range tm.Files {
		switch {
		case (f.Type == FileAxisLabels || f.Type == FileValueLabels) && tm.Labels == nil:
			l := &Labels{File: f.Name, Type: f.Type, Locale: f.Locale}
			b, err := z.read(f.Name)
			if err != nil {
				return tm, err
			}
			if b != nil {
				if l.List, err = parseLabels(b); err != nil {
					return tm, fmt.Errorf("labels %s: %w", f.Name, err)
				}
			}
			tm.Labels = l
		case f.Type == FileScoreCalibration && tm.ScoreCalibration != nil && tm.ScoreCalibration.File == "":
			tm.ScoreCalibration.File = f.Name
			b, err := z.read(f.Name)
			if err != nil {
				return tm, err
			}
			if b != nil {
				if tm.ScoreCalibration.Params, err = parseCalibration(b); err != nil {
					return tm, fmt.Errorf("score calibration %s: %w", f.Name, err)
				}
			}
		}
	}
	return tm, nil
}

func (n *Normalization) validate() error {
	if len(n.Mean) == 0 || len(n.Std) == 0 {
		return fmt.Errorf("normalization: %d means and %d stds, want at least one of each", len(n.Mean), len(n.Std))
	}
	if len(n.Mean) != len(n.Std) && len(n.Mean) != 1 && len(n.Std) != 1 {
		return fmt.Errorf("normalization: %d means and %d stds", len(n.Mean), len(n.Std))
	}
	for i, m := range n.Mean {
		if math.IsNaN(float64(m)) || math.IsInf(float64(m), 0) {
			return fmt.Errorf("normalization: mean %d is %v", i, m)
		}
	}
	for i, s := range n.Std {
		if s == 0 || math.IsNaN(float64(s)) || math.IsInf(float64(s), 0) {
			return fmt.Errorf("normalization: std %d is %v", i, s)
		}
	}
	return nil
}
