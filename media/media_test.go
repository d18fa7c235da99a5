package media_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/internal/sharedtest"
	"github.com/edgeinfer/edgeinfer/media"
	"github.com/edgeinfer/edgeinfer/runtime"
	"github.com/edgeinfer/edgeinfer/runtime/tflite"
	"github.com/edgeinfer/edgeinfer/runtime/tflite/metadata"
)

func shared(t *testing.T, parts ...string) string {
	t.Helper()
	return filepath.Join(append([]string{sharedtest.Dir(t)}, parts...)...)
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func decode(t *testing.T, path string) *media.Image {
	t.Helper()
	m, _, err := media.DecodeImage(readFile(t, path), 0)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// classify runs a classifier on the image tensor in and returns its top k
// classes labelled from labels.
func classify(t *testing.T, model string, in []byte, labels []string, k int) []media.Class {
	t.Helper()
	m, err := tflite.Open(model)
	if err != nil {
		t.Fatal(err)
	}
	s, err := m.NewSession(runtime.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	copy(s.Input(0), in)
	if err := s.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	scores, err := media.Scores(m.Outputs()[0], s.Output(0))
	if err != nil {
		t.Fatal(err)
	}
	return media.TopK(scores, labels, k)
}

// TestCatAsTheReferenceFedIt: the shared set's cat photo (a BMP), decoded
// and resized by media, is byte for byte the input the reference
// generator fed the real TFLite (Pillow decode, half-pixel bilinear,
// rounded half up), and the classifier finds a cat in it with the
// score libcoral's test expects.
func TestCatAsTheReferenceFedIt(t *testing.T) {
	dir := shared(t, "conformance2", "coral_mobilenet_v1_075_192_quant")
	m, err := tflite.Open(filepath.Join(dir, "model.tflite"))
	if err != nil {
		t.Fatal(err)
	}
	in, err := media.ImageInputFor(m.Inputs()[0], nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, _, err := in.Tensor(decode(t, filepath.Join(dir, "source", "cat.bmp")))
	if err != nil {
		t.Fatal(err)
	}
	if want := readFile(t, filepath.Join(dir, "case_2", "in_0.bin")); !bytes.Equal(got, want) {
		t.Fatalf("the tensor of cat.bmp differs from the reference input (%d against %d bytes)", len(got), len(want))
	}
	labels := strings.Split(strings.TrimSpace(string(readFile(t, filepath.Join(dir, "source", "labels.txt")))), "\n")
	top := classify(t, filepath.Join(dir, "model.tflite"), got, labels, 3)
	found := false
	for _, c := range top {
		found = found || (c.Index == 283 && c.Label == "tiger cat" && c.Score >= 0.35)
	}
	if !found {
		t.Errorf("top 3 %+v lacks 283 tiger cat with a score of at least 0.35", top)
	}
}

// TestClassifierFromItsMetadata: tfls_mobilenet_v1_025_224_quant carries
// its labels and normalization in its TFLite metadata; the cat photo,
// prepared as the metadata says, gets the cat labels the real TFLite gives
// it (Egyptian cat, tabby, tiger cat).
func TestClassifierFromItsMetadata(t *testing.T) {
	model := shared(t, "conformance", "tfls_mobilenet_v1_025_224_quant", "model.tflite")
	md, err := metadata.ReadFile(model)
	if err != nil {
		t.Fatal(err)
	}
	if len(md.Inputs) == 0 || md.Inputs[0].Normalization == nil || len(md.Outputs) == 0 || md.Outputs[0].Labels == nil {
		t.Fatalf("the model's metadata lacks the input normalization or output labels: %+v", md)
	}
	m, err := tflite.Open(model)
	if err != nil {
		t.Fatal(err)
	}
	norm := md.Inputs[0].Normalization
	in, err := media.ImageInputFor(m.Inputs()[0], norm.Mean, norm.Std)
	if err != nil {
		t.Fatal(err)
	}
	tensor, _, err := in.Tensor(decode(t, shared(t, "conformance2", "coral_mobilenet_v1_075_192_quant", "source", "cat.bmp")))
	if err != nil {
		t.Fatal(err)
	}
	top := classify(t, model, tensor, md.Outputs[0].Labels.List, 3)
	var got []string
	for _, c := range top {
		got = append(got, c.Label)
	}
	if len(got) != 3 || got[0] != "Egyptian cat" || !strings.Contains(strings.Join(got, ","), "tabby") {
		t.Errorf("top 3 %+v, want Egyptian cat first and tabby among them", top)
	}
}

func TestImageInputTensor(t *testing.T) {
	// A 2x1 image: a red and a blue pixel.
	img := &media.Image{W: 2, H: 1, Pix: []uint8{255, 0, 0, 0, 0, 255}}
	f32 := func(b []byte) []float32 {
		out := make([]float32, len(b)/4)
		for i := range out {
			out[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
		}
		return out
	}
	for _, tc := range []struct {
		name string
		in   media.ImageInput
		want any
	}{
		{"uint8 as is", media.ImageInput{Width: 2, Height: 1, Channels: 3, DType: runtime.UInt8}, []byte{255, 0, 0, 0, 0, 255}},
		{"int8 shifted", media.ImageInput{Width: 2, Height: 1, Channels: 3, DType: runtime.Int8}, []byte{127, 128, 128, 128, 128, 127}},
		{"bgr", media.ImageInput{Width: 2, Height: 1, Channels: 3, DType: runtime.UInt8, BGR: true}, []byte{0, 0, 255, 255, 0, 0}},
		{"grey", media.ImageInput{Width: 2, Height: 1, Channels: 1, DType: runtime.UInt8}, []byte{76, 29}},
		{"float normalized", media.ImageInput{Width: 2, Height: 1, Channels: 3, DType: runtime.Float32, Mean: []float32{127.5}, Std: []float32{127.5}},
			[]float32{1, -1, -1, -1, -1, 1}},
		{"float per channel", media.ImageInput{Width: 2, Height: 1, Channels: 3, DType: runtime.Float32, Mean: []float32{0, 0, 255}, Std: []float32{255, 1, 255}},
			[]float32{1, 0, -1, 0, 0, 0}},
		// The one destination pixel's centre falls on the second source pixel.
		{"float raw nearest", media.ImageInput{Width: 1, Height: 1, Channels: 3, DType: runtime.Float32, Resize: "nearest"}, []float32{0, 0, 255}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, _, err := tc.in.Tensor(img)
			if err != nil {
				t.Fatal(err)
			}
			switch want := tc.want.(type) {
			case []byte:
				if !bytes.Equal(got, want) {
					t.Errorf("got %v, want %v", got, want)
				}
			case []float32:
				if g := f32(got); len(g) != len(want) || !equalFloats(g, want) {
					t.Errorf("got %v, want %v", g, want)
				}
			}
		})
	}
}

func equalFloats(a, b []float32) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestFitFrames: the frame of each fit maps the input's corners back to
// the original image's pixels.
func TestFitFrames(t *testing.T) {
	img := media.NewImage(200, 100)
	for _, tc := range []struct {
		fit            media.Fit
		x0, y0, x1, y1 float64
	}{
		{media.FitStretch, 0, 0, 200, 100},
		{media.FitCrop, 50, 0, 150, 100},
		// 10x5 pixels of picture on rows 2..6: 2 rows of bar above (40
		// source pixels), 3 below.
		{media.FitLetterbox, 0, -40, 200, 160},
	} {
		in := media.ImageInput{Width: 10, Height: 10, Channels: 3, DType: runtime.UInt8, Fit: tc.fit}
		_, fr, err := in.Tensor(img)
		if err != nil {
			t.Fatal(err)
		}
		x0, y0 := fr.Point(0, 0)
		x1, y1 := fr.Point(1, 1)
		if x0 != tc.x0 || y0 != tc.y0 || x1 != tc.x1 || y1 != tc.y1 {
			t.Errorf("%s: corners (%v,%v)-(%v,%v), want (%v,%v)-(%v,%v)", tc.fit, x0, y0, x1, y1, tc.x0, tc.y0, tc.x1, tc.y1)
		}
	}
}

// TestLetterboxBars: a letterboxed wide image keeps black bars above and
// below and the picture in the middle.
func TestLetterboxBars(t *testing.T) {
	img := media.NewImage(4, 2)
	for i := range img.Pix {
		img.Pix[i] = 200
	}
	got, _, err := media.ImageInput{Width: 4, Height: 4, Channels: 3, DType: runtime.UInt8, Fit: media.FitLetterbox}.Tensor(img)
	if err != nil {
		t.Fatal(err)
	}
	for y := 0; y < 4; y++ {
		want := byte(0)
		if y == 1 || y == 2 {
			want = 200
		}
		if row := got[12*y : 12*(y+1)]; !bytes.Equal(row, bytes.Repeat([]byte{want}, 12)) {
			t.Errorf("row %d = %v, want all %d", y, row, want)
		}
	}
}

func TestImageInputRefusals(t *testing.T) {
	info := func(dt runtime.DType, shape ...int) runtime.TensorInfo {
		return runtime.TensorInfo{Name: "x", DType: dt, Shape: shape}
	}
	for _, tc := range []struct {
		name string
		t    runtime.TensorInfo
		mean []float32
		std  []float32
		want string
	}{
		{"not an image", info(runtime.Float32, 1, 10), nil, nil, "not an image tensor"},
		{"batch of two", info(runtime.Float32, 2, 4, 4, 3), nil, nil, "not an image tensor"},
		{"four channels", info(runtime.Float32, 1, 4, 4, 4), nil, nil, "not an image tensor"},
		{"int32", info(runtime.Int32, 1, 4, 4, 3), nil, nil, "want float32, uint8 or int8"},
		{"two means for three channels", info(runtime.Float32, 1, 4, 4, 3), []float32{1, 2}, []float32{1}, "2 normalization values"},
		{"zero std", info(runtime.Float32, 1, 4, 4, 3), []float32{1}, []float32{0}, "non-zero"},
		{"mean without std", info(runtime.Float32, 1, 4, 4, 3), []float32{1}, nil, "both mean and std"},
		{"huge", info(runtime.UInt8, 1, 1<<15, 4, 3), nil, nil, "want 1..16384"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := media.ImageInputFor(tc.t, tc.mean, tc.std)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one that says %q", err, tc.want)
			}
		})
	}
	_, _, err := media.ImageInput{Width: 2, Height: 2, Channels: 3, DType: runtime.UInt8, Fit: "zoom"}.Tensor(media.NewImage(4, 4))
	if err == nil || !strings.Contains(err.Error(), `unknown fit "zoom"`) {
		t.Errorf("fit zoom: %v", err)
	}
}

// encoded returns a small test picture in each format the package reads.
func encoded(t testing.TB) map[string][]byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, 5, 3))
	for y := 0; y < 3; y++ {
		for x := 0; x < 5; x++ {
			img.Set(x, y, color.NRGBA{uint8(50 * x), uint8(80 * y), 7, 255})
		}
	}
	var p, j bytes.Buffer
	if err := png.Encode(&p, img); err != nil {
		t.Fatal(err)
	}
	if err := jpeg.Encode(&j, img, &jpeg.Options{Quality: 100}); err != nil {
		t.Fatal(err)
	}
	// A 2x1 24-bit BMP: bottom-up rows padded to 4 bytes, pixels BGR.
	bmp := []byte{'B', 'M', 62, 0, 0, 0, 0, 0, 0, 0, 54, 0, 0, 0,
		40, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 1, 0, 24, 0, 0, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		3, 2, 1, 6, 5, 4, 0, 0}
	return map[string][]byte{"png": p.Bytes(), "jpeg": j.Bytes(), "bmp": bmp}
}

func TestDecodeImage(t *testing.T) {
	for format, data := range encoded(t) {
		m, got, err := media.DecodeImage(data, 0)
		if err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		if got != format {
			t.Errorf("format %q, want %q", got, format)
		}
		switch format {
		case "png":
			if m.W != 5 || m.H != 3 || !bytes.Equal(m.Pix[3*(2*5+4):3*(2*5+5)], []byte{200, 160, 7}) {
				t.Errorf("png decoded as %dx%d, last pixel %v", m.W, m.H, m.Pix[len(m.Pix)-3:])
			}
		case "bmp":
			if !bytes.Equal(m.Pix, []byte{1, 2, 3, 4, 5, 6}) {
				t.Errorf("bmp pixels %v, want [1 2 3 4 5 6]", m.Pix)
			}
		}
	}
	for _, tc := range []struct {
		name string
		data []byte
		max  int
		want string
	}{
		{"empty", nil, 0, "unknown format"},
		{"text", []byte("not an image at all"), 0, "unknown format"},
		{"over the pixel limit", encoded(t)["png"], 14, "5x3 pixels, over the limit of 14"},
		{"truncated", encoded(t)["png"][:40], 0, "png"},
	} {
		_, _, err := media.DecodeImage(tc.data, tc.max)
		if !errors.Is(err, media.ErrImage) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want ErrImage saying %q", tc.name, err, tc.want)
		}
	}
	if _, _, err := media.ReadImage(bytes.NewReader(encoded(t)["png"]), 10, 0); !errors.Is(err, media.ErrImage) || !strings.Contains(err.Error(), "over 10 bytes") {
		t.Errorf("ReadImage over its byte limit: %v", err)
	}
}

func TestTopKAndScores(t *testing.T) {
	info := runtime.TensorInfo{Name: "p", DType: runtime.UInt8, Shape: []int{1, 4}, Quant: &runtime.Quantization{Scale: []float32{0.5}, ZeroPoint: []int64{2}}}
	scores, err := media.Scores(info, []byte{2, 10, 4, 10})
	if err != nil {
		t.Fatal(err)
	}
	top := media.TopK(scores, []string{"a", "b", "c"}, 3)
	want := []media.Class{{Index: 1, Label: "b", Score: 4}, {Index: 3, Score: 4}, {Index: 2, Label: "c", Score: 1}}
	if len(top) != 3 || top[0] != want[0] || top[1] != want[1] || top[2] != want[2] {
		t.Errorf("top %+v, want %+v (ties by index, unlabelled index without a label)", top, want)
	}
	if _, err := media.Scores(info, []byte{1}); err == nil || !strings.Contains(err.Error(), "holds 1 bytes, want 4") {
		t.Errorf("short output: %v", err)
	}
	if got := media.TopK(scores, nil, 10); len(got) != 4 {
		t.Errorf("TopK(10) of 4 scores gave %d", len(got))
	}
}

// FuzzDecodeImage: no input makes DecodeImage panic, and what it accepts
// is a consistent image within the pixel limit.
func FuzzDecodeImage(f *testing.F) {
	for _, data := range encoded(f) {
		f.Add(data)
	}
	f.Add([]byte("BM"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, _, err := media.DecodeImage(data, 1<<16)
		if err != nil {
			if !errors.Is(err, media.ErrImage) {
				t.Fatalf("error %v does not wrap ErrImage", err)
			}
			return
		}
		if m.W*m.H > 1<<16 || len(m.Pix) != 3*m.W*m.H {
			t.Fatalf("%dx%d image with %d bytes", m.W, m.H, len(m.Pix))
		}
	})
}
