package media_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/media"
	"github.com/edgeinfer/edgeinfer/runtime"
	"github.com/edgeinfer/edgeinfer/runtime/tflite"
)

// task opens a shared model with its metadata and derives its task.
func task(t *testing.T, model string, o media.Options) (*tflite.Model, *media.Task, error) {
	t.Helper()
	m, err := tflite.Open(model)
	if err != nil {
		t.Fatal(err)
	}
	md, err := m.Describe()
	if err != nil {
		t.Fatal(err)
	}
	tk, err := media.NewTask(m.Inputs(), m.Outputs(), md, o)
	return m, tk, err
}

// TestTasksOfSharedModels: each shared model's task is derived from its
// metadata (or refused with the reason when the model does not say enough).
func TestTasksOfSharedModels(t *testing.T) {
	for _, tc := range []struct {
		set, model string
		o          media.Options
		kind       media.Kind
		audio      bool
		err        string
	}{
		{"conformance", "tfls_mobilenet_v1_025_224_quant", media.Options{}, media.KindClassification, false, ""},
		{"conformance", "tfls_coco_ssd_mobilenet_v1_quant", media.Options{}, media.KindDetection, false, ""},
		{"conformance", "tfls_deeplabv3_float", media.Options{}, media.KindSegmentation, false, ""},
		{"conformance2", "tfls_yamnet_int8", media.Options{}, media.KindClassification, true, ""},
		{"conformance", "mp_face_detection_short_range", media.Options{}, "", false, "no metadata saying how to normalize"},
		{"conformance", "mp_face_detection_short_range", media.Options{Mean: []float32{127.5}, Std: []float32{127.5}}, "", false, "cannot tell how the model's 2 outputs read"},
		{"conformance", "mp_face_detection_short_range", media.Options{Mean: []float32{127.5}, Std: []float32{127.5}, Kind: media.KindSSD}, "", false, "need anchor and decoding options"},
		{"conformance", "mp_hand_landmark_lite", media.Options{Mean: []float32{0}, Std: []float32{255}, Kind: media.KindLandmarks}, media.KindLandmarks, false, ""},
		{"conformance", "tflm_micro_speech_int8", media.Options{}, "", false, "no metadata giving its sample rate"},
	} {
		_, tk, err := task(t, shared(t, tc.set, tc.model, "model.tflite"), tc.o)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: error %v, want one saying %q", tc.model, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.model, err)
			continue
		}
		if tk.Kind != tc.kind || (tk.Audio != nil) != tc.audio {
			t.Errorf("%s: kind %s, audio %v; want %s, %v", tc.model, tk.Kind, tk.Audio != nil, tc.kind, tc.audio)
		}
	}
}

// TestTaskEndToEnd: a JPEG-free round trip through Prepare, the engine and
// Read: the cat photo (BMP) to the classifier's labels, and the speech
// clip (WAV) to YAMNet's, averaged over its windows.
func TestTaskEndToEnd(t *testing.T) {
	for _, tc := range []struct {
		model, file, want string
	}{
		{shared(t, "conformance", "tfls_mobilenet_v1_025_224_quant", "model.tflite"), shared(t, "conformance2", "coral_mobilenet_v1_075_192_quant", "source", "cat.bmp"), "Egyptian cat"},
		{shared(t, "conformance2", "tfls_yamnet_int8", "model.tflite"), shared(t, "conformance2", "tfls_yamnet_int8", "source", "speech.wav"), "Speech"},
	} {
		m, tk, err := task(t, tc.model, media.Options{TopK: 3})
		if err != nil {
			t.Fatal(err)
		}
		p, err := tk.Prepare(readFile(t, tc.file), 0)
		if err != nil {
			t.Fatal(err)
		}
		s, err := m.NewSession(runtime.Options{})
		if err != nil {
			t.Fatal(err)
		}
		var runs [][][]byte
		for _, in := range p.Tensors {
			copy(s.Input(tk.Input), in)
			if err := s.Run(context.Background()); err != nil {
				t.Fatal(err)
			}
			runs = append(runs, [][]byte{append([]byte(nil), s.Output(0)...)})
		}
		s.Close()
		res, err := tk.Read(m.Outputs(), runs, p)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Classes) != 3 || res.Classes[0].Label != tc.want {
			t.Errorf("%s: classes %+v, want %s first", filepath.Base(tc.file), res.Classes, tc.want)
		}
	}
}
