package tflite

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/edgeinfer/edgeinfer/internal/sharedtest"
	"github.com/edgeinfer/edgeinfer/runtime"
)

// fuzzSessionLimit is the largest arena FuzzOpen runs a session for. The
// loader accepts arenas up to maxArenaBytes, but a mutated shape easily
// asks for hundreds of megabytes, and the work of an operator grows with
// its tensors (a FULLY_CONNECTED with a million rows of a 1-wide weight
// matrix is valid and slow); such inputs would only slow the fuzzer down.
const fuzzSessionLimit = 1 << 20

// sharedModels lists the model files of the shared test folder (conformance,
// negative and unit models), or nil, said loudly, when the folder is absent.
func sharedModels(tb testing.TB) []string {
	dir := sharedtest.Optional(tb)
	if dir == "" {
		return nil
	}
	var paths []string
	for _, pat := range []string{"conformance/*/model.tflite", "models/negative/*", "tools/tflite-ref/testmodels/*.tflite"} {
		m, _ := filepath.Glob(filepath.Join(dir, pat))
		paths = append(paths, m...)
	}
	filepath.WalkDir(filepath.Join(dir, "models", "unit"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && filepath.Ext(p) == ".tflite" {
			paths = append(paths, p)
		}
		return nil
	})
	return paths
}

// addSeeds seeds a fuzzer with the hand-built models of the table tests, the
// one-operator models of the oracle specs and,
// when the shared folder is present, every real model in it. The real models
// are read at fuzz start and never copied into testdata. With -short (the
// few seconds of fuzzing in make fuzz) only models up to shortSeedBytes
// seed it: the large ones would spend those seconds on the baseline run
// and the mutator would rarely reach their length fields.
func addSeeds(f *testing.F) {
	for _, b := range handMadeSeeds() {
		f.Add(b)
	}
	for _, s := range oracleSpecs() {
		m, _ := s.build()
		f.Add(m)
	}
	for _, p := range sharedModels(f) {
		if b, err := os.ReadFile(p); err == nil && (!testing.Short() || len(b) <= shortSeedBytes) {
			f.Add(b)
		}
	}
}

// shortSeedBytes is the largest real model that seeds a -short fuzz run.
const shortSeedBytes = 64 << 10

// handMadeSeeds are small valid and almost-valid models, by name. They are
// also committed as testdata/fuzz/FuzzOpen/hand_<name> (TestSeedCorpus).
func handMadeSeeds() map[string][]byte {
	relu := fcModel()
	relu.ops[0].opts = fbt{0: uint8(1)}
	q := fcModel()
	q.tensors[1].quant = fbt{2: []float32{0.5, 0.25}, 3: []int64{0, 0}, 6: int32(0)}
	sig := fcModel()
	sig.sigs = []fbt{{0: []fbt{{0: "in", 1: uint32(0)}}, 1: []fbt{{0: "out", 1: uint32(3)}}, 2: "serving_default", 4: uint32(0)}}
	// FuzzOpen's first crash: the FULLY_CONNECTED kernel indexed the bias
	// input left off the end of the input list.
	noBias := fcModel()
	noBias.ops[0].ins = noBias.ops[0].ins[:2]
	custom := fcModel()
	custom.ops[0].builtin, custom.ops[0].custom = 32, "ethos-u"
	// An empty tensor with a huge dimension: FuzzOpen found STRIDED_SLICE
	// (shape branch) building a 2^27-entry index table for it at load.
	i32s := func(v ...int32) []byte {
		b := make([]byte, 0, 4*len(v))
		for _, x := range v {
			b = append(b, byte(x), byte(x>>8), byte(x>>16), byte(x>>24))
		}
		return b
	}
	emptySlice := testModel{
		tensors: []testTensor{
			{name: "x", typ: tensorInt8, shape: []int32{1, 1 << 27, 0}},
			{name: "begin", typ: tensorInt32, shape: []int32{3}, data: i32s(0, 0, 0)},
			{name: "end", typ: tensorInt32, shape: []int32{3}, data: i32s(1, 1<<27, 0)},
			{name: "strides", typ: tensorInt32, shape: []int32{3}, data: i32s(1, 1, 1)},
			{name: "y", typ: tensorInt8, shape: []int32{1, 1 << 27, 0}},
		},
		inputs: []int32{0}, outputs: []int32{4},
		ops: []testOp{{builtin: 45, ins: []int32{0, 1, 2, 3}, outs: []int32{4}}},
	}
	sparseFC := fcModel()
	sparseFC.tensors[1].data, sparseFC.tensors[1].sparsity = encodeSparse(sparseFC.tensors[1].data, 2, 4, 4, 4, 3)
	sparseValues, sparsity := encodeSparse(f32bytes(0, 1, 0, 0, 2, 0, 0, 3), 2, 4, 1, 4, 2)
	upsample := []testTensor{
		{name: "x", typ: tensorFloat32, shape: []int32{1, 2, 2, 1}},
		{name: "w", typ: tensorFloat32, shape: []int32{1, 3, 3, 1}, data: make([]byte, 36)},
		{name: "b", typ: tensorFloat32, shape: []int32{1}, data: make([]byte, 4)},
		{name: "y", typ: tensorFloat32, shape: []int32{1, 4, 4, 1}},
	}
	seeds := map[string][]byte{
		"transpose_conv_bias": customModel("Convolution2DTransposeBias", int32s(1, 2, 2), upsample, []int32{0}, []int32{0, 1, 2}, []int32{3}),
		"max_unpool":          customModel("MaxUnpooling2D", int32s(1, 2, 2, 2, 2, 0), upsample, []int32{0}, []int32{0, 0}, []int32{3}),
		"max_pool_argmax": customModel("MaxPoolingWithArgmax2D", int32s(2, 2, 2, 2, 2, 1), []testTensor{upsample[0],
			{name: "y", typ: tensorFloat32, shape: []int32{1, 1, 1, 1}}, {name: "i", typ: tensorFloat32, shape: []int32{1, 1, 1, 1}}},
			[]int32{0}, []int32{0}, []int32{1, 2}),
		"sparse_fc":      sparseFC.bytes(),
		"densify":        densifyModel(tensorFloat32, []int32{2, 4}, sparseValues, sparsity).bytes(),
		"fc":             fcModel().bytes(),
		"fc_relu":        relu.bytes(),
		"fc_no_bias":     noBias.bytes(),
		"fc_per_channel": q.bytes(),
		"fc_signature":   sig.bytes(),
		"chain":          chainModel(4, 3).bytes(),
		"dequant_f16":    dequantModel(tensorFloat16, make([]byte, 16), nil).bytes(),
		"dequant_int8":   dequantModel(tensorInt8, make([]byte, 8), fbt{2: []float32{1, 0.5}, 6: int32(0)}).bytes(),
		"custom_op":      custom.bytes(),
		"empty_slice":    emptySlice.bytes(),
		"no_operators":   testModel{tensors: []testTensor{{name: "x", typ: tensorInt8, shape: []int32{3}}}, inputs: []int32{0}, outputs: []int32{0}}.bytes(),
	}
	maps.Copy(seeds, seqSeeds())
	return seeds
}

var updateSeeds = flag.Bool("update-seeds", false, "rewrite the hand-made seeds in testdata/fuzz/FuzzOpen")

// TestSeedCorpus checks that the committed hand-made seeds match the
// builder's output (rewrite them with -update-seeds).
func TestSeedCorpus(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzOpen")
	for name, b := range handMadeSeeds() {
		path := filepath.Join(dir, "hand_"+name)
		want := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", b)
		if *updateSeeds {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil || string(got) != want {
			t.Errorf("%s is missing or stale (%v); run go test -run TestSeedCorpus -update-seeds", path, err)
		}
	}
}

// FuzzOpen loads arbitrary bytes as a model. Load must return a model or an
// error that says whether the model is invalid or unsupported; a model that
// loads must also run on zero inputs without panicking.
func FuzzOpen(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Load(data)
		if err != nil {
			if !errors.Is(err, runtime.ErrInvalidModel) && !errors.Is(err, runtime.ErrUnsupported) {
				t.Fatalf("error wraps neither ErrInvalidModel nor ErrUnsupported: %v", err)
			}
			return
		}
		defer m.Close()
		for _, in := range m.Inputs() {
			if in.ByteSize() < 0 || in.ByteSize() > maxTensorBytes {
				t.Fatalf("input %s has byte size %d", in, in.ByteSize())
			}
		}
		if m.ArenaBytes() > fuzzSessionLimit {
			return
		}
		s, err := m.NewSession(runtime.Options{})
		if err != nil {
			return
		}
		defer s.Close()
		for i, in := range m.Inputs() {
			if len(s.Input(i)) != in.ByteSize() {
				t.Fatalf("input %d has %d bytes, want %d", i, len(s.Input(i)), in.ByteSize())
			}
		}
		// A WHILE may loop forever on zeros, as in TFLite (the unit model
		// litert_tfl_nested_while does): the deadline ends such a run.
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		if err := s.Run(ctx); err != nil {
			return
		}
		for i, out := range m.Outputs() {
			if len(s.Output(i)) != out.ByteSize() {
				t.Fatalf("output %d has %d bytes, want %d", i, len(s.Output(i)), out.ByteSize())
			}
		}
	})
}

// FuzzParse runs the stages of loading that need no kernels (parsing,
// constant folding, arena planning) on arbitrary bytes, so the fuzzer
// reaches models whose operators have no kernel yet.
func FuzzParse(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := parse(data)
		if err != nil {
			if !errors.Is(err, runtime.ErrInvalidModel) && !errors.Is(err, runtime.ErrUnsupported) {
				t.Fatalf("parse error wraps neither ErrInvalidModel nor ErrUnsupported: %v", err)
			}
			return
		}
		if err := m.foldConstants(); err != nil {
			return
		}
		p, err := planArena(m)
		if err != nil {
			return
		}
		if err := checkPlan(m, p); err != nil {
			t.Fatal(err)
		}
	})
}
