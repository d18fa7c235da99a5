package media_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/media"
	"github.com/edgeinfer/edgeinfer/runtime"
	"github.com/edgeinfer/edgeinfer/runtime/tflite"
	"github.com/edgeinfer/edgeinfer/runtime/tflite/metadata"
)

func floats(b []byte) []float32 {
	out := make([]float32, len(b)/4)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return out
}

// faceAnchors are the options of MediaPipe's short-range face detector
// graph (face_detection_short_range.pbtxt).
var faceAnchors = media.SSDAnchors{
	InputWidth: 128, InputHeight: 128, Strides: []int{8, 16, 16, 16},
	MinScale: 0.1484375, MaxScale: 0.75, AnchorOffsetX: 0.5, AnchorOffsetY: 0.5,
	InterpolatedScaleAspectRatio: 1, FixedAnchorSize: true,
}

// TestSSDAnchorCounts: the anchor generator gives the counts the known
// graphs have: 896 (short-range face), 2016 (palm), 2304 (full-range
// face), 1917 (the classic SSD MobileNet of the TF object detection API).
func TestSSDAnchorCounts(t *testing.T) {
	palm := faceAnchors
	palm.InputWidth, palm.InputHeight = 192, 192
	full := media.SSDAnchors{InputWidth: 192, InputHeight: 192, Strides: []int{4}, MinScale: 0.1484375, MaxScale: 0.75,
		AnchorOffsetX: 0.5, AnchorOffsetY: 0.5, FixedAnchorSize: true}
	ssd := media.SSDAnchors{InputWidth: 300, InputHeight: 300, Strides: []int{16, 32, 64, 128, 256, 512}, MinScale: 0.2, MaxScale: 0.95,
		AnchorOffsetX: 0.5, AnchorOffsetY: 0.5, AspectRatios: []float32{1, 2, 0.5, 3, 0.3333}, InterpolatedScaleAspectRatio: 1,
		ReduceBoxesInLowestLayer: true}
	for _, tc := range []struct {
		name  string
		o     media.SSDAnchors
		count int
		first media.Anchor
	}{
		{"face short range", faceAnchors, 896, media.Anchor{X: 0.5 / 16, Y: 0.5 / 16, W: 1, H: 1}},
		{"palm", palm, 2016, media.Anchor{X: 0.5 / 24, Y: 0.5 / 24, W: 1, H: 1}},
		{"face full range", full, 2304, media.Anchor{X: 0.5 / 48, Y: 0.5 / 48, W: 1, H: 1}},
		{"ssd mobilenet", ssd, 1917, media.Anchor{X: 0.5 / 19, Y: 0.5 / 19, W: 0.1, H: 0.1}},
	} {
		a, err := tc.o.Anchors()
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if len(a) != tc.count || a[0] != tc.first {
			t.Errorf("%s: %d anchors starting %+v, want %d starting %+v", tc.name, len(a), a[0], tc.count, tc.first)
		}
	}
	if _, err := (media.SSDAnchors{InputWidth: 8, InputHeight: 8, Strides: []int{0}}).Anchors(); err == nil {
		t.Error("stride 0 accepted")
	}
}

// TestFaceFromPhoto: Grace Hopper's portrait, cropped and normalized as
// the conformance reference was made, is byte for byte the reference's
// input; the engine's outputs decode to one face with its eyes above its
// nose above its mouth, in the original photo's pixels.
func TestFaceFromPhoto(t *testing.T) {
	dir := shared(t, "conformance", "mp_face_detection_short_range")
	photo := decode(t, shared(t, "conformance2", "mp_face_detection_full_range", "source", "grace_hopper.bmp"))
	m, err := tflite.Open(filepath.Join(dir, "model.tflite"))
	if err != nil {
		t.Fatal(err)
	}
	in, err := media.ImageInputFor(m.Inputs()[0], []float32{127.5}, []float32{127.5})
	if err != nil {
		t.Fatal(err)
	}
	crop := photo.Crop(0, 0, 512, 512) // the reference's crop box
	tensor, frame, err := in.Tensor(crop)
	if err != nil {
		t.Fatal(err)
	}
	if want := readFile(t, filepath.Join(dir, "case_2", "in_0.bin")); !bytes.Equal(tensor, want) {
		t.Fatalf("the tensor of the cropped photo differs from the reference input")
	}
	s, err := m.NewSession(runtime.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	copy(s.Input(0), tensor)
	if err := s.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	anchors, err := faceAnchors.Anchors()
	if err != nil {
		t.Fatal(err)
	}
	dec := media.SSDDecoder{Anchors: anchors, NumCoords: 16, NumKeypoints: 6, XScale: 128, YScale: 128, WScale: 128, HScale: 128,
		ReverseOutputOrder: true, ScoreClip: 100, MinScore: 0.5, IoU: 0.3}
	faces, err := dec.Decode(floats(s.Output(0)), floats(s.Output(1)), frame)
	if err != nil {
		t.Fatal(err)
	}
	if len(faces) != 1 {
		t.Fatalf("%d faces, want 1: %+v", len(faces), faces)
	}
	f := faces[0]
	eyeR, eyeL, nose, mouth := f.Keypoints[0], f.Keypoints[1], f.Keypoints[2], f.Keypoints[3]
	cx, cy := (f.XMin+f.XMax)/2, (f.YMin+f.YMax)/2
	if f.Score < 0.8 || cx < 150 || cx > 360 || cy < 100 || cy > 400 || f.XMax-f.XMin < 100 ||
		eyeR.X >= eyeL.X || max(eyeR.Y, eyeL.Y) >= nose.Y || nose.Y >= mouth.Y {
		t.Errorf("implausible face %+v", f)
	}
	// The reference outputs of the real TFLite decode to the same face.
	ref, err := dec.Decode(floats(readFile(t, filepath.Join(dir, "case_2", "out_0.bin"))), floats(readFile(t, filepath.Join(dir, "case_2", "out_1.bin"))), frame)
	if err != nil || len(ref) != 1 || math.Abs(ref[0].XMin-f.XMin) > 1 || math.Abs(ref[0].YMax-f.YMax) > 1 {
		t.Errorf("the reference outputs decode to %+v (%v), the engine's to %+v", ref, err, f)
	}
}

// TestDetectionsWithLabels: the real TFLite outputs of COCO SSD on a photo
// of cats and dogs, read with the labels of the model's own metadata,
// name cats and dogs.
func TestDetectionsWithLabels(t *testing.T) {
	dir := shared(t, "conformance", "tfls_coco_ssd_mobilenet_v1_quant")
	md, err := metadata.ReadFile(filepath.Join(dir, "model.tflite"))
	if err != nil {
		t.Fatal(err)
	}
	if len(md.Outputs) < 2 || md.Outputs[1].Labels == nil {
		t.Fatal("the model's metadata has no labels for its classes output")
	}
	out := make([][]float32, 4)
	for k := range out {
		out[k] = floats(readFile(t, filepath.Join(dir, "case_2", "out_"+string(rune('0'+k))+".bin")))
	}
	dets, err := media.PostProcessed(out[0], out[1], out[2], out[3][0], md.Outputs[1].Labels.List, 0, media.Frame{W: 600, H: 400}, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	var labels []string
	for _, d := range dets {
		labels = append(labels, d.Label)
		// The model's boxes may reach a little past the image's edges.
		if d.XMin < -12 || d.XMax > 612 || d.YMin < -8 || d.YMax > 408 || d.XMin >= d.XMax || d.YMin >= d.YMax {
			t.Errorf("box outside the 600x400 frame by more than 2%%: %+v", d)
		}
	}
	all := strings.Join(labels, ",")
	if !strings.Contains(all, "cat") || !strings.Contains(all, "dog") {
		t.Errorf("labels %q, want cats and dogs", all)
	}
	for _, tc := range []struct {
		name                   string
		boxes, classes, scores []float32
		count                  float32
	}{
		{"boxes short", make([]float32, 3), make([]float32, 1), make([]float32, 1), 1},
		{"count over rows", make([]float32, 4), make([]float32, 1), make([]float32, 1), 2},
		{"count NaN", make([]float32, 4), make([]float32, 1), make([]float32, 1), float32(math.NaN())},
	} {
		if _, err := media.PostProcessed(tc.boxes, tc.classes, tc.scores, tc.count, nil, 0, media.Frame{W: 1, H: 1}, 0); err == nil {
			t.Errorf("%s: accepted", tc.name)
		}
	}
}

func TestSSDDecoderRefusals(t *testing.T) {
	a := []media.Anchor{{X: 0.5, Y: 0.5, W: 1, H: 1}}
	for _, tc := range []struct {
		name string
		d    media.SSDDecoder
		reg  []float32
	}{
		{"regressors short", media.SSDDecoder{Anchors: a, NumCoords: 4, XScale: 1, YScale: 1, WScale: 1, HScale: 1}, make([]float32, 3)},
		{"keypoints over coords", media.SSDDecoder{Anchors: a, NumCoords: 4, NumKeypoints: 1, XScale: 1, YScale: 1, WScale: 1, HScale: 1}, make([]float32, 4)},
		{"zero scale", media.SSDDecoder{Anchors: a, NumCoords: 4}, make([]float32, 4)},
	} {
		if _, err := tc.d.Decode(tc.reg, []float32{0}, media.Frame{W: 1, H: 1}); err == nil {
			t.Errorf("%s: accepted", tc.name)
		}
	}
}

// TestWeightedNMS: two overlapping boxes merge into their score-weighted
// average with the best score; a distant one stays.
func TestWeightedNMS(t *testing.T) {
	a := []media.Anchor{{X: 0.5, Y: 0.5, W: 1, H: 1}, {X: 0.5, Y: 0.5, W: 1, H: 1}, {X: 0.1, Y: 0.1, W: 1, H: 1}}
	// x, y, w, h per anchor (reverse order), logits 3 (0.95), 1 (0.73), 2.
	reg := []float32{0, 0, 0.4, 0.4, 0.02, 0, 0.4, 0.4, 0, 0, 0.1, 0.1}
	d := media.SSDDecoder{Anchors: a, NumCoords: 4, XScale: 1, YScale: 1, WScale: 1, HScale: 1, ReverseOutputOrder: true, IoU: 0.3}
	got, err := d.Decode(reg, []float32{3, 1, 2}, media.Frame{W: 100, H: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("%d detections, want 2: %+v", len(got), got)
	}
	s0, s1 := 1/(1+math.Exp(-3)), 1/(1+math.Exp(-1))
	wantX := 100 * (0.3 + 0.02*s1/(s0+s1))
	if math.Abs(got[0].XMin-wantX) > 1e-3 || math.Abs(float64(got[0].Score)-s0) > 1e-6 {
		t.Errorf("merged %+v, want xmin %v and score %v", got[0], wantX, s0)
	}
	if math.Abs(got[1].XMin-5) > 1e-4 {
		t.Errorf("distant box %+v, want xmin 5", got[1])
	}
}

func TestLandmarks(t *testing.T) {
	// Two points (x, y, z) in a 100x50 input that shows the original's
	// rectangle at (10, 20) of 200x100 pixels.
	got, err := media.Landmarks([]float32{50, 25, 3, 0, 50, -1}, 3, 100, 50, media.Frame{X0: 10, Y0: 20, W: 200, H: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0] != (media.Point{X: 110, Y: 70}) || got[1] != (media.Point{X: 10, Y: 120}) {
		t.Errorf("landmarks %+v", got)
	}
	if _, err := media.Landmarks(make([]float32, 5), 3, 10, 10, media.Frame{W: 1, H: 1}); err == nil {
		t.Error("5 values of 3 per point accepted")
	}
}
