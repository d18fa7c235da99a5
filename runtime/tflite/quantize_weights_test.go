package tflite

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	goruntime "runtime"
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/internal/sharedtest"
	"github.com/edgeinfer/edgeinfer/runtime"
	"github.com/edgeinfer/edgeinfer/runtime/kernels"
	"github.com/edgeinfer/edgeinfer/runtime/tflite/metadata"
)

var updateQuant = flag.Bool("update-quant", false, "regenerate testdata/quantize with the real TFLite ($TFLITE_REF, default /work/tfref/tflite-ref)")

// wideFCModel is x [1,64] -> FC (W [32,64], 2048 weights) -> FC (W [2,32],
// 64 weights) -> y [1,2]: one layer above the converter's threshold, one
// below.
func wideFCModel() testModel {
	w1 := make([]float32, 32*64)
	for i := range w1 {
		w1[i] = float32(math.Sin(float64(i))) * float32(1+i%32) / 32
	}
	w2 := make([]float32, 2*32)
	for i := range w2 {
		w2[i] = float32(math.Cos(float64(i)))
	}
	return testModel{
		tensors: []testTensor{
			{name: "x", typ: tensorFloat32, shape: []int32{1, 64}},
			{name: "w1", typ: tensorFloat32, shape: []int32{32, 64}, data: f32bytes(w1...)},
			{name: "b1", typ: tensorFloat32, shape: []int32{32}, data: f32bytes(make([]float32, 32)...)},
			{name: "h", typ: tensorFloat32, shape: []int32{1, 32}},
			{name: "w2", typ: tensorFloat32, shape: []int32{2, 32}, data: f32bytes(w2...)},
			{name: "y", typ: tensorFloat32, shape: []int32{1, 2}},
		},
		inputs:  []int32{0},
		outputs: []int32{5},
		ops: []testOp{
			{builtin: 9, ins: []int32{0, 1, 2}, outs: []int32{3}, opts: fbt{0: uint8(1)}},
			{builtin: 9, ins: []int32{3, 4, -1}, outs: []int32{5}, opts: fbt{0: uint8(0)}},
		},
	}
}

func TestQuantizeWeightsSmall(t *testing.T) {
	orig := wideFCModel().bytes()
	small, n, err := QuantizeWeights(orig)
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Fatalf("%d tensors quantized, want 1 (w1; w2 is below the threshold)", n)
	}
	m, err := decodeModel(small)
	if err != nil {
		t.Fatal(err)
	}
	s := m.sgs[0]
	if tensorType(s.tensors[1]) != typeInt8 || tensorType(s.tensors[4]) != typeFloat32 || tensorType(s.tensors[2]) != typeFloat32 {
		t.Fatalf("types w1 %d w2 %d b1 %d, want int8, float32, float32", tensorType(s.tensors[1]), tensorType(s.tensors[4]), tensorType(s.tensors[2]))
	}
	q := s.tensors[1][4].(wtable)
	if sc := q[2].([]float32); len(sc) != 1 || sc[0] <= 0 {
		t.Fatalf("w1 scales %v, want one positive scale", sc)
	}
	if o := s.opts[0]; !o.boolean(3) || o.i8(0, 0) != 1 {
		t.Fatalf("first FULLY_CONNECTED: asymmetric_quantize_inputs %v, activation %d; want true, relu (1)", o.boolean(3), o.i8(0, 0))
	}
	if m.codes[s.ops[0][0].(uint32)][2].(int32) < 9 {
		t.Fatalf("FULLY_CONNECTED version %v, want 9 (hybrid with asymmetric inputs)", m.codes[s.ops[0][0].(uint32)])
	}
	if len(small) >= len(orig)/2 {
		t.Errorf("%d bytes from %d, want less than half", len(small), len(orig))
	}
	x := make([]float32, 64)
	for i := range x {
		x[i] = float32(i%7) - 3
	}
	a, b := runBytes(t, orig, [][]byte{f32bytes(x...)}), runBytes(t, small, [][]byte{f32bytes(x...)})
	scale := maxAbsDiff(a[0], make([]byte, len(a[0])))
	if d := maxAbsDiff(a[0], b[0]); d > 0.1*scale || d == 0 {
		t.Errorf("original vs int8 weights: max |diff| %g, want (0, 10%% of %g]", d, scale)
	}
}

func TestSymmetricInt8(t *testing.T) {
	q, err := symmetricInt8([]float32{1, -0.5, 0, 0, 0.25, -254}, []int32{3, 2}, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := quantized{data: []byte{127, byte(0x100 - 64), 0, 0, 0, byte(0x100 - 127)}, scales: []float32{1.0 / 127, 1, 2}, axis: 0}
	if !reflect.DeepEqual(q, want) {
		t.Fatalf("got %+v, want %+v", q, want)
	}
	if _, err := symmetricInt8([]float32{float32(math.NaN())}, []int32{1}, -1); !errors.Is(err, runtime.ErrUnsupported) {
		t.Fatalf("NaN weight: %v, want ErrUnsupported", err)
	}
	if _, err := symmetricInt8([]float32{1, 2}, []int32{3}, -1); !errors.Is(err, runtime.ErrInvalidModel) {
		t.Fatalf("shape mismatch: %v, want ErrInvalidModel", err)
	}
}

func TestQuantizeWeightsRefuses(t *testing.T) {
	for _, tc := range []struct {
		name  string
		model []byte
		is    error
	}{
		{"not a model", []byte("hello, world"), runtime.ErrInvalidModel},
		{"weights below the threshold", fcModel().bytes(), runtime.ErrUnsupported},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, _, err := QuantizeWeights(tc.model); !errors.Is(err, tc.is) {
				t.Fatalf("QuantizeWeights: %v; want %v", err, tc.is)
			}
		})
	}
}

// TestQuantizeWeightsMobileNet quantizes the shared MobileNet v1 float:
// about a third of the size, metadata kept, the original's top class on
// the real photo (a cheeseburger) both here and in the real TFLite
// (testdata/quantize/*.golden, made by tflite-ref with -update-quant),
// and this engine's probabilities within 1e-3 of TFLite's. (The hybrid
// convolutions are not bit-exact against LiteRT's XNNPACK on
// activations whose quantization meets rounding ties: see
// docs/compress.md.)
func TestQuantizeWeightsMobileNet(t *testing.T) {
	const name = "tfls_mobilenet_v1_025_224_float"
	dir := filepath.Join(sharedtest.Dir(t), "conformance", name)
	orig, err := os.ReadFile(filepath.Join(dir, "model.tflite"))
	if err != nil {
		t.Fatal(err)
	}
	in, err := os.ReadFile(filepath.Join(dir, "case_2", "in_0.bin"))
	if err != nil {
		t.Fatal(err)
	}
	small, n, err := QuantizeWeights(orig)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d -> %d bytes (%.1f%%), %d weight tensors", len(orig), len(small), 100*float64(len(small))/float64(len(orig)), n)
	if len(small) > len(orig)*35/100 {
		t.Errorf("%d bytes from %d, want about a third", len(small), len(orig))
	}
	mdA, errA := metadata.Read(orig)
	mdB, errB := metadata.Read(small)
	if errA != nil || errB != nil || !reflect.DeepEqual(mdA, mdB) {
		t.Errorf("metadata not kept: %v %v", errA, errB)
	}
	a, b := runBytes(t, orig, [][]byte{in}), runBytes(t, small, [][]byte{in})
	ref := quantGolden(t, name+"_int8w", small, in)
	if ref == nil {
		t.Fatalf("the int8-weights model differs from the one its golden describes: weight quantization calibrates nothing and must not depend on the platform")
	}
	ta, tb, tr := argmaxF32(a[0]), argmaxF32(b[0]), argmaxF32(ref)
	d := maxAbsDiff(b[0], ref)
	t.Logf("top class: original %d, int8 weights %d here and %d in TFLite; edgeinfer vs TFLite max |diff| %g", ta, tb, tr, d)
	if ta != tb || ta != tr {
		t.Errorf("top class: original %d, int8 weights %d here and %d in TFLite, want all equal", ta, tb, tr)
	}
	// The real TFLite's two builds in tflite-ref differ by 5e-4 on this
	// model and photo; on arm64 edgeinfer's float accumulation (fused
	// multiply-adds) adds about as much.
	if d > 2e-3 {
		t.Errorf("edgeinfer vs TFLite on the int8-weights model: max |diff| %g, want <= 2e-3", d)
	}
}

func argmaxF32(b []byte) int {
	best, at := float32(math.Inf(-1)), -1
	for i := 0; i+4 <= len(b); i += 4 {
		if v := math.Float32frombits(binary.LittleEndian.Uint32(b[i:])); v > best {
			best, at = v, i/4
		}
	}
	return at
}

// maxGolden is the largest golden stored as raw outputs; larger ones
// (DeepLab's 5.5 MB) are stored as the SHA-256 of the outputs.
const maxGolden = 1 << 20

// writeQuantGolden runs model in the real TFLite and stores the digest, a
// newline, and the raw outputs one after another (or "sha256:" and their
// hash when they are over maxGolden).
func writeQuantGolden(t *testing.T, golden, digest string, model, in []byte) {
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
	res := []byte(digest + " " + floatKernels() + "\n")
	for k := 0; ; k++ {
		b, err := os.ReadFile(filepath.Join(out, fmt.Sprintf("out_%d.bin", k)))
		if errors.Is(err, os.ErrNotExist) && k > 0 {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		res = append(res, b...)
	}
	if len(res) > maxGolden {
		sum := sha256.Sum256(res[len(digest)+1:])
		res = []byte(digest + "\nsha256:" + hex.EncodeToString(sum[:]))
	}
	if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(golden, res, 0o644); err != nil {
		t.Fatal(err)
	}
}

// quantGolden returns the real TFLite's outputs (one after another) on
// model and input, kept in testdata/quantize/NAME.golden with the digest
// of both (-update-quant runs tflite-ref).
func quantGolden(t *testing.T, name string, model, in []byte) []byte {
	t.Helper()
	golden := filepath.Join("testdata", "quantize", name+".golden")
	sum := sha256.Sum256(append(append([]byte{}, model...), in...))
	digest := hex.EncodeToString(sum[:])
	if *updateQuant {
		writeQuantGolden(t, golden, digest, model, in)
	}
	g, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update-quant)", err)
	}
	head, ref, ok := strings.Cut(string(g), "\n")
	gotDigest, made, _ := strings.Cut(head, " ")
	if !ok || gotDigest != digest {
		// The float engine's rounding decides the calibrated ranges, so
		// other float kernels (another CPU, arm64's fused multiply-adds,
		// -tags purego) make another model than the one the golden
		// describes. Those are not compared; with the kernels that made
		// the golden, a different model means the golden is stale.
		if made != floatKernels() {
			t.Logf("%s was made with the float kernels %q, this build runs %q: their calibration makes another model; not compared with TFLite", golden, made, floatKernels())
			return nil
		}
		t.Fatalf("%s was made from another model or input (run with -update-quant)", golden)
	}
	return []byte(ref)
}

// floatKernels names the architecture and the float32 GEMM and
// depthwise kernels this build runs, which decide a calibration's ranges.
func floatKernels() string {
	v := kernels.Variants()
	name := func(kind string) string {
		if len(v[kind]) == 0 {
			return "generic"
		}
		return v[kind][0]
	}
	return goruntime.GOARCH + "/float32=" + name("float32") + "/depthwise=" + name("depthwise")
}

// sameAsGolden reports whether got equals a golden's outputs: the raw
// bytes, or their hash for a golden stored as one.
func sameAsGolden(got, ref []byte) bool {
	if h, ok := strings.CutPrefix(string(ref), "sha256:"); ok {
		sum := sha256.Sum256(got)
		return hex.EncodeToString(sum[:]) == h
	}
	return string(got) == string(ref)
}

// FuzzQuantizeWeights checks that the quantizer never panics on a hostile
// model and that what it writes is a valid model.
func FuzzQuantizeWeights(f *testing.F) {
	f.Add(wideFCModel().bytes())
	f.Add(fcModel().bytes())
	f.Fuzz(func(t *testing.T, model []byte) {
		small, _, err := QuantizeWeights(model)
		if err != nil {
			return
		}
		if _, err := DescribeBytes(small); err != nil {
			t.Fatalf("the quantized model is invalid: %v", err)
		}
	})
}
