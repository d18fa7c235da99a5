package tflite

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/internal/sharedtest"
	"github.com/edgeinfer/edgeinfer/runtime"
	"github.com/edgeinfer/edgeinfer/runtime/tflite/metadata"
)

// sharedCases returns a shared model and the inputs of its cases.
func sharedCases(t *testing.T, name string) ([]byte, [][][]byte) {
	t.Helper()
	dir := filepath.Join(sharedtest.Dir(t), "conformance", name)
	model, err := os.ReadFile(filepath.Join(dir, "model.tflite"))
	if err != nil {
		t.Fatal(err)
	}
	cases, err := filepath.Glob(filepath.Join(dir, "case_*", "in_0.bin"))
	if err != nil || len(cases) == 0 {
		t.Fatalf("no cases in %s (%v)", dir, err)
	}
	var samples [][][]byte
	for _, c := range cases {
		in, err := os.ReadFile(c)
		if err != nil {
			t.Fatal(err)
		}
		samples = append(samples, [][]byte{in})
	}
	return model, samples
}

// TestQuantizeInt8Shared quantizes shared float models calibrated on their
// cases' inputs and checks, on every case, that this engine's output is
// the real TFLite's bit for bit (testdata/quantize/*.golden, made by
// tflite-ref with -update-quant), and that the top class of the classifiers
// is the original's on their real image.
func TestQuantizeInt8Shared(t *testing.T) {
	for _, tc := range []struct {
		name     string
		intIO    bool
		realCase int // the case with a real image, -1 for none
		maxSize  int // percent of the original
	}{
		{"tfls_mobilenet_v1_025_224_float", false, 2, 32},
		{"tiny_vww_96_float", false, -1, 37},
		{"tiny_vww_96_float", true, -1, 37},
		{"tflm_hello_world_float", false, -1, 150},
		{"gotflite_blazeface_front_float", false, -1, 47},
		{"tfls_deeplabv3_float", false, -1, 35},
	} {
		t.Run(fmt.Sprintf("%s/intIO=%v", tc.name, tc.intIO), func(t *testing.T) {
			orig, samples := sharedCases(t, tc.name)
			small, ranges, err := QuantizeInt8(context.Background(), orig, samples, Int8Options{IntIO: tc.intIO})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%d -> %d bytes (%.1f%%), %d tensors calibrated", len(orig), len(small), 100*float64(len(small))/float64(len(orig)), len(ranges))
			if len(small) > len(orig)*tc.maxSize/100 {
				t.Errorf("%d bytes from %d, want at most %d%%", len(small), len(orig), tc.maxSize)
			}
			m, err := Load(small)
			if err != nil {
				t.Fatal(err)
			}
			info := m.Inputs()[0]
			m.Close()
			if tc.intIO != (info.DType == runtime.Int8) {
				t.Fatalf("input type %s with intIO %v", info.DType, tc.intIO)
			}
			for k, s := range samples {
				in := s[0]
				if tc.intIO {
					in = quantizeInput(in, info.Quant.Scale[0], info.Quant.ZeroPoint[0])
				}
				got := bytes.Join(runBytes(t, small, [][]byte{in}), nil)
				ref := quantGolden(t, fmt.Sprintf("%s_int8_io%v_case%d", tc.name, tc.intIO, k), small, in)
				if ref != nil && !sameAsGolden(got, ref) {
					t.Errorf("case %d: edgeinfer and TFLite differ", k)
				}
				if k == tc.realCase {
					want := argmaxF32(runBytes(t, orig, s)[0])
					if g := argmaxF32(got); g != want {
						t.Errorf("case %d: top class %d, the original's is %d", k, g, want)
					}
				}
			}
		})
	}
}

// quantizeInput quantizes float32 values to int8 with scale and zero point.
func quantizeInput(in []byte, scale float32, zp int64) []byte {
	v := (&qmodel{bufs: [][]byte{in}}).floats(wtable{2: uint32(0)})
	out := make([]byte, len(v))
	for i, x := range v {
		out[i] = byte(int8(min(127, max(-128, math.Round(float64(x/scale))+float64(zp)))))
	}
	return out
}

// TestQuantizeInt8Metadata grafts the TFLite metadata and associated files
// of the shared quantized MobileNet onto a small float model and checks
// that the int8 model keeps both.
func TestQuantizeInt8Metadata(t *testing.T) {
	withMD, err := os.ReadFile(filepath.Join(sharedtest.Dir(t), "conformance", "tfls_mobilenet_v1_025_224_quant", "model.tflite"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := metadata.Read(withMD)
	if err != nil || want == nil {
		t.Fatalf("metadata of the source: %v", err)
	}
	src, err := decodeModel(withMD)
	if err != nil {
		t.Fatal(err)
	}
	m, err := decodeModel(wideFCModel().bytes())
	if err != nil {
		t.Fatal(err)
	}
	var md []wtable
	for _, e := range src.root[6].([]wtable) {
		md = append(md, wtable{0: e[0], 1: m.addBuffer(src.bufs[e[1].(uint32)])})
	}
	m.root[6], m.src = md, withMD
	float, err := m.encode()
	if err != nil {
		t.Fatal(err)
	}
	in := make([]float32, 64)
	for i := range in {
		in[i] = float32(i%9)/4 - 1
	}
	small, _, err := QuantizeInt8(context.Background(), float, [][][]byte{{f32bytes(in...)}}, Int8Options{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := metadata.Read(small)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("metadata not kept:\n%+v\nwant\n%+v", got, want)
	}
}

func TestQuantizeInt8Refuses(t *testing.T) {
	floor := testModel{
		tensors: []testTensor{
			{name: "a", typ: tensorFloat32, shape: []int32{1, 2}},
			{name: "b", typ: tensorFloat32, shape: []int32{1, 2}},
			{name: "y", typ: tensorFloat32, shape: []int32{1, 2}},
		},
		inputs: []int32{0, 1}, outputs: []int32{2},
		ops: []testOp{{builtin: 0, ins: []int32{0, 1}, outs: []int32{3}}, {builtin: 8, ins: []int32{3}, outs: []int32{2}}},
	}
	floor.tensors = append(floor.tensors, testTensor{name: "sum", typ: tensorFloat32, shape: []int32{1, 2}})
	two := [][][]byte{{f32bytes(1, 2), f32bytes(3, 4)}}
	_, hw := sharedCases(t, "tflm_hello_world_int8")
	hwModel, _ := sharedCases(t, "tflm_hello_world_int8")
	fc := wideFCModel().bytes()
	for _, tc := range []struct {
		name    string
		model   []byte
		samples [][][]byte
		is      error
		want    string
	}{
		{"not a model", []byte("hello, world"), two, runtime.ErrInvalidModel, ""},
		{"no rule", floor.bytes(), two, ErrNotQuantizable, "operator 1 (FLOOR)"},
		{"already int8", hwModel, hw, ErrNotQuantizable, "is not float32"},
		{"no samples", fc, nil, nil, "no calibration samples"},
		{"sample of the wrong size", fc, [][][]byte{{f32bytes(1, 2)}}, runtime.ErrInput, "sample 0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := QuantizeInt8(context.Background(), tc.model, tc.samples, Int8Options{})
			if err == nil || (tc.is != nil && !errors.Is(err, tc.is)) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("QuantizeInt8: %v; want %v and %q", err, tc.is, tc.want)
			}
		})
	}
}

// FuzzQuantizeInt8 checks that the quantizer never panics on a hostile
// model and that what it writes is a valid model.
func FuzzQuantizeInt8(f *testing.F) {
	f.Add(wideFCModel().bytes())
	f.Add(chainModel(3, 4).bytes())
	f.Fuzz(func(t *testing.T, model []byte) {
		m, err := Load(model)
		if err != nil {
			return
		}
		var sample [][]byte
		for _, in := range m.Inputs() {
			sample = append(sample, make([]byte, in.ByteSize()))
		}
		m.Close()
		small, _, err := QuantizeInt8(context.Background(), model, [][][]byte{sample}, Int8Options{})
		if err != nil {
			return
		}
		if _, err := DescribeBytes(small); err != nil {
			t.Fatalf("the quantized model is invalid: %v", err)
		}
	})
}
