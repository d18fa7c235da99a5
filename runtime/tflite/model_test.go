package tflite

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/internal/sharedtest"
	"github.com/edgeinfer/edgeinfer/runtime"
)

// subgraph returns the main subgraph table of a root built by testModel.
func subgraph(root fbt) fbt { return root[2].([]fbt)[0] }

// edited builds fcModel after fn has changed its root table.
func edited(fn func(root fbt)) []byte {
	root := fcModel().root()
	fn(root)
	return buildFB("TFL3", root)
}

// editedModel builds a testModel changed by fn.
func editedModel(base testModel, fn func(tm *testModel)) []byte {
	fn(&base)
	return base.bytes()
}

// sharedTensors is a model whose tensor list names one tensor table n times.
func sharedTensors(n int, name string) []byte {
	t := &fbShared{V: fbt{0: []int32{1}, 1: tensorFloat32, 3: name}}
	list := make([]any, n)
	for i := range list {
		list[i] = t
	}
	sg := fbt{0: list, 1: []int32{0}, 2: []int32{0}}
	return buildFB("TFL3", fbt{0: uint32(3), 2: []fbt{sg}, 4: []fbt{{}}})
}

// misalignedBomb has n constant outputs that share one misaligned buffer
// of k float32 values.
func misalignedBomb(n, k int) []byte {
	t := &fbShared{V: fbt{0: []int32{int32(k)}, 1: tensorFloat32, 2: uint32(1), 3: "c"}}
	list := make([]any, n)
	for i := range list {
		list[i] = t
	}
	sg := fbt{0: list, 2: []int32{0}}
	return buildFB("TFL3", fbt{0: uint32(3), 2: []fbt{sg}, 4: []fbt{{}, {0: fbMisaligned(make([]byte, 4*k))}}})
}

// signatureBomb has n signatures that share one list of k tensor maps.
func signatureBomb(n, k int) []byte {
	maps := make([]any, k)
	for i := range maps {
		maps[i] = fbt{0: "x", 1: uint32(0)}
	}
	shared := &fbShared{V: maps}
	sig := &fbShared{V: fbt{0: shared, 1: shared, 2: "s"}}
	sigs := make([]any, n)
	for i := range sigs {
		sigs[i] = sig
	}
	root := testModel{tensors: []testTensor{{name: "x", typ: tensorFloat32, shape: []int32{1}}}, inputs: []int32{0}, outputs: []int32{0}}.root()
	root[7] = sigs
	return buildFB("TFL3", root)
}

// foldBomb dequantizes one large int8 constant n times.
func foldBomb(n int) []byte {
	tm := testModel{
		tensors: []testTensor{
			{name: "x", typ: tensorFloat32, shape: []int32{1}},
			{name: "q", typ: tensorInt8, shape: []int32{1 << 16}, data: make([]byte, 1<<16), quant: fbt{2: []float32{1}}},
		},
		inputs: []int32{0}, outputs: []int32{0},
	}
	for i := range n {
		tm.tensors = append(tm.tensors, testTensor{name: "f", typ: tensorFloat32, shape: []int32{1 << 16}})
		tm.ops = append(tm.ops, testOp{builtin: 6, ins: []int32{1}, outs: []int32{int32(2 + i)}})
	}
	return tm.bytes()
}

func TestLoadRefusesMalformed(t *testing.T) {
	tests := []struct {
		name string
		file []byte
		want error
		msg  string
	}{
		{"too short", []byte("TFL3"), runtime.ErrInvalidModel, "too short"},
		{"not tflite", buildFB("ABCD", fbt{}), runtime.ErrInvalidModel, `file identifier is "ABCD"`},
		{"root out of range", append([]byte{0xff, 0xff, 0, 0}, "TFL3"...), runtime.ErrInvalidModel, "root table"},
		{"schema version", edited(func(r fbt) { r[0] = uint32(2) }), runtime.ErrInvalidModel, "schema version 2"},
		{"no subgraph", edited(func(r fbt) { r[2] = []fbt{} }), runtime.ErrInvalidModel, "no subgraph"},
		{"opcode index", edited(func(r fbt) { subgraph(r)[3].([]fbt)[0][0] = uint32(math.MaxUint32) }),
			runtime.ErrInvalidModel, "opcode index 4294967295 out of range"},
		{"buffer index", edited(func(r fbt) { subgraph(r)[0].([]fbt)[1][2] = uint32(math.MaxUint32) }),
			runtime.ErrInvalidModel, "buffer index 4294967295 out of range"},
		{"external buffer", edited(func(r fbt) { r[4].([]fbt)[1][1] = uint64(1 << 40) }),
			runtime.ErrInvalidModel, "external data"},
		{"negative dimension", editedModel(fcModel(), func(tm *testModel) { tm.tensors[0].shape = []int32{1, -4} }),
			runtime.ErrInvalidModel, "dimension 1 is -4"},
		{"rank", editedModel(fcModel(), func(tm *testModel) { tm.tensors[0].shape = make([]int32, 9) }),
			runtime.ErrInvalidModel, "rank 9 exceeds 8"},
		{"huge shape", editedModel(fcModel(), func(tm *testModel) { tm.tensors[0].shape = []int32{1 << 20, 1 << 20, 1 << 20} }),
			runtime.ErrInvalidModel, "too many elements"},
		{"huge empty tensor", editedModel(fcModel(), func(tm *testModel) { tm.tensors[0].shape = []int32{0, 1 << 20, 1 << 20} }),
			runtime.ErrInvalidModel, "too many elements"},
		{"huge tensor", editedModel(fcModel(), func(tm *testModel) { tm.tensors[0].shape = []int32{1 << 29} }),
			runtime.ErrInvalidModel, "over the 1073741824-byte limit"},
		{"buffer size", editedModel(fcModel(), func(tm *testModel) { tm.tensors[1].data = make([]byte, 3) }),
			runtime.ErrInvalidModel, "buffer 1 holds 3 bytes, shape [2 4] of float32 needs 32"},
		{"string constant", editedModel(fcModel(), func(tm *testModel) { tm.tensors[2].typ = tensorString }),
			runtime.ErrUnsupported, "constant of type string"},
		{"int4 constant", editedModel(fcModel(), func(tm *testModel) { tm.tensors[2].typ = 17 }),
			runtime.ErrUnsupported, `tensor 2 "b": constant of type INT4 is not supported`},
		{"sparse constant", edited(func(r fbt) { subgraph(r)[0].([]fbt)[1][6] = fbt{0: []int32{0, 1}} }),
			runtime.ErrInvalidModel, `tensor 1 "w": sparsity: traversal_order has 2 entries and dim_metadata 0, want 2`},
		{"blockwise quantization", editedModel(fcModel(), func(tm *testModel) { tm.tensors[1].quant = fbt{2: []float32{1}, 4: uint8(1)} }),
			runtime.ErrUnsupported, "quantization details of type 1 (custom or blockwise)"},
		{"shape signature", edited(func(r fbt) { subgraph(r)[0].([]fbt)[0][7] = []int32{-1} }),
			runtime.ErrInvalidModel, "shape_signature [-1] does not match shape [1 4]"},
		{"valid", fcModel().bytes(), nil, ""},
		{"zero-size constant", editedModel(fcModel(), func(tm *testModel) {
			tm.tensors[1].shape, tm.tensors[1].data = []int32{0, 4}, nil
			tm.tensors[2].shape, tm.tensors[2].data = []int32{0}, nil
			tm.tensors[3].shape = []int32{1, 0}
		}), nil, ""},
		{"input index", editedModel(fcModel(), func(tm *testModel) { tm.inputs = []int32{99} }),
			runtime.ErrInvalidModel, "subgraph inputs[0]: tensor index 99 out of range (4 tensors)"},
		{"operator input", editedModel(fcModel(), func(tm *testModel) { tm.ops[0].ins[0] = -2 }),
			runtime.ErrInvalidModel, "operator 0 (FULLY_CONNECTED): input 0 names tensor -2 of 4"},
		{"operator output", editedModel(fcModel(), func(tm *testModel) { tm.ops[0].outs[0] = 4 }),
			runtime.ErrInvalidModel, "output 0 names tensor 4 of 4"},
		{"read before write", editedModel(chainModel(2, 2), func(tm *testModel) { tm.ops[0], tm.ops[1] = tm.ops[1], tm.ops[0] }),
			runtime.ErrInvalidModel, "is read before anything writes it"},
		{"written twice", editedModel(chainModel(2, 2), func(tm *testModel) { tm.ops[1].outs[0] = tm.ops[0].outs[0] }),
			runtime.ErrInvalidModel, "already a constant, an input or another operator's output"},
		{"output never computed", editedModel(fcModel(), func(tm *testModel) { tm.ops = nil }),
			runtime.ErrInvalidModel, `output 0 (tensor 3 "y" float32[1 2]) is never computed`},
		{"constant input", editedModel(fcModel(), func(tm *testModel) { tm.inputs = []int32{1} }),
			runtime.ErrInvalidModel, `input 0 (tensor 0 "x" float32[1 4]) is read before anything writes it`},
		{"nan scale", editedModel(fcModel(), func(tm *testModel) { tm.tensors[0].quant = fbt{2: []float32{float32(math.NaN())}} }),
			runtime.ErrInvalidModel, "quantization: scale 0 is NaN"},
		{"signature tensor", editedModel(fcModel(), func(tm *testModel) {
			tm.sigs = []fbt{{0: []fbt{{0: "in", 1: uint32(1)}}, 2: "serving_default"}}
		}), runtime.ErrInvalidModel, `signature 0 "serving_default": "in" names tensor 1, which is not a subgraph input or output`},
		{"unsupported op", editedModel(fcModel(), func(tm *testModel) { tm.ops[0].builtin = 30 }),
			runtime.ErrUnsupported, "operator 0: SKIP_GRAM (version 1) is not supported"},
		{"custom op", editedModel(fcModel(), func(tm *testModel) { tm.ops[0].builtin, tm.ops[0].custom = 32, "MyOp" }),
			runtime.ErrUnsupported, "operator 0: CUSTOM:MyOp (version 1) is not supported"},
		{"custom op with scratch input", editedModel(fcModel(), func(tm *testModel) {
			tm.ops[0].builtin, tm.ops[0].custom = 32, "ethos-u"
			tm.tensors = append(tm.tensors, testTensor{name: "scratch", typ: tensorInt8, shape: []int32{64}})
			tm.ops[0].ins = append(tm.ops[0].ins, 4)
		}), runtime.ErrUnsupported, "operator 0: CUSTOM:ethos-u (version 1) is not supported by this engine (the model is compiled by Vela"},
		{"unknown builtin", editedModel(fcModel(), func(tm *testModel) { tm.ops[0].builtin = 4000 }),
			runtime.ErrUnsupported, "operator 0: BUILTIN_4000"},
		{"fused tanh", editedModel(fcModel(), func(tm *testModel) { tm.ops[0].opts = fbt{0: uint8(4)} }),
			runtime.ErrUnsupported, "operator 0 (FULLY_CONNECTED): runtime: unsupported: fused activation 4"},
		{"string tensor", editedModel(fcModel(), func(tm *testModel) {
			tm.tensors = append(tm.tensors, testTensor{name: "s", typ: tensorString, shape: []int32{1}})
			tm.inputs = append(tm.inputs, 4)
		}), runtime.ErrUnsupported, "type string has no fixed size"},
		{"shared names", sharedTensors(4096, strings.Repeat("n", 1<<16)), runtime.ErrInvalidModel, "shared vectors or strings expand"},
		{"too many tensors", sharedTensors(maxTensors+1, "t"), runtime.ErrInvalidModel, "16385 tensors, more than the 16384"},
		{"fold bomb", foldBomb(16), runtime.ErrInvalidModel, "folded constants outgrow 4 times"},
		{"misaligned shared buffer", misalignedBomb(4096, 1<<16), runtime.ErrInvalidModel, "shared vectors or strings expand"},
		{"misaligned buffer", misalignedBomb(1, 4), nil, ""},
		{"signature bomb", signatureBomb(2000, 4096), runtime.ErrInvalidModel, "shared vectors or strings expand the 155738-byte file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Load(tc.file)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("Load: %v", err)
				}
				m.Close()
				return
			}
			if err == nil {
				m.Close()
				t.Fatalf("Load succeeded, want an error wrapping %v", tc.want)
			}
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("Load error\n  %v\nwant one wrapping %v containing\n  %s", err, tc.want, tc.msg)
			}
		})
	}
}

// quantTable parses a QuantizationParameters table built from q.
func quantTable(q fbt) (*fbReader, fbTable) {
	r := newFBReader(buildFB("TFL3", q))
	return r, fbRoot(r)
}

func TestParseQuant(t *testing.T) {
	tests := []struct {
		name  string
		q     fbt
		shape []int
		want  *runtime.Quantization
		err   string
	}{
		{"absent scale", fbt{3: []int64{0}}, []int{4}, nil, ""},
		{"per tensor", fbt{2: []float32{0.5}, 3: []int64{-3}}, []int{2, 3},
			&runtime.Quantization{Scale: []float32{0.5}, ZeroPoint: []int64{-3}}, ""},
		{"zero points default to 0", fbt{2: []float32{0.5, 0.25}}, []int{2, 3},
			&runtime.Quantization{Scale: []float32{0.5, 0.25}, ZeroPoint: []int64{0, 0}}, ""},
		{"per channel axis 1", fbt{2: []float32{1, 2, 3}, 3: []int64{0, 0, 0}, 6: int32(1)}, []int{2, 3},
			&runtime.Quantization{Scale: []float32{1, 2, 3}, ZeroPoint: []int64{0, 0, 0}, Axis: 1}, ""},
		// person_detect's 1-D bias tensors carry quantized_dimension 3.
		{"stale axis on 1-D", fbt{2: []float32{1, 2}, 3: []int64{0, 0}, 6: int32(3)}, []int{2},
			&runtime.Quantization{Scale: []float32{1, 2}, ZeroPoint: []int64{0, 0}}, ""},
		{"axis out of range", fbt{2: []float32{1, 2}, 6: int32(2)}, []int{2, 2}, nil, "quantized_dimension 2 out of range for rank 2"},
		{"negative axis", fbt{2: []float32{1, 2}, 6: int32(-1)}, []int{2, 2}, nil, "quantized_dimension -1 out of range"},
		{"scalar per channel", fbt{2: []float32{1, 2}}, nil, nil, "quantized_dimension 0 out of range for rank 0"},
		{"channel count", fbt{2: []float32{1, 2, 3}, 6: int32(0)}, []int{2, 3}, nil, "3 scales for dimension 0 of size 2"},
		{"stale axis, wrong count", fbt{2: []float32{1, 2, 3}, 6: int32(3)}, []int{2}, nil, "3 scales for dimension 0 of size 2"},
		{"zero point count", fbt{2: []float32{1, 2}, 3: []int64{0}}, []int{2}, nil, "2 scales but 1 zero points"},
		{"negative scale", fbt{2: []float32{-1}}, []int{2}, nil, "scale 0 is -1"},
		{"infinite scale", fbt{2: []float32{float32(math.Inf(1))}}, []int{2}, nil, "scale 0 is +Inf"},
		{"custom details", fbt{2: []float32{1}, 4: uint8(1)}, []int{2}, nil, "quantization details of type 1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, q := quantTable(tc.q)
			got, err := parseQuant(r, q, tc.shape)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			gj, _ := json.Marshal(got)
			wj, _ := json.Marshal(tc.want)
			if string(gj) != string(wj) {
				t.Fatalf("got %s, want %s", gj, wj)
			}
		})
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.tflite")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	junk := filepath.Join(dir, "junk.tflite")
	if err := os.WriteFile(junk, []byte("this is not a flatbuffer at all"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path string
		want string
	}{
		{filepath.Join(dir, "missing.tflite"), "no such file"},
		{dir, "not a regular file"},
		{empty, "file is 0 bytes"},
		{junk, "not a TFLite flatbuffer"},
	}
	for _, tc := range tests {
		m, err := Open(tc.path)
		if err == nil {
			m.Close()
			t.Errorf("Open(%s) succeeded", tc.path)
			continue
		}
		if !strings.Contains(err.Error(), tc.path) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Open(%s) = %v, want the path and %q", tc.path, err, tc.want)
		}
		if strings.Count(err.Error(), tc.path) > 1 || strings.Contains(err.Error(), "open open") {
			t.Errorf("Open(%s) = %v: the path or the verb is repeated", tc.path, err)
		}
	}
}

// refModel is the part of a tflite-ref testmodels/*.json description the
// signature test reads.
type refModel struct {
	Subgraphs []struct {
		Tensors []struct {
			Name  string `json:"name"`
			Type  string `json:"type"`
			Shape []int  `json:"shape"`
		} `json:"tensors"`
		Inputs  []int `json:"inputs"`
		Outputs []int `json:"outputs"`
	} `json:"subgraphs"`
	SignatureDefs []struct {
		Key     string `json:"signature_key"`
		Inputs  []refTensorMap
		Outputs []refTensorMap
	} `json:"signature_defs"`
}

type refTensorMap struct {
	Name  string `json:"name"`
	Index int    `json:"tensor_index"`
}

// TestRefModels checks inputs, outputs and signatures of the tflite-ref
// test models against their JSON descriptions. Models whose operators have
// no kernel yet are refused as unsupported by Open and checked after parse.
func TestRefModels(t *testing.T) {
	dir := filepath.Join(sharedtest.Dir(t), "tools", "tflite-ref", "testmodels")
	paths, _ := filepath.Glob(filepath.Join(dir, "*.tflite"))
	if len(paths) == 0 {
		t.Fatalf("no models in %s", dir)
	}
	for _, path := range paths {
		name := strings.TrimSuffix(filepath.Base(path), ".tflite")
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(strings.TrimSuffix(path, ".tflite") + ".json")
			if err != nil {
				t.Fatal(err)
			}
			var ref refModel
			if err := json.Unmarshal(raw, &ref); err != nil {
				t.Fatal(err)
			}
			m, err := Open(path)
			switch {
			case err == nil:
				defer m.Close()
			case errors.Is(err, runtime.ErrUnsupported):
				t.Logf("refused: %v", err)
				if m, err = parseFile(path); err != nil {
					t.Fatal(err)
				}
			default:
				t.Fatal(err)
			}
			sg := ref.Subgraphs[0]
			for dir, c := range map[string]struct {
				got  []runtime.TensorInfo
				want []int
			}{"input": {m.Inputs(), sg.Inputs}, "output": {m.Outputs(), sg.Outputs}} {
				if len(c.got) != len(c.want) {
					t.Fatalf("%d %ss, want %d", len(c.got), dir, len(c.want))
				}
				for i, info := range c.got {
					w := sg.Tensors[c.want[i]]
					if info.Name != w.Name || !strings.EqualFold(info.DType.String(), w.Type) || !equalInts(info.Shape, w.Shape) {
						t.Errorf("%s %d is %v, want %s %s%v", dir, i, info, w.Name, strings.ToLower(w.Type), w.Shape)
					}
				}
			}
			sigs := m.Signatures()
			if len(sigs) != len(ref.SignatureDefs) {
				t.Fatalf("%d signatures, want %d", len(sigs), len(ref.SignatureDefs))
			}
			for i, want := range ref.SignatureDefs {
				got := sigs[i]
				if got.Key != want.Key {
					t.Errorf("signature %d key %q, want %q", i, got.Key, want.Key)
				}
				checkSigMap(t, "input", got.Inputs, want.Inputs, sg.Inputs)
				checkSigMap(t, "output", got.Outputs, want.Outputs, sg.Outputs)
			}
		})
	}
}

// checkSigMap checks that each signature alias maps to the position in the
// subgraph list of the tensor the reference names.
func checkSigMap(t *testing.T, dir string, got map[string]int, want []refTensorMap, list []int) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("signature has %d %ss, want %d", len(got), dir, len(want))
	}
	for _, w := range want {
		pos, ok := got[w.Name]
		if !ok || pos < 0 || pos >= len(list) || list[pos] != w.Index {
			t.Errorf("signature %s %q -> position %d (ok %v), want the position of tensor %d in %v", dir, w.Name, pos, ok, w.Index, list)
		}
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
