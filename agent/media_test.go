package agent

import (
	"bytes"
	"context"
	"errors"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/internal/sharedtest"
)

func sharedFile(t *testing.T, parts ...string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(append([]string{sharedtest.Dir(t)}, parts...)...))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestInferMedia sends encoded files to models that describe themselves
// in their metadata: a photo to a classifier (labels), to a segmenter
// (a mask PNG of the photo's size) and a WAV file to YAMNet (windows).
func TestInferMedia(t *testing.T) {
	yamnet := filepath.Join(sharedtest.Dir(t), "conformance2", "tfls_yamnet_int8", "model.tflite")
	labels := filepath.Join(t.TempDir(), "face.txt")
	if err := os.WriteFile(labels, []byte("face\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	face := modelPath(t, "mp_face_detection_short_range")
	a, _ := newAgent(t, testConfig(t, map[string]ModelConfig{
		quantModel: {}, "tfls_deeplabv3_float": {}, "yamnet": {Path: yamnet}, "face": {Path: face},
		"face-configured": {Path: face, Media: faceMedia(labels)},
	}))
	ctx := context.Background()
	cat := sharedFile(t, "conformance2", "coral_mobilenet_v1_075_192_quant", "source", "cat.bmp")
	grace := sharedFile(t, "conformance2", "mp_face_detection_full_range", "source", "grace_hopper.bmp")

	r, err := a.InferMedia(ctx, &MediaRequest{Model: quantModel, ContentType: "image/bmp", Data: cat, TopK: 3})
	if err != nil {
		t.Fatal(err)
	}
	if d := r.Decoded; d.Kind != "classification" || len(d.Classes) != 3 || d.Classes[0].Label != "Egyptian cat" || d.Width != 512 || d.Height != 341 {
		t.Errorf("classifier answered %+v", d)
	}

	r, err = a.InferMedia(ctx, &MediaRequest{Model: "tfls_deeplabv3_float", ContentType: "image/bmp", Data: grace, Mask: true})
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(r.Decoded.MaskPNG))
	if err != nil || img.Bounds().Dx() != 512 || img.Bounds().Dy() != 600 || len(r.Decoded.Segments) == 0 || r.Decoded.Segments[0].Label != "person" {
		t.Errorf("segmenter answered %+v, mask %v", r.Decoded.Segments, err)
	}

	r, err = a.InferMedia(ctx, &MediaRequest{Model: "yamnet", ContentType: "audio/wav", Data: sharedFile(t, "conformance2", "tfls_yamnet_int8", "source", "speech.wav"), TopK: 1})
	if err != nil {
		t.Fatal(err)
	}
	if d := r.Decoded; d.Windows != 5 || len(d.Classes) != 1 || d.Classes[0].Label != "Speech" {
		t.Errorf("YAMNet answered %+v", d)
	}

	r, err = a.InferMedia(ctx, &MediaRequest{Model: "face-configured", ContentType: "image/bmp", Data: grace})
	if err != nil {
		t.Fatal(err)
	}
	if d := r.Decoded; d.Kind != "ssd" || len(d.Detections) != 1 || len(d.Detections[0].Keypoints) != 6 {
		t.Errorf("the configured face detector answered %+v", d)
	} else {
		f := d.Detections[0]
		eyeR, eyeL, nose, mouth := f.Keypoints[0], f.Keypoints[1], f.Keypoints[2], f.Keypoints[3]
		cx, cy := (f.XMin+f.XMax)/2, (f.YMin+f.YMax)/2
		if f.Score < 0.8 || f.Label != "face" || cx < 150 || cx > 360 || cy < 100 || cy > 400 || f.XMax-f.XMin < 100 ||
			eyeR.X >= eyeL.X || max(eyeR.Y, eyeL.Y) >= nose.Y || nose.Y >= mouth.Y {
			t.Errorf("implausible face %+v", f)
		}
	}

	for _, tc := range []struct {
		name string
		req  MediaRequest
		want error
		text string
	}{
		{"unknown model", MediaRequest{Model: "nope", ContentType: "image/png", Data: cat}, ErrNoModel, "nope"},
		{"unknown content type", MediaRequest{Model: quantModel, ContentType: "video/mp4", Data: cat}, ErrBadRequest, "the agent prepares image/jpeg"},
		{"audio to an image model", MediaRequest{Model: quantModel, ContentType: "audio/wav", Data: cat}, ErrBadRequest, "takes an image, not audio/wav"},
		{"not an image", MediaRequest{Model: quantModel, ContentType: "image/png", Data: []byte("text")}, ErrBadRequest, "bad image"},
		{"no metadata", MediaRequest{Model: "face", ContentType: "image/bmp", Data: grace}, ErrBadRequest, "no metadata saying how to normalize"},
		{"mask of a classifier", MediaRequest{Model: quantModel, ContentType: "image/bmp", Data: cat, Mask: true}, ErrBadRequest, "gives no mask"},
		{"other version", MediaRequest{Model: quantModel, Version: "v9", ContentType: "image/bmp", Data: cat}, ErrNoModel, "not the active one"},
	} {
		_, err := a.InferMedia(ctx, &tc.req)
		if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.text) {
			t.Errorf("%s: error %v, want %v saying %q", tc.name, err, tc.want, tc.text)
		}
	}
}

// faceMedia are the media options of MediaPipe's short-range face
// detector (face_detection_short_range.pbtxt), which has no metadata.
func faceMedia(labels string) MediaConfig {
	return MediaConfig{Kind: "ssd", Mean: []float32{127.5}, Std: []float32{127.5}, Fit: "letterbox", Labels: labels,
		SSD: SSDConfig{Strides: []int{8, 16, 16, 16}, MinScale: 0.1484375, MaxScale: 0.75, InterpolatedScaleAspectRatio: 1,
			FixedAnchorSize: true, NumKeypoints: 6, ReverseOutputOrder: true, ScoreClip: 100}}
}

// TestMediaLabelsFile: a labels file that is missing, not a regular file
// or far too large is refused naming the configuration key.
func TestMediaLabelsFile(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.txt")
	f, err := os.Create(big)
	if err == nil {
		err = f.Truncate(maxLabelsBytes + 1)
		f.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct{ labels, text string }{
		"missing":   {filepath.Join(dir, "none.txt"), "no such file"},
		"directory": {dir, "not a regular file"},
		"too large": {big, "not a labels file"},
	}
	models := map[string]ModelConfig{}
	face := modelPath(t, "mp_face_detection_short_range")
	for name, c := range cases {
		models["face-"+strings.ReplaceAll(name, " ", "-")] = ModelConfig{Path: face, Media: faceMedia(c.labels)}
	}
	a, _ := newAgent(t, testConfig(t, models))
	grace := sharedFile(t, "conformance2", "mp_face_detection_full_range", "source", "grace_hopper.bmp")
	for name, c := range cases {
		model := "face-" + strings.ReplaceAll(name, " ", "-")
		_, err := a.InferMedia(context.Background(), &MediaRequest{Model: model, ContentType: "image/bmp", Data: grace})
		if !errors.Is(err, ErrBadRequest) || !strings.Contains(err.Error(), "models."+model+".media.labels") || !strings.Contains(err.Error(), c.text) {
			t.Errorf("%s: error %v, want ErrBadRequest naming models.%s.media.labels and saying %q", name, err, model, c.text)
		}
	}
}
