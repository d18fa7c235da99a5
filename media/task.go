package media

import (
	"fmt"
	"strings"

	"github.com/edgeinfer/edgeinfer/api"
	"github.com/edgeinfer/edgeinfer/runtime"
)

// Kind is how a model's outputs read.
type Kind string

// The kinds of output.
const (
	// KindClassification: one output of scores, one per class.
	KindClassification Kind = "classification"
	// KindDetection: the four outputs of TFLite_Detection_PostProcess.
	KindDetection Kind = "detection"
	// KindSSD: raw SSD regressors and scores, decoded with anchors
	// (MediaPipe's face and palm detectors).
	KindSSD Kind = "ssd"
	// KindSegmentation: scores or classes per pixel.
	KindSegmentation Kind = "segmentation"
	// KindLandmarks: points in the input's pixels.
	KindLandmarks Kind = "landmarks"
)

// Task is what a model does with media: how an image or a waveform becomes
// its input, and how its outputs read.
type Task struct {
	// Input is the index of the input the media feeds; exactly one of
	// Image and Audio is set.
	Input int
	Image *ImageInput
	Audio *AudioInput
	// Kind is how the outputs read, and Labels their labels by output
	// index (nil where none).
	Kind   Kind
	Labels [][]string
	// LabelOffset shifts detection classes into Labels (1 for label maps
	// that start with a background line).
	LabelOffset int
	// TopK classes are reported (default 5); detections scoring below
	// MinScore are dropped.
	TopK     int
	MinScore float32
	// SSD decodes KindSSD outputs.
	SSD *SSDDecoder
}

// Options override what a model's metadata says, or say it for models
// without metadata. Zero values leave the task as derived.
type Options struct {
	Kind      Kind
	Mean, Std []float32
	Fit       Fit
	Resize    string
	BGR       bool
	TopK      int
	MinScore  float32
	// SampleRate is the audio input's rate (models without metadata).
	SampleRate int
	// Labels replaces the labels of the output the kind reads.
	Labels []string
	SSD    *SSDDecoder
}

// NewTask derives a model's task from its inputs, outputs and description
// (its metadata; nil when it has none), with o on top.
func NewTask(ins, outs []runtime.TensorInfo, md *runtime.Description, o Options) (*Task, error) {
	t := &Task{Input: -1, Labels: make([][]string, len(outs)), TopK: 5, MinScore: 0.5, Kind: o.Kind, SSD: o.SSD}
	if o.TopK > 0 {
		t.TopK = o.TopK
	}
	if o.MinScore > 0 {
		t.MinScore = o.MinScore
	}
	var mdIn, mdOut []runtime.TensorDescription
	if md != nil {
		mdIn, mdOut = md.Inputs, md.Outputs
	}
	for i, m := range mdOut {
		if i < len(t.Labels) {
			t.Labels[i] = m.Labels
		}
	}
	// The media input: the one the metadata calls an image or audio, else
	// the only input.
	for i, m := range mdIn {
		if m.Content == runtime.ContentImage || m.Content == runtime.ContentAudio {
			t.Input = i
			break
		}
	}
	if t.Input < 0 && len(ins) == 1 {
		t.Input = 0
	}
	if t.Input < 0 {
		return nil, fmt.Errorf("media: the model has %d inputs and no metadata saying which takes the image or audio", len(ins))
	}
	var mi runtime.TensorDescription
	if t.Input < len(mdIn) {
		mi = mdIn[t.Input]
	}
	in := ins[t.Input]
	switch {
	case mi.Content == runtime.ContentAudio || o.SampleRate > 0 || (mi.Content == "" && len(in.Shape) <= 2):
		rate := o.SampleRate
		if rate == 0 {
			rate = mi.SampleRate
		}
		if rate == 0 {
			return nil, fmt.Errorf("media: input %s looks like a waveform, but the model has no metadata giving its sample rate", in)
		}
		a, err := AudioInputFor(in, rate)
		if err != nil {
			return nil, err
		}
		t.Audio = &a
	default:
		mean, std := o.Mean, o.Std
		if mean == nil {
			mean, std = mi.Mean, mi.Std
		}
		if mean == nil && in.DType == runtime.Float32 {
			return nil, fmt.Errorf("media: float input %s: the model has no metadata saying how to normalize pixels; give a mean and std", in)
		}
		im, err := ImageInputFor(in, mean, std)
		if err != nil {
			return nil, err
		}
		im.Fit, im.Resize, im.BGR = o.Fit, o.Resize, o.BGR
		if err := im.Validate(); err != nil {
			return nil, err
		}
		t.Image = &im
	}
	if t.Kind == "" {
		t.Kind = guessKind(outs, mdOut)
	}
	if t.Kind == "" {
		return nil, fmt.Errorf("media: cannot tell how the model's %d outputs read (classification, detection, ssd, segmentation or landmarks); say which", len(outs))
	}
	if err := t.check(outs); err != nil {
		return nil, err
	}
	if o.Labels != nil {
		t.Labels[t.labelled()] = o.Labels
	}
	return t, nil
}

// guessKind reads the kind from the outputs' shapes, names and metadata.
func guessKind(outs []runtime.TensorInfo, md []runtime.TensorDescription) Kind {
	if len(outs) == 4 && strings.HasPrefix(outs[0].Name, "TFLite_Detection_PostProcess") {
		return KindDetection
	}
	if len(md) == 4 && md[0].Content == runtime.ContentBoundingBox {
		return KindDetection
	}
	if len(outs) == 1 {
		o := outs[0]
		if len(o.Shape) == 4 && o.Shape[0] == 1 && o.Shape[3] > 1 {
			return KindSegmentation
		}
		if (len(o.Shape) == 2 && o.Shape[0] == 1) || len(o.Shape) == 1 {
			return KindClassification
		}
	}
	return ""
}

// labelled is the output whose labels the kind reads: the classes of
// detections, the scores of SSD outputs.
func (t *Task) labelled() int {
	if t.Kind == KindDetection || t.Kind == KindSSD {
		return 1
	}
	return 0
}

func (t *Task) check(outs []runtime.TensorInfo) error {
	need := map[Kind]int{KindClassification: 1, KindDetection: 4, KindSSD: 2, KindSegmentation: 1, KindLandmarks: 1}
	n, ok := need[t.Kind]
	switch {
	case !ok:
		return fmt.Errorf("media: unknown kind %q (classification, detection, ssd, segmentation or landmarks)", t.Kind)
	case len(outs) < n:
		return fmt.Errorf("media: %s reads %d outputs, the model has %d", t.Kind, n, len(outs))
	case t.Kind == KindSSD && t.SSD == nil:
		return fmt.Errorf("media: ssd outputs need anchor and decoding options")
	case t.Kind == KindLandmarks && t.Image == nil:
		return fmt.Errorf("media: landmarks need an image input")
	}
	return nil
}

// Prepared is media made into input tensors: one per window for audio,
// one for an image, with the frame that maps the image input back.
type Prepared struct {
	Tensors [][]byte
	Frame   Frame
	// Width and Height are the original image's.
	Width, Height int
}

// Prepare decodes an encoded image (JPEG, PNG, BMP) or WAV file, as the
// task's input takes, into input tensors. An image of more than maxPixels
// pixels (0 = DefaultMaxPixels), or a waveform of more samples, is
// refused before it is decoded.
func (t *Task) Prepare(data []byte, maxPixels int) (*Prepared, error) {
	if t.Audio != nil {
		a, err := DecodeWAV(data, maxPixels)
		if err != nil {
			return nil, err
		}
		w, err := t.Audio.Windows(a)
		if err != nil {
			return nil, err
		}
		return &Prepared{Tensors: w}, nil
	}
	img, _, err := DecodeImage(data, maxPixels)
	if err != nil {
		return nil, err
	}
	b, frame, err := t.Image.Tensor(img)
	if err != nil {
		return nil, err
	}
	return &Prepared{Tensors: [][]byte{b}, Frame: frame, Width: img.W, Height: img.H}, nil
}

// Result is what a model's outputs say, by kind, as the socket API
// answers it, with a segmentation's classes per pixel.
type Result struct {
	api.Decoded
	Mask *Segmentation `json:"-"`
}

// Read reads the outputs of one run per prepared tensor (runs[k][i] is
// output i of run k): classes of several audio windows are averaged.
func (t *Task) Read(outs []runtime.TensorInfo, runs [][][]byte, p *Prepared) (*Result, error) {
	if len(runs) == 0 {
		return nil, fmt.Errorf("media: no outputs to read")
	}
	for k, r := range runs {
		if len(r) != len(outs) {
			return nil, fmt.Errorf("media: run %d has %d outputs, the model %d", k, len(r), len(outs))
		}
	}
	res := &Result{Decoded: api.Decoded{Kind: string(t.Kind), Width: p.Width, Height: p.Height}}
	if t.Audio != nil {
		res.Windows = len(runs)
	}
	first := runs[0]
	switch t.Kind {
	case KindClassification:
		var sum []float32
		for _, r := range runs {
			s, err := Scores(outs[0], r[0])
			if err != nil {
				return nil, err
			}
			if sum == nil {
				sum = make([]float32, len(s))
			}
			for i, v := range s {
				sum[i] += v / float32(len(runs))
			}
		}
		res.Classes = TopK(sum, t.Labels[0], t.TopK)
	case KindDetection:
		vals := make([][]float32, 4)
		for i := range vals {
			s, err := Scores(outs[i], first[i])
			if err != nil {
				return nil, err
			}
			vals[i] = s
		}
		if len(vals[3]) != 1 {
			return nil, fmt.Errorf("media: detection count output %s has %d values, want 1", outs[3], len(vals[3]))
		}
		d, err := PostProcessed(vals[0], vals[1], vals[2], vals[3][0], t.Labels[1], t.LabelOffset, p.Frame, t.MinScore)
		if err != nil {
			return nil, err
		}
		res.Detections = d
	case KindSSD:
		reg, err := Scores(outs[0], first[0])
		if err != nil {
			return nil, err
		}
		logits, err := Scores(outs[1], first[1])
		if err != nil {
			return nil, err
		}
		d, err := t.SSD.Decode(reg, logits, p.Frame)
		if err != nil {
			return nil, err
		}
		for i := range d {
			if l := t.Labels[1]; d[i].Class >= 0 && d[i].Class < len(l) {
				d[i].Label = l[d[i].Class]
			}
		}
		res.Detections = d
	case KindSegmentation:
		s, err := Segment(outs[0], first[0])
		if err != nil {
			return nil, err
		}
		res.Mask, res.Segments = s, s.Shares(t.Labels[0])
	case KindLandmarks:
		v, err := Scores(outs[0], first[0])
		if err != nil {
			return nil, err
		}
		l, err := Landmarks(v, 3, t.Image.Width, t.Image.Height, p.Frame)
		if err != nil {
			return nil, err
		}
		res.Landmarks = l
	}
	return res, nil
}
