package main

import (
	"bytes"
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/internal/sharedtest"
)

// body is a printed answer without its head line (which names the file,
// the model and the time).
func body(out string) string {
	_, rest, _ := strings.Cut(out, "\n")
	return rest
}

// TestInferImageAndAudio runs "edgeinfer infer --image/--audio" against
// the real agent process serving shared models that carry metadata (a
// classifier, a segmenter, YAMNet) and checks that it prints what "run
// --image/--audio" prints for the same file. The photo is sent under a
// name that hides its type: the content type comes from its bytes.
func TestInferImageAndAudio(t *testing.T) {
	sh := sharedtest.Dir(t)
	dir := t.TempDir()
	socket := filepath.Join(dir, "agent.sock")
	mobilenet := conformance(t, "tfls_mobilenet_v1_025_224_quant", "model.tflite")
	deeplab := conformance(t, "tfls_deeplabv3_float", "model.tflite")
	yamnet := filepath.Join(sh, "conformance2", "tfls_yamnet_int8", "model.tflite")
	// The face detector takes the configuration make run uses, its labels
	// file next to the model as make run writes it.
	faceDir := t.TempDir()
	face := filepath.Join(faceDir, "face_detection_short_range.tflite")
	if err := os.Symlink(conformance(t, "mp_face_detection_short_range", "model.tflite"), face); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(faceDir, "face_labels.txt"), []byte("face\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p := startAgentProc(t, procOptions{}, "--config", filepath.Join("..", "..", "docs", "examples", "face.yaml"), "--socket", socket, "--data-dir", filepath.Join(dir, "data"), "--log-level", "warn",
		"--model", "face="+face, "--model", "mobilenet="+mobilenet, "--model", "deeplab="+deeplab, "--model", "yamnet="+yamnet)
	waitReady(t, unixClient(socket), p.exited)

	catBMP, err := os.ReadFile(filepath.Join(sh, "conformance2", "coral_mobilenet_v1_075_192_quant", "source", "cat.bmp"))
	if err != nil {
		t.Fatal(err)
	}
	cat := writeFile(t, "cat.dat", catBMP)
	grace := filepath.Join(sh, "conformance2", "mp_face_detection_full_range", "source", "grace_hopper.bmp")
	speech := filepath.Join(sh, "conformance2", "tfls_yamnet_int8", "source", "speech.wav")
	runMask, inferMask := filepath.Join(dir, "run.png"), filepath.Join(dir, "infer.png")
	for _, tc := range []struct {
		name       string
		run, infer []string
		want       []string
	}{
		{"classes", []string{mobilenet, "--image", cat, "--top", "3"}, []string{"mobilenet", "--image", cat, "--top", "3"},
			[]string{"Egyptian cat", "tabby", "tiger cat"}},
		{"sound", []string{yamnet, "--audio", speech, "--top", "1"}, []string{"yamnet", "--audio", speech, "--top", "1"},
			[]string{"Speech"}},
		{"mask", []string{deeplab, "--image", grace, "--mask", runMask}, []string{"deeplab", "--image", grace, "--mask", inferMask},
			[]string{"person", "background", "(512x600)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ranOut, stderr, code := edgeinfer(append([]string{"run"}, tc.run...)...)
			if code != 0 {
				t.Fatalf("run: exit %d: %s", code, stderr)
			}
			inferOut, stderr, code := edgeinfer(append([]string{"infer", "--socket", socket}, tc.infer...)...)
			if code != 0 {
				t.Fatalf("infer: exit %d: %s", code, stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(inferOut, w) {
					t.Errorf("infer's answer lacks %q:\n%s", w, inferOut)
				}
			}
			if got, want := strings.ReplaceAll(body(inferOut), inferMask, runMask), body(ranOut); got != want {
				t.Errorf("infer printed\n%s\nrun printed\n%s", inferOut, ranOut)
			}
		})
	}
	ranPNG, err1 := os.ReadFile(runMask)
	inferPNG, err2 := os.ReadFile(inferMask)
	if err1 != nil || err2 != nil || !bytes.Equal(ranPNG, inferPNG) {
		t.Errorf("the masks of run (%v) and infer (%v) differ", err1, err2)
	}
	if img, err := png.Decode(bytes.NewReader(inferPNG)); err != nil || img.Bounds().Dx() != 512 || img.Bounds().Dy() != 600 {
		t.Errorf("infer's mask: %v, want a 512x600 PNG", err)
	}

	// The face detector has no metadata: its media options come from the
	// agent's configuration.
	stdout, stderr, code := edgeinfer("infer", "--socket", socket, "face", "--image", grace)
	if code != 0 || !strings.Contains(stdout, grace+": face, ssd in ") || strings.Count(stdout, ", keypoints (") != 1 || !strings.Contains(stdout, "face at (") {
		t.Errorf("infer face: exit %d, %s\n%s", code, stdout, stderr)
	}

	stdout, stderr, code = edgeinfer("infer", "--socket", socket, "mobilenet", "--image", cat, "--top", "2", "--json")
	var d struct {
		Kind    string
		Width   int
		Classes []struct{ Label string }
	}
	if code != 0 || json.Unmarshal([]byte(stdout), &d) != nil || d.Kind != "classification" || d.Width != 512 || len(d.Classes) != 2 || d.Classes[0].Label != "Egyptian cat" {
		t.Errorf("--json: exit %d, %s\n%s", code, stdout, stderr)
	}

	text := writeFile(t, "cat.jpg", []byte("this is text"))
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"mobilenet", "--image", text}, 1, text + ": not a JPEG, PNG, BMP or WAV file"},
		{[]string{"mobilenet", "--image", cat, "--audio", speech}, 2, "not both"},
		{[]string{"mobilenet", "--image", cat, "--input", cat}, 2, "take the place of --input"},
		{[]string{"mobilenet", "--input", cat, "--mask", runMask}, 2, "--mask needs --image"},
		{[]string{"mobilenet", "--audio", speech}, 1, "model mobilenet takes an image, not audio/wav"},
		{[]string{"mobilenet", "--image", cat, "--mask", filepath.Join(dir, "m.png")}, 1, "gives no mask"},
	} {
		_, stderr, code := edgeinfer(append([]string{"infer", "--socket", socket}, tc.args...)...)
		if code != tc.code || !strings.Contains(stderr, tc.want) {
			t.Errorf("infer %v: exit %d, %s; want exit %d and %q", tc.args, code, stderr, tc.code, tc.want)
		}
	}
}
