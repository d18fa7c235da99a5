package metadata

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/edgeinfer/edgeinfer/internal/sharedtest"
)

// sharedSeeds rewraps the metadata and associated files of the shared
// models that carry them into small models, so the fuzzer starts from real
// metadata without megabytes of weights.
func sharedSeeds(f *testing.F) [][]byte {
	dir := sharedtest.Find()
	if dir == "" {
		return nil
	}
	var seeds [][]byte
	for _, rel := range []string{
		"conformance/tfls_mobilenet_v1_025_224_quant/model.tflite",
		"conformance/tfls_coco_ssd_mobilenet_v1_quant/model.tflite",
		"conformance/tfls_deeplabv3_float/model.tflite",
		"conformance2/tfls_yamnet_int8/model.tflite",
		"conformance2/tfls_automl_labeler_quant/model.tflite",
	} {
		model, err := os.ReadFile(filepath.Join(dir, rel))
		if err != nil {
			f.Fatal(err)
		}
		meta, inputs, outputs, err := findBuffer(model)
		if err != nil {
			f.Fatal(err)
		}
		z, err := openZip(model)
		if err != nil {
			f.Fatal(err)
		}
		files := map[string]string{}
		for name := range z.byName {
			b, err := z.read(name)
			if err != nil {
				f.Fatal(err)
			}
			files[name] = string(b)
		}
		seeds = append(seeds, testModel(f, inputs, outputs, meta, files))
	}
	return seeds
}

// FuzzRead checks that Read never panics and that whatever it accepts
// keeps the promises of the types.
func FuzzRead(f *testing.F) {
	f.Add(testModel(f, 2, 3, buildFB("M001", fullMeta()), fullFiles()))
	f.Add(testModel(f, 2, 3, buildFB("M001", fullMeta()), nil))
	f.Add(buildFB("TFL3", tbl{4: []tbl{{1: uint64(8), 2: uint64(16)}}, 6: []tbl{{0: Name, 1: uint32(0)}}}))
	for _, s := range sharedSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, model []byte) {
		md, err := Read(model)
		if err != nil || md == nil {
			return
		}
		for _, ts := range [][]Tensor{md.Inputs, md.Outputs} {
			if len(ts) > MaxTensors {
				t.Fatalf("%d tensors accepted", len(ts))
			}
			for _, tm := range ts {
				if n := tm.Normalization; n != nil {
					if err := n.validate(); err != nil {
						t.Fatalf("accepted normalization: %v", err)
					}
				}
				if l := tm.Labels; l != nil && len(l.List) > MaxLabels+1 {
					t.Fatalf("%d labels accepted", len(l.List))
				}
				if (tm.Kind == KindImage) != (tm.Image != nil) || (tm.Kind == KindAudio) != (tm.Audio != nil) {
					t.Fatalf("kind %q with image %v and audio %v", tm.Kind, tm.Image, tm.Audio)
				}
			}
		}
	})
}
