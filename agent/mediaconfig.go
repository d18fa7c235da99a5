package agent

import (
	"cmp"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/edgeinfer/edgeinfer/media"
	"github.com/edgeinfer/edgeinfer/runtime"
)

// MediaConfig says how a model takes an encoded image or WAV file sent
// through the socket and how its outputs read, for a model without TFLite
// metadata (MediaPipe's face detector has none); on a model with metadata,
// the keys set here override it. The zero value leaves the metadata as it
// is.
type MediaConfig struct {
	// Kind is how the outputs read: classification, detection (the four
	// outputs of TFLite_Detection_PostProcess), ssd (the raw regressors
	// and scores of a single-shot detector, decoded with anchors),
	// segmentation or landmarks; "" = from the metadata or the outputs'
	// shapes.
	Kind string `yaml:"kind"`
	// Mean is subtracted from each pixel value (0..255) before it is
	// divided by Std: one value, or one per channel.
	Mean []float32 `yaml:"mean"`
	// Std divides each pixel value after Mean is subtracted: one value,
	// or one per channel (an integer input's quantization applies after).
	Std []float32 `yaml:"std"`
	// Fit is how an image of another aspect ratio fits the input: stretch
	// (""), crop or letterbox.
	Fit string `yaml:"fit"`
	// Resize is the resampling: bilinear ("") or nearest.
	Resize string `yaml:"resize"`
	// BGR feeds channels in blue, green, red order.
	BGR bool `yaml:"bgr"`
	// SampleRate is an audio input's rate in Hz (models without metadata).
	SampleRate int `yaml:"sample_rate"`
	// TopK is how many classes an answer lists when the request does not
	// say (0 = 5).
	TopK int `yaml:"top_k"`
	// MinScore drops detections scoring less (0 = 0.5).
	MinScore float32 `yaml:"min_score"`
	// Labels is a text file of labels, one per line, for the output the
	// kind reads (a relative path is relative to the model file's folder;
	// at most 1 MiB), read when a version loads.
	Labels string `yaml:"labels"`
	// SSD holds the anchor and decoding options of kind ssd, as MediaPipe's
	// graph for the model sets them (SsdAnchorsCalculator and
	// TensorsToDetectionsCalculator).
	SSD SSDConfig `yaml:"ssd"`
}

// SSDConfig are the anchor and decoding options of a raw SSD model
// (media.SSDAnchors and media.SSDDecoder); the anchors' input size is the
// model's.
type SSDConfig struct {
	// Strides has one entry per anchor layer (MediaPipe's short-range face
	// detector: [8, 16, 16, 16]).
	Strides []int `yaml:"strides"`
	// MinScale is the anchor scale of the first layer.
	MinScale float32 `yaml:"min_scale"`
	// MaxScale is the anchor scale of the last layer.
	MaxScale float32 `yaml:"max_scale"`
	// AnchorOffsetX places anchors across their cells (0 = 0.5, the
	// centre).
	AnchorOffsetX float32 `yaml:"anchor_offset_x"`
	// AnchorOffsetY places anchors down their cells (0 = 0.5).
	AnchorOffsetY float32 `yaml:"anchor_offset_y"`
	// AspectRatios of each layer's anchors ([] = [1]).
	AspectRatios []float32 `yaml:"aspect_ratios"`
	// InterpolatedScaleAspectRatio > 0 adds one anchor per layer between
	// this layer's scale and the next one's.
	InterpolatedScaleAspectRatio float32 `yaml:"interpolated_scale_aspect_ratio"`
	// FixedAnchorSize gives every anchor width and height 1.
	FixedAnchorSize bool `yaml:"fixed_anchor_size"`
	// ReduceBoxesInLowestLayer gives the first layer three anchors.
	ReduceBoxesInLowestLayer bool `yaml:"reduce_boxes_in_lowest_layer"`
	// NumCoords is the number of regressor values per anchor (4 box values,
	// then 2 per keypoint); 0 = the regressor output's last dimension.
	NumCoords int `yaml:"num_coords"`
	// NumKeypoints is the number of keypoints per detection.
	NumKeypoints int `yaml:"num_keypoints"`
	// XScale divides the raw x values (0 = the input's width).
	XScale float32 `yaml:"x_scale"`
	// YScale divides the raw y values (0 = the input's height).
	YScale float32 `yaml:"y_scale"`
	// WScale divides the raw widths (0 = the input's width).
	WScale float32 `yaml:"w_scale"`
	// HScale divides the raw heights (0 = the input's height).
	HScale float32 `yaml:"h_scale"`
	// ReverseOutputOrder says boxes are x, y, w, h (else y, x, h, w).
	ReverseOutputOrder bool `yaml:"reverse_output_order"`
	// ScoreClip bounds the score logits before the sigmoid (0 = no bound).
	ScoreClip float32 `yaml:"score_clip"`
	// IoU is the overlap over which detections merge (weighted
	// non-maximum suppression); 0 = 0.3.
	IoU float32 `yaml:"iou"`
}

// zero reports whether no key of the section is set.
func (m MediaConfig) zero() bool {
	return m.Kind == "" && len(m.Mean) == 0 && len(m.Std) == 0 && m.Fit == "" && m.Resize == "" && !m.BGR && m.SampleRate == 0 &&
		m.TopK == 0 && m.MinScore == 0 && m.Labels == "" && m.SSD.zero()
}

func (s SSDConfig) zero() bool {
	return len(s.Strides) == 0 && s.MinScale == 0 && s.MaxScale == 0 && s.AnchorOffsetX == 0 && s.AnchorOffsetY == 0 &&
		len(s.AspectRatios) == 0 && s.InterpolatedScaleAspectRatio == 0 && !s.FixedAnchorSize && !s.ReduceBoxesInLowestLayer &&
		s.NumCoords == 0 && s.NumKeypoints == 0 && s.XScale == 0 && s.YScale == 0 && s.WScale == 0 && s.HScale == 0 &&
		!s.ReverseOutputOrder && s.ScoreClip == 0 && s.IoU == 0
}

// validate checks the keys under field ("models.face.media").
func (m MediaConfig) validate(field string, bad func(field, format string, args ...any)) {
	kinds := []string{"classification", "detection", "ssd", "segmentation", "landmarks"}
	if m.Kind != "" && !slices.Contains(kinds, m.Kind) {
		bad(field+".kind", "%q is none of %s", m.Kind, strings.Join(kinds, ", "))
	}
	for _, v := range []struct {
		key  string
		vals []float32
	}{{"mean", m.Mean}, {"std", m.Std}} {
		if len(v.vals) != 0 && len(v.vals) != 1 && len(v.vals) != 3 {
			bad(field+"."+v.key, "%d values: want one, or one per channel (3)", len(v.vals))
		}
	}
	if (len(m.Mean) == 0) != (len(m.Std) == 0) {
		bad(field, "mean and std go together: give both")
	}
	for i, s := range m.Std {
		if s == 0 {
			bad(fmt.Sprintf("%s.std[%d]", field, i), "0 divides by zero")
		}
	}
	switch m.Fit {
	case "", string(media.FitStretch), string(media.FitCrop), string(media.FitLetterbox):
	default:
		bad(field+".fit", "%q: want stretch, crop or letterbox", m.Fit)
	}
	if m.Resize != "" && m.Resize != "bilinear" && m.Resize != "nearest" {
		bad(field+".resize", "%q: want bilinear or nearest", m.Resize)
	}
	if m.SampleRate < 0 || m.SampleRate > 384000 {
		bad(field+".sample_rate", "%d is outside 1..384000", m.SampleRate)
	}
	if m.TopK < 0 || m.TopK > 1000 {
		bad(field+".top_k", "%d is outside 1..1000", m.TopK)
	}
	if m.MinScore < 0 || m.MinScore > 1 {
		bad(field+".min_score", "%g is outside 0..1", m.MinScore)
	}
	s, sf := m.SSD, field+".ssd"
	switch {
	case m.Kind == "ssd" && len(s.Strides) == 0:
		bad(sf+".strides", "missing: kind ssd needs its anchor layers' strides")
	case m.Kind != "ssd" && !s.zero():
		bad(sf, "anchor and decoding options are for kind ssd, not %q", m.Kind)
	}
	for i, v := range s.Strides {
		if v < 1 || v > 1024 {
			bad(fmt.Sprintf("%s.strides[%d]", sf, i), "%d is outside 1..1024", v)
		}
	}
	if s.MinScale < 0 || s.MaxScale < 0 || s.MaxScale < s.MinScale {
		bad(sf, "min_scale %g and max_scale %g: want 0 <= min_scale <= max_scale", s.MinScale, s.MaxScale)
	}
	for i, r := range s.AspectRatios {
		if r <= 0 {
			bad(fmt.Sprintf("%s.aspect_ratios[%d]", sf, i), "%g is not positive", r)
		}
	}
	for _, v := range []struct {
		key string
		v   float32
	}{{"anchor_offset_x", s.AnchorOffsetX}, {"anchor_offset_y", s.AnchorOffsetY}, {"iou", s.IoU}} {
		if v.v < 0 || v.v > 1 {
			bad(sf+"."+v.key, "%g is outside 0..1", v.v)
		}
	}
	for _, v := range []struct {
		key string
		v   float32
	}{{"x_scale", s.XScale}, {"y_scale", s.YScale}, {"w_scale", s.WScale}, {"h_scale", s.HScale}, {"score_clip", s.ScoreClip}, {"interpolated_scale_aspect_ratio", s.InterpolatedScaleAspectRatio}} {
		if v.v < 0 {
			bad(sf+"."+v.key, "%g is negative", v.v)
		}
	}
	if s.NumKeypoints < 0 || s.NumKeypoints > 1000 {
		bad(sf+".num_keypoints", "%d is outside 0..1000", s.NumKeypoints)
	}
	if s.NumCoords != 0 && s.NumCoords < 4+2*s.NumKeypoints {
		bad(sf+".num_coords", "%d is fewer than the 4 box values and 2 per keypoint (%d)", s.NumCoords, 4+2*s.NumKeypoints)
	}
}

// options maps the section to media.Options for a model whose inputs
// and outputs are ins and outs, the model file being modelPath; field
// names the section in errors.
func (m MediaConfig) options(field, modelPath string, ins, outs []runtime.TensorInfo) (media.Options, error) {
	o := media.Options{Kind: media.Kind(m.Kind), Fit: media.Fit(m.Fit), Resize: m.Resize, BGR: m.BGR,
		SampleRate: m.SampleRate, TopK: m.TopK, MinScore: m.MinScore}
	if len(m.Mean) > 0 {
		o.Mean, o.Std = m.Mean, m.Std
	}
	if m.Labels != "" {
		path := m.Labels
		if !filepath.IsAbs(path) {
			path = filepath.Join(filepath.Dir(modelPath), path)
		}
		labels, err := readLabels(path)
		if err != nil {
			return o, fmt.Errorf("%s.labels: %w", field, err)
		}
		o.Labels = labels
	}
	if m.Kind != string(media.KindSSD) {
		return o, nil
	}
	dec, err := m.SSD.decoder(ins, outs)
	if err != nil {
		return o, fmt.Errorf("%s.ssd: %w", field, err)
	}
	dec.MinScore = m.MinScore
	if dec.MinScore == 0 {
		dec.MinScore = 0.5
	}
	o.SSD = dec
	return o, nil
}

// decoder builds the SSD decoder for a model of one image input
// [1, height, width, channels] and outputs regressors [1, anchors, coords]
// and scores [1, anchors, 1].
func (s SSDConfig) decoder(ins, outs []runtime.TensorInfo) (*media.SSDDecoder, error) {
	if len(ins) != 1 || len(ins[0].Shape) != 4 || len(outs) < 2 {
		return nil, fmt.Errorf("want a model of one image input [1, height, width, channels] and two outputs (regressors, scores), not %d inputs and %d outputs", len(ins), len(outs))
	}
	h, w := ins[0].Shape[1], ins[0].Shape[2]
	a := media.SSDAnchors{InputWidth: w, InputHeight: h, Strides: s.Strides, MinScale: s.MinScale, MaxScale: s.MaxScale,
		AnchorOffsetX: cmp.Or(s.AnchorOffsetX, 0.5), AnchorOffsetY: cmp.Or(s.AnchorOffsetY, 0.5), AspectRatios: s.AspectRatios,
		InterpolatedScaleAspectRatio: s.InterpolatedScaleAspectRatio, FixedAnchorSize: s.FixedAnchorSize,
		ReduceBoxesInLowestLayer: s.ReduceBoxesInLowestLayer}
	anchors, err := a.Anchors()
	if err != nil {
		return nil, err
	}
	reg := outs[0].Shape
	if len(reg) != 3 || reg[1] != len(anchors) {
		return nil, fmt.Errorf("the options give %d anchors, but the regressor output %s has another count", len(anchors), outs[0])
	}
	d := &media.SSDDecoder{Anchors: anchors, NumCoords: s.NumCoords, NumKeypoints: s.NumKeypoints,
		XScale: cmp.Or(s.XScale, float32(w)), YScale: cmp.Or(s.YScale, float32(h)), WScale: cmp.Or(s.WScale, float32(w)), HScale: cmp.Or(s.HScale, float32(h)),
		ReverseOutputOrder: s.ReverseOutputOrder, ScoreClip: s.ScoreClip, IoU: cmp.Or(s.IoU, 0.3)}
	if d.NumCoords == 0 {
		d.NumCoords = reg[2]
	}
	return d, nil
}

// maxLabelsBytes bounds a labels file: ImageNet's 1001 labels take 11 KB.
const maxLabelsBytes = 1 << 20

// readLabels reads a labels file, one label per line: a regular file of
// at most maxLabelsBytes.
func readLabels(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file", path)
	}
	b, err := io.ReadAll(io.LimitReader(f, maxLabelsBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(b) > maxLabelsBytes {
		return nil, fmt.Errorf("%s: more than %d bytes: not a labels file", path, maxLabelsBytes)
	}
	return strings.Split(strings.TrimRight(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n"), "\n"), nil
}
