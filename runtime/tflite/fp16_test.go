package tflite

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"flag"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/internal/sharedtest"
	"github.com/edgeinfer/edgeinfer/runtime"
	"github.com/edgeinfer/edgeinfer/runtime/kernels"
	"github.com/edgeinfer/edgeinfer/runtime/tflite/metadata"
)

var updateFP16 = flag.Bool("update-fp16", false, "regenerate testdata/fp16 with the real TFLite ($TFLITE_REF, default /work/tfref/tflite-ref)")

// TestFloat32ToFloat16 checks the conversion against the engine's float16
// decoder on every float16 value, and its rounding on ties and edges.
func TestFloat32ToFloat16(t *testing.T) {
	for h := range 1 << 16 {
		f := kernels.Float16ToFloat32(uint16(h))
		if f != f {
			if g := float32ToFloat16(f); g&0x7c00 != 0x7c00 || g&0x3ff == 0 {
				t.Fatalf("NaN %#04x -> %#04x, not a NaN", h, g)
			}
			continue
		}
		if g := float32ToFloat16(f); g != uint16(h) {
			t.Fatalf("%#04x (%g) -> %#04x", h, f, g)
		}
	}
	for _, tc := range []struct {
		f    float32
		want uint16
	}{
		{1 + 1.0/2048, 0x3c00},        // tie, rounds to even (down)
		{1 + 3.0/2048, 0x3c02},        // tie, rounds to even (up)
		{1 + 1.0/2048 + 1e-7, 0x3c01}, // above the tie
		{65519, 0x7bff},               // largest that rounds to 65504
		{65520, 0x7c00},               // rounds to +Inf
		{-1e10, 0xfc00},               // overflow
		{float32(math.Ldexp(1, -24)), 0x0001},
		{float32(math.Ldexp(1, -25)), 0x0000},    // tie with zero, even
		{float32(math.Ldexp(1.5, -25)), 0x0001},  // above the tie
		{float32(math.Ldexp(1, -30)), 0x0000},    // underflow
		{float32(math.Ldexp(1023, -24)), 0x03ff}, // largest subnormal
		{float32(math.Ldexp(2047, -25)), 0x0400}, // rounds up into the normals
		{float32(math.Copysign(0, -1)), 0x8000},
	} {
		if g := float32ToFloat16(tc.f); g != tc.want {
			t.Errorf("%g -> %#04x, want %#04x", tc.f, g, tc.want)
		}
	}
}

func runBytes(t *testing.T, b []byte, inputs [][]byte) [][]byte {
	t.Helper()
	m, err := Load(b)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	out, err := m.Run(context.Background(), runtime.Options{}, inputs)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func maxAbsDiff(a, b []byte) float64 {
	d := 0.0
	for i := 0; i+4 <= len(a); i += 4 {
		x := math.Float32frombits(binary.LittleEndian.Uint32(a[i:]))
		y := math.Float32frombits(binary.LittleEndian.Uint32(b[i:]))
		d = max(d, math.Abs(float64(x-y)))
	}
	return d
}

func TestCompressFP16Small(t *testing.T) {
	orig := fcModel().bytes()
	small, err := CompressFP16(orig)
	if err != nil {
		t.Fatal(err)
	}
	d, err := DescribeBytes(small)
	if err != nil {
		t.Fatal(err)
	}
	if d.OpCounts["DEQUANTIZE"] != 2 || d.OpCounts["FULLY_CONNECTED"] != 1 || !d.Supported() {
		t.Fatalf("ops %v, supported %v; want 2 DEQUANTIZE and the FULLY_CONNECTED", d.OpCounts, d.LoadError())
	}
	x := [][]byte{f32bytes(0.25, -1, 3, 0.125)}
	a, b := runBytes(t, orig, x), runBytes(t, small, x)
	// Every weight is exact in float16, so the outputs are equal.
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("outputs %v, want %v", b, a)
	}
	again, err := CompressFP16(orig)
	if err != nil || string(again) != string(small) {
		t.Fatalf("a second conversion differs (%v)", err)
	}
}

func TestCompressFP16Refuses(t *testing.T) {
	unknown := fcModel().root()
	unknown[2].([]fbt)[0][3].([]fbt)[0][3] = uint8(99)
	intOnly := testModel{
		tensors: []testTensor{{name: "x", typ: tensorInt32, shape: []int32{2}}, {name: "y", typ: tensorInt32, shape: []int32{2}}},
		inputs:  []int32{0}, outputs: []int32{1},
		ops: []testOp{{builtin: 22, ins: []int32{0}, outs: []int32{1}}}, // RESHAPE
	}
	for _, tc := range []struct {
		name  string
		model []byte
		is    error
		want  string
	}{
		{"not a model", []byte("hello, world"), runtime.ErrInvalidModel, ""},
		{"unknown options", buildFB("TFL3", unknown), runtime.ErrUnsupported, "operator 0: runtime: unsupported: options type 99 is not known to the converter"},
		{"no float weights", intOnly.bytes(), runtime.ErrUnsupported, "no float32 constant tensor"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := CompressFP16(tc.model)
			if !errors.Is(err, tc.is) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("CompressFP16: %v; want %v and %q", err, tc.is, tc.want)
			}
		})
	}
}

// TestCompressFP16Shared converts the shared float models: half the size,
// the same metadata and associated files, outputs close to the original's
// in this engine, and equal to the real TFLite's on the converted model
// (testdata/fp16/*.golden, made by tflite-ref with -update-fp16).
func TestCompressFP16Shared(t *testing.T) {
	dir := sharedtest.Dir(t)
	for _, tc := range []struct {
		name string
		// tol bounds the engine's original vs converted difference; ref
		// the engine's vs TFLite's on the converted model, checked when
		// there is a golden (deeplab's output, 5.5 MB, is not stored).
		tol, ref float64
	}{
		{"tfls_mobilenet_v1_025_224_float", 5e-3, 1e-5},
		{"tfls_deeplabv3_float", 0.2, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			orig, err := os.ReadFile(filepath.Join(dir, "conformance", tc.name, "model.tflite"))
			if err != nil {
				t.Fatal(err)
			}
			small, err := CompressFP16(orig)
			if err != nil {
				t.Fatal(err)
			}
			if len(small) > len(orig)*53/100 {
				t.Errorf("%d bytes from %d, want about half", len(small), len(orig))
			}
			mdA, errA := metadata.Read(orig)
			mdB, errB := metadata.Read(small)
			if errA != nil || errB != nil || !reflect.DeepEqual(mdA, mdB) {
				t.Errorf("metadata not kept: %v %v\n%+v\n%+v", errA, errB, mdA, mdB)
			}
			m, err := Load(orig)
			if err != nil {
				t.Fatal(err)
			}
			in := make([]byte, m.Inputs()[0].ByteSize())
			m.Close()
			seed := uint32(7)
			for i := 0; i < len(in); i += 4 {
				seed ^= seed << 13
				seed ^= seed >> 17
				seed ^= seed << 5
				binary.LittleEndian.PutUint32(in[i:], math.Float32bits(float32(seed)/(1<<32)*2-1))
			}
			a, b := runBytes(t, orig, [][]byte{in}), runBytes(t, small, [][]byte{in})
			d := maxAbsDiff(a[0], b[0])
			t.Logf("%d -> %d bytes; original vs float16 weights: max |diff| %g", len(orig), len(small), d)
			if d > tc.tol || d == 0 {
				t.Errorf("original vs float16 weights: max |diff| %g, want (0, %g]", d, tc.tol)
			}
			if tc.ref == 0 {
				return
			}
			golden := filepath.Join("testdata", "fp16", tc.name+".golden")
			sum := sha256.Sum256(append(append([]byte{}, small...), in...))
			digest := hex.EncodeToString(sum[:])
			if *updateFP16 {
				writeFP16Golden(t, golden, digest, small, in)
			}
			g, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update-fp16)", err)
			}
			head, ref, ok := strings.Cut(string(g), "\n")
			if !ok || head != digest || len(ref) != len(b[0]) {
				t.Fatalf("%s was made from another model or input (run with -update-fp16)", golden)
			}
			d = maxAbsDiff(b[0], []byte(ref))
			t.Logf("edgeinfer vs TFLite on the float16 model: max |diff| %g", d)
			if d > tc.ref {
				t.Errorf("edgeinfer vs TFLite on the float16 model: max |diff| %g, want <= %g", d, tc.ref)
			}
		})
	}
}

// writeFP16Golden runs the converted model in the real TFLite and stores
// the digest of model and input, a newline, and the raw output.
func writeFP16Golden(t *testing.T, golden, digest string, model, in []byte) {
	ref := os.Getenv("TFLITE_REF")
	if ref == "" {
		ref = "/work/tfref/tflite-ref"
	}
	tmp := t.TempDir()
	mp, ip, out := filepath.Join(tmp, "m.tflite"), filepath.Join(tmp, "in_0.bin"), filepath.Join(tmp, "out")
	if err := os.WriteFile(mp, model, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(ip, in, 0o644); err != nil {
		t.Fatal(err)
	}
	if msg, err := exec.Command(ref, mp, ip, "--out", out).CombinedOutput(); err != nil {
		t.Fatalf("tflite-ref: %v\n%s", err, msg)
	}
	res, err := os.ReadFile(filepath.Join(out, "out_0.bin"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(golden, append([]byte(digest+"\n"), res...), 0o644); err != nil {
		t.Fatal(err)
	}
}

// FuzzCompressFP16 checks that the converter never panics on a hostile
// model and that whatever it writes is a valid model.
func FuzzCompressFP16(f *testing.F) {
	f.Add(fcModel().bytes())
	f.Add(chainModel(3, 4).bytes())
	f.Fuzz(func(t *testing.T, model []byte) {
		small, err := CompressFP16(model)
		if err != nil {
			return
		}
		if _, err := DescribeBytes(small); err != nil {
			t.Fatalf("the converted model is invalid: %v", err)
		}
	})
}
