package main

import (
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/internal/sharedtest"
)

// TestRunImageAndAudio runs "edgeinfer run --image/--audio" on the shared
// models that carry metadata: a photo to labels, to boxes and to a mask,
// and a WAV file to sound labels.
func TestRunImageAndAudio(t *testing.T) {
	sh := sharedtest.Dir(t)
	cat := filepath.Join(sh, "conformance2", "coral_mobilenet_v1_075_192_quant", "source", "cat.bmp")
	grace := filepath.Join(sh, "conformance2", "mp_face_detection_full_range", "source", "grace_hopper.bmp")
	speech := filepath.Join(sh, "conformance2", "tfls_yamnet_int8", "source", "speech.wav")
	mask := filepath.Join(t.TempDir(), "mask.png")
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"classes", []string{"run", conformance(t, "tfls_mobilenet_v1_025_224_quant", "model.tflite"), "--image", cat, "--top", "3"}, []string{"classification in", "Egyptian cat", "tabby"}},
		{"sound", []string{"run", filepath.Join(sh, "conformance2", "tfls_yamnet_int8", "model.tflite"), "--audio", speech, "--top", "1"}, []string{"5 windows, scores averaged", "Speech"}},
		{"boxes", []string{"run", conformance(t, "tfls_coco_ssd_mobilenet_v1_quant", "model.tflite"), "--image", grace}, []string{"detection in", "person at ("}},
		{"mask", []string{"run", conformance(t, "tfls_deeplabv3_float", "model.tflite"), "--image", grace, "--mask", mask}, []string{"person", "background", "mask: " + mask + " (512x600)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr, code := edgeinfer(tc.args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(stdout, w) {
					t.Errorf("stdout lacks %q:\n%s", w, stdout)
				}
			}
		})
	}
	f, err := os.Open(mask)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if img, err := png.Decode(f); err != nil || img.Bounds().Dx() != 512 || img.Bounds().Dy() != 600 {
		t.Errorf("mask: %v, want a 512x600 PNG", err)
	}

	stdout, stderr, code := edgeinfer("run", conformance(t, "tfls_mobilenet_v1_025_224_quant", "model.tflite"), "--image", cat, "--top", "2", "--json")
	var res struct {
		Kind    string
		Classes []struct {
			Index int
			Label string
			Score float64
		}
	}
	if code != 0 || json.Unmarshal([]byte(stdout), &res) != nil || res.Kind != "classification" || len(res.Classes) != 2 || res.Classes[0].Label != "Egyptian cat" {
		t.Errorf("--json: exit %d, %s\n%s", code, stdout, stderr)
	}
}

func TestRunMediaRefusals(t *testing.T) {
	sh := sharedtest.Dir(t)
	notImage := writeFile(t, "cat.jpg", []byte("this is text"))
	face := conformance(t, "mp_face_detection_short_range", "model.tflite")
	mobilenet := conformance(t, "tfls_mobilenet_v1_025_224_quant", "model.tflite")
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"with --input", []string{"run", mobilenet, "--image", notImage, "--input", notImage}, 2, "take the place of --input"},
		{"both", []string{"run", mobilenet, "--image", notImage, "--audio", notImage}, 2, "not both"},
		{"not an image", []string{"run", mobilenet, "--image", notImage}, 1, notImage + ": media: bad image"},
		{"no metadata", []string{"run", face, "--image", notImage}, 1, "give a mean and std"},
		{"bad mean", []string{"run", face, "--image", notImage, "--mean", "x", "--std", "1"}, 2, `--mean "x"`},
		{"mask of a classifier", []string{"run", mobilenet, "--image", filepath.Join(sh, "conformance2", "coral_mobilenet_v1_075_192_quant", "source", "cat.bmp"), "--mask", filepath.Join(t.TempDir(), "m.png")}, 1, "not a segmentation model"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, code := edgeinfer(tc.args...)
			if code != tc.code || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, stderr, tc.code, tc.want)
			}
		})
	}
}
