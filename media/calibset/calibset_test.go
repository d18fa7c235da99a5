package calibset

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/runtime"
)

func pngBytes(t testing.TB, w, h int, at func(x, y int) color.RGBA) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.SetRGBA(x, y, at(x, y))
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func floats(b []byte) []float32 {
	out := make([]float32, len(b)/4)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return out
}

var (
	image2x2 = []runtime.TensorInfo{{Name: "img", DType: runtime.Float32, Shape: []int{1, 2, 2, 3}}}
	twoIns   = []runtime.TensorInfo{{Name: "a", DType: runtime.Float32, Shape: []int{2}}, {Name: "b", DType: runtime.Int8, Shape: []int{3}}}
)

func TestRead(t *testing.T) {
	red := func(x, y int) color.RGBA { return color.RGBA{255, 0, 51, 255} }
	for _, tc := range []struct {
		name   string
		files  map[string][]byte
		inputs []runtime.TensorInfo
		norm   Normalization
		want   [][][]byte // per sample, per input; nil with err
		err    string
	}{
		{name: "tensor files in name order", inputs: twoIns,
			files: map[string][]byte{"b.bin": []byte("12345678abc"), "a.raw": []byte("ABCDEFGHxyz"), ".hidden": nil},
			want:  [][][]byte{{[]byte("ABCDEFGH"), []byte("xyz")}, {[]byte("12345678"), []byte("abc")}}},
		{name: "image normalized", inputs: image2x2, norm: Normalization{Mean: []float32{127.5}, Std: []float32{127.5}},
			files: map[string][]byte{"red.png": pngBytes(t, 5, 3, red)},
			want:  [][][]byte{{f32(1, -1, -0.6, 1, -1, -0.6, 1, -1, -0.6, 1, -1, -0.6)}}},
		{name: "image per-channel", inputs: image2x2, norm: Normalization{Mean: []float32{0, 0, 51}, Std: []float32{255, 1, 1}},
			files: map[string][]byte{"red.png": pngBytes(t, 2, 2, red)},
			want:  [][][]byte{{f32(1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0)}}},
		{name: "image uint8 gray", inputs: []runtime.TensorInfo{{DType: runtime.UInt8, Shape: []int{1, 1, 2, 1}}},
			files: map[string][]byte{"g.png": pngBytes(t, 4, 2, func(x, y int) color.RGBA { return color.RGBA{100, 100, 100, 255} })},
			want:  [][][]byte{{{100, 100}}}},
		{name: "empty", inputs: twoIns, files: map[string][]byte{".keep": nil}, err: "holds no sample files"},
		{name: "wrong size", inputs: twoIns, files: map[string][]byte{"x.bin": []byte("short")}, err: "x.bin: 5 bytes, want 11"},
		{name: "unknown kind", inputs: twoIns, files: map[string][]byte{"notes.txt": []byte("hi")}, err: "notes.txt: not a tensor file"},
		{name: "broken image", inputs: image2x2, files: map[string][]byte{"bad.jpg": []byte("not a jpeg")}, err: "bad.jpg"},
		{name: "image for two inputs", inputs: twoIns, files: map[string][]byte{"r.png": pngBytes(t, 2, 2, red)}, err: "r.png: an image is a sample for a model with one input"},
		{name: "image for a vector", inputs: []runtime.TensorInfo{{DType: runtime.Float32, Shape: []int{1, 12}}}, files: map[string][]byte{"r.png": pngBytes(t, 2, 2, red)}, err: "r.png: media: input"},
		{name: "zero std", inputs: image2x2, norm: Normalization{Mean: []float32{1}, Std: []float32{0}}, files: map[string][]byte{"r.png": pngBytes(t, 2, 2, red)}, err: "std 0"},
		{name: "mean without std", inputs: image2x2, norm: Normalization{Mean: []float32{1}}, files: map[string][]byte{"r.png": pngBytes(t, 2, 2, red)}, err: "r.png: media: normalization needs both mean and std"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for n, b := range tc.files {
				if err := os.WriteFile(filepath.Join(dir, n), b, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			got, err := Read(dir, tc.inputs, tc.norm)
			if tc.err != "" {
				if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("Read: %v, want ErrInvalid and %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("%d samples, want %d", len(got), len(tc.want))
			}
			for i, s := range got {
				for k, in := range s.Inputs {
					if tc.inputs[k].DType == runtime.Float32 && len(tc.want[i][k]) > 0 && tc.inputs[0].Shape[0] == 1 && len(tc.inputs[k].Shape) == 4 {
						g, w := floats(in), floats(tc.want[i][k])
						for j := range w {
							if math.Abs(float64(g[j]-w[j])) > 1e-6 {
								t.Fatalf("sample %d input %d: %v, want %v", i, k, g, w)
							}
						}
						continue
					}
					if !bytes.Equal(in, tc.want[i][k]) {
						t.Fatalf("sample %d (%s) input %d: %q, want %q", i, s.File, k, in, tc.want[i][k])
					}
				}
			}
		})
	}
	if _, err := Read(filepath.Join(t.TempDir(), "missing"), twoIns, Normalization{}); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Fatalf("missing folder: %v", err)
	}
}

func f32(v ...float32) []byte {
	b := make([]byte, 0, 4*len(v))
	for _, x := range v {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(x))
	}
	return b
}

// FuzzReadImage checks that a hostile image file gets an error or a
// sample of the input's size, never a panic.
func FuzzReadImage(f *testing.F) {
	f.Add(pngBytes(f, 3, 2, func(x, y int) color.RGBA { return color.RGBA{uint8(x * 80), uint8(y * 100), 7, 255} }), true)
	f.Add([]byte("\xff\xd8\xff\xe0 not really a jpeg"), false)
	f.Fuzz(func(t *testing.T, b []byte, isPNG bool) {
		dir := t.TempDir()
		name := "x.jpg"
		if isPNG {
			name = "x.png"
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
		s, err := Read(dir, image2x2, Normalization{Mean: []float32{127.5}, Std: []float32{127.5}})
		if err != nil {
			return
		}
		if len(s) != 1 || len(s[0].Inputs[0]) != image2x2[0].ByteSize() {
			t.Fatalf("samples %d of %d bytes", len(s), len(s[0].Inputs[0]))
		}
	})
}
