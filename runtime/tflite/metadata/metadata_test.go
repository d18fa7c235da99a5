package metadata

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/internal/sharedtest"
)

// TestSharedModels reads every model of the shared set that carries
// metadata, and one that does not.
func TestSharedModels(t *testing.T) {
	dir := sharedtest.Dir(t)
	type want struct {
		name, version, author string
		input                 Tensor
		outputs               int
		labelOutput           int
		labelType             FileType
		labels                int
		first                 []string
	}
	img := func(mean, std float32) Tensor {
		return Tensor{Kind: KindImage, Image: &Image{ColorSpace: "RGB"}, Normalization: &Normalization{Mean: []float32{mean}, Std: []float32{std}}}
	}
	coral := want{name: "ImageClassifier", input: img(127.5, 127.5), outputs: 1, labelType: FileAxisLabels, labels: 1001, first: []string{"background", "tench, Tinca tinca"}}
	cases := map[string]want{
		"conformance/tfls_mobilenet_v1_025_224_quant/model.tflite":        {name: "MobileNetV1 image classifier (quantized)", version: "v1", author: "TensorFlow", input: img(127.5, 127.5), outputs: 1, labelType: FileAxisLabels, labels: 1001, first: []string{"background", "tench", "goldfish"}},
		"conformance/coral_tf2_mobilenet_v2_224_ptq/model.tflite":         coral,
		"conformance2/coral_mobilenet_v1_075_192_quant/model.tflite":      coral,
		"models/negative/coral_mobilenet_v1_025_128_quant_edgetpu.tflite": coral,
		"conformance/tfls_deeplabv3_float/model.tflite":                   {name: "DeepLabV3", version: "v1", author: "TensorFlow", input: img(127.5, 127.5), outputs: 1, labelType: FileAxisLabels, labels: 21, first: []string{"background", "aeroplane"}},
		"conformance/tfls_coco_ssd_mobilenet_v1_quant/model.tflite":       {name: "Coco SSD MobileNetV1", version: "v1", author: "TensorFlow", input: img(127.5, 127.5), outputs: 4, labelOutput: 1, labelType: FileValueLabels, labels: 90, first: []string{"person", "bicycle"}},
		"conformance2/tfls_automl_labeler_quant/model.tflite":             {name: "AutoML image classifier", version: "v1", author: "TensorFlow", input: img(0, 1), outputs: 1, labelType: FileAxisLabels, labels: 5, first: []string{"daisy", "dandelion", "roses", "sunflowers", "tulips"}},
		"conformance2/tfls_yamnet_int8/model.tflite":                      {name: "yamnet/classification", version: "v1", author: "TensorFlow", input: Tensor{Kind: KindAudio, Audio: &Audio{SampleRate: 16000, Channels: 1}}, outputs: 1, labelType: FileAxisLabels, labels: 521, first: []string{"Speech", "Child speech, kid speaking"}},
	}
	for rel, w := range cases {
		t.Run(rel, func(t *testing.T) {
			md, err := ReadFile(filepath.Join(dir, rel))
			if err != nil {
				t.Fatal(err)
			}
			if md == nil {
				t.Fatal("no metadata")
			}
			if md.Name != w.name || md.Version != w.version || md.Author != w.author {
				t.Errorf("name, version, author = %q, %q, %q; want %q, %q, %q", md.Name, md.Version, md.Author, w.name, w.version, w.author)
			}
			if len(md.Inputs) != 1 || len(md.Outputs) != w.outputs {
				t.Fatalf("%d inputs and %d outputs, want 1 and %d", len(md.Inputs), len(md.Outputs), w.outputs)
			}
			in := md.Inputs[0]
			if in.Kind != w.input.Kind || !reflect.DeepEqual(in.Image, w.input.Image) || !reflect.DeepEqual(in.Audio, w.input.Audio) || !reflect.DeepEqual(in.Normalization, w.input.Normalization) {
				t.Errorf("input = %+v %+v %+v %+v; want %+v %+v %+v %+v", in.Kind, in.Image, in.Audio, in.Normalization, w.input.Kind, w.input.Image, w.input.Audio, w.input.Normalization)
			}
			l := md.Outputs[w.labelOutput].Labels
			if l == nil {
				t.Fatalf("output %d has no labels", w.labelOutput)
			}
			if l.Type != w.labelType || len(l.List) != w.labels || !reflect.DeepEqual(l.List[:len(w.first)], w.first) {
				t.Errorf("labels %s %s: %d, first %q; want %s, %d, first %q", l.File, l.Type, len(l.List), l.List[:min(len(l.List), len(w.first))], w.labelType, w.labels, w.first)
			}
		})
	}
	t.Run("without metadata", func(t *testing.T) {
		md, err := ReadFile(filepath.Join(dir, "conformance/tflm_hello_world_float/model.tflite"))
		if md != nil || err != nil {
			t.Fatalf("ReadFile = %+v, %v; want nil, nil", md, err)
		}
	})
}

// fullMeta is metadata with every field this package reads.
func fullMeta() tbl {
	return tbl{
		0: "test model", 1: "a model for tests", 2: "v7", 4: "edgeinfer", 5: "MIT", 7: "1.3.0",
		6: []tbl{assocFile("README.txt", 1)},
		3: []tbl{{
			0: "main",
			2: []tbl{
				{0: "picture", 3: tbl{0: uint8(contentImage), 1: tbl{0: uint8(2), 1: tbl{0: uint32(96), 1: uint32(64)}}},
					4: []tbl{normalization([]float32{1, 2, 3}, []float32{4, 5, 6})}},
				{0: "sound", 3: tbl{0: uint8(contentAudio), 1: tbl{0: uint32(44100), 1: uint32(2)}}},
			},
			3: []tbl{
				{0: "scores", 1: "class scores", 3: tbl{0: uint8(contentFeature), 1: tbl{}},
					4: []tbl{
						{0: uint8(unitScoreCalibration), 1: tbl{0: uint8(2), 1: float32(0.25)}},
						{0: uint8(unitScoreThreshold), 1: tbl{0: float32(0.5)}},
					},
					6: []tbl{assocFile("labels.txt", 2), assocFile("labels_fr.txt", 2), assocFile("calibration.csv", 4)}},
				{0: "boxes", 3: tbl{0: uint8(contentBoundingBox), 1: tbl{}}},
				{0: "classes", 6: []tbl{assocFile("missing.txt", 3)}},
			},
		}},
	}
}

func fullFiles() map[string]string {
	return map[string]string{
		"labels.txt":      "cat\r\ndog\n\nbird\n",
		"labels_fr.txt":   "chat\nchien\n",
		"calibration.csv": "1,2,3\n\n0.5, 1e-1, -2, 0.25\n",
		"README.txt":      "read me",
	}
}

func TestReadFull(t *testing.T) {
	md, err := Read(testModel(t, 2, 3, buildFB("M001", fullMeta()), fullFiles()))
	if err != nil {
		t.Fatal(err)
	}
	threshold := float32(0.5)
	want := &Metadata{
		Name: "test model", Description: "a model for tests", Version: "v7", Author: "edgeinfer", License: "MIT", MinParserVersion: "1.3.0",
		Files: []File{{Name: "README.txt", Description: "about README.txt", Type: FileDescriptions, Size: 7}},
		Inputs: []Tensor{
			{Name: "picture", Kind: KindImage, Image: &Image{ColorSpace: "GRAYSCALE", Width: 96, Height: 64}, Normalization: &Normalization{Mean: []float32{1, 2, 3}, Std: []float32{4, 5, 6}}},
			{Name: "sound", Kind: KindAudio, Audio: &Audio{SampleRate: 44100, Channels: 2}},
		},
		Outputs: []Tensor{
			{Name: "scores", Description: "class scores", Kind: KindFeature,
				ScoreCalibration: &ScoreCalibration{Transformation: "INVERSE_LOGISTIC", DefaultScore: 0.25, File: "calibration.csv", Params: []CalibrationParams{
					{Set: true, Scale: 1, Slope: 2, Offset: 3}, {}, {Set: true, Scale: 0.5, Slope: 0.1, Offset: -2, HasMinScore: true, MinScore: 0.25}}},
				ScoreThreshold: &threshold,
				Labels:         &Labels{File: "labels.txt", Type: FileAxisLabels, List: []string{"cat", "dog", "", "bird"}},
				Files: []File{
					{Name: "labels.txt", Description: "about labels.txt", Type: FileAxisLabels, Size: 15},
					{Name: "labels_fr.txt", Description: "about labels_fr.txt", Type: FileAxisLabels, Size: 11},
					{Name: "calibration.csv", Description: "about calibration.csv", Type: FileScoreCalibration, Size: 27},
				}},
			{Name: "boxes", Kind: KindBoundingBox},
			{Name: "classes", Labels: &Labels{File: "missing.txt", Type: FileValueLabels}, Files: []File{{Name: "missing.txt", Description: "about missing.txt", Type: FileValueLabels, Size: -1}}},
		},
	}
	if !reflect.DeepEqual(md, want) {
		t.Errorf("Read =\n%+v\nwant\n%+v", md, want)
	}
}

func TestReadNone(t *testing.T) {
	for name, model := range map[string][]byte{
		"no metadata list": buildFB("TFL3", tbl{0: uint32(3), 4: []tbl{{}}}),
		"other entries":    buildFB("TFL3", tbl{0: uint32(3), 4: []tbl{{0: []byte("1.5.0")}}, 6: []tbl{{0: "min_runtime_version", 1: uint32(0)}}}),
	} {
		t.Run(name, func(t *testing.T) {
			if md, err := Read(model); md != nil || err != nil {
				t.Fatalf("Read = %+v, %v; want nil, nil", md, err)
			}
		})
	}
}

// TestReadInvalid checks that malformed metadata gives an error that says
// what is wrong.
func TestReadInvalid(t *testing.T) {
	good := buildFB("M001", fullMeta())
	withOutputs := func(outputs ...tbl) []byte {
		return buildFB("M001", tbl{3: []tbl{{3: outputs}}})
	}
	withInput := func(in tbl) []byte { return buildFB("M001", tbl{3: []tbl{{2: []tbl{in}}}}) }
	cases := []struct {
		name  string
		model []byte
		want  string
	}{
		{"truncated model", testModel(t, 2, 3, good, nil)[:40], "outside"},
		{"buffer index out of range", buildFB("TFL3", tbl{4: []tbl{{}}, 6: []tbl{{0: Name, 1: uint32(5)}}}), "buffers 5 of 1"},
		{"buffer offset out of range", buildFB("TFL3", tbl{4: []tbl{{1: uint64(1 << 40), 2: uint64(16)}}, 6: []tbl{{0: Name, 1: uint32(0)}}}), "outside"},
		{"empty buffer", buildFB("TFL3", tbl{4: []tbl{{}}, 6: []tbl{{0: Name, 1: uint32(0)}}}), "is empty"},
		{"truncated metadata", testModel(t, 2, 3, good[:len(good)/2], nil), "outside"},
		{"wrong identifier", testModel(t, 2, 3, buildFB("TFL3", fullMeta()), nil), `identifier "TFL3"`},
		{"more tensors than the model", testModel(t, 1, 3, good, nil), "describes 2 inputs and 3 outputs, the model has 1 and 3"},
		{"zero std", testModel(t, 1, 0, withInput(tbl{4: []tbl{normalization([]float32{1}, []float32{0})}}), nil), "std 0 is 0"},
		{"no std", testModel(t, 1, 0, withInput(tbl{4: []tbl{normalization([]float32{1}, nil)}}), nil), "1 means and 0 stds"},
		{"mismatched channels", testModel(t, 1, 0, withInput(tbl{4: []tbl{normalization([]float32{1, 2}, []float32{1, 2, 3})}}), nil), "2 means and 3 stds"},
		{"unknown transformation", testModel(t, 0, 1, withOutputs(tbl{4: []tbl{{0: uint8(unitScoreCalibration), 1: tbl{0: uint8(9)}}}}), nil), "transformation 9 unknown"},
		{"labels not text", testModel(t, 0, 1, withOutputs(tbl{6: []tbl{assocFile("l.txt", 2)}}), map[string]string{"l.txt": "\xff\xfe"}), "labels l.txt: not UTF-8"},
		{"calibration line", testModel(t, 0, 1, withOutputs(tbl{4: []tbl{{0: uint8(unitScoreCalibration), 1: tbl{}}}, 6: []tbl{assocFile("c.csv", 4)}}), map[string]string{"c.csv": "1,2\n"}), "line 1: 2 values"},
		{"calibration number", testModel(t, 0, 1, withOutputs(tbl{4: []tbl{{0: uint8(unitScoreCalibration), 1: tbl{}}}, 6: []tbl{assocFile("c.csv", 4)}}), map[string]string{"c.csv": "1,x,3\n"}), "line 1: value 2"},
		{"too many tensors", testModel(t, 0, 1, withOutputs(make([]tbl, MaxTensors+1)...), nil), "1025 output tensor entries, more than the 1024 allowed"},
		{"labels too large", testModel(t, 0, 1, withOutputs(tbl{6: []tbl{assocFile("l.txt", 2)}}), map[string]string{"l.txt": strings.Repeat("x", MaxFileBytes+1)}), "more than the 8388608 allowed"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			md, err := Read(tc.model)
			if err == nil {
				t.Fatalf("Read = %+v, want an error", md)
			}
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Read: %v; want ErrInvalid and %q", err, tc.want)
			}
		})
	}
}

func TestReadFileMissing(t *testing.T) {
	_, err := ReadFile(filepath.Join(t.TempDir(), "none.tflite"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("ReadFile: %v, want ErrNotExist", err)
	}
}
