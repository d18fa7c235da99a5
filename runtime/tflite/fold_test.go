package tflite

import (
	"encoding/binary"
	"math"
	"slices"
	"testing"
)

func u16bytes(v ...uint16) []byte {
	b := make([]byte, 0, 2*len(v))
	for _, x := range v {
		b = binary.LittleEndian.AppendUint16(b, x)
	}
	return b
}

// dequantModel feeds FC's weights through DEQUANTIZE of a constant.
func dequantModel(typ int8, data []byte, quant fbt) testModel {
	tm := fcModel()
	tm.tensors[1].data = nil
	tm.tensors = append(tm.tensors, testTensor{name: "wq", typ: typ, shape: []int32{2, 4}, data: data, quant: quant})
	tm.ops = append([]testOp{{builtin: 6, ins: []int32{4}, outs: []int32{1}}}, tm.ops...)
	return tm
}

func TestFoldDequantize(t *testing.T) {
	inf, nan := float32(math.Inf(1)), float32(math.NaN())
	tests := []struct {
		name string
		tm   testModel
		want []float32
	}{
		{"float16", dequantModel(tensorFloat16, u16bytes(0x3c00, 0xc000, 0x0001, 0x03ff, 0x7bff, 0x7c00, 0xfc00, 0x7e00), nil),
			[]float32{1, -2, 0x1p-24, 0x3ffp-24, 65504, inf, float32(math.Inf(-1)), nan}},
		{"int8 per tensor", dequantModel(tensorInt8, []byte{2, 4, 0xfe, 0x80, 0, 1, 127, 0xff}, fbt{2: []float32{0.5}, 3: []int64{1}}),
			[]float32{0.5, 1.5, -1.5, -64.5, -0.5, 0, 63, -1}},
		{"int8 per channel axis 0", dequantModel(tensorInt8, []byte{1, 2, 3, 4, 1, 2, 3, 4}, fbt{2: []float32{1, 0.25}, 3: []int64{0, 2}, 6: int32(0)}),
			[]float32{1, 2, 3, 4, -0.25, 0, 0.25, 0.5}},
		{"int8 per channel axis 1", dequantModel(tensorInt8, []byte{1, 1, 1, 1, 2, 2, 2, 2}, fbt{2: []float32{1, 2, 4, 8}, 3: []int64{0, 0, 0, 0}, 6: int32(1)}),
			[]float32{1, 2, 4, 8, 2, 4, 8, 16}},
		{"uint8", dequantModel(3, []byte{0, 128, 255, 129, 127, 1, 2, 3}, fbt{2: []float32{0.5}, 3: []int64{128}}),
			[]float32{-64, 0, 63.5, 0.5, -0.5, -63.5, -63, -62.5}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := mustParse(t, tc.tm.bytes())
			if err := m.foldConstants(); err != nil {
				t.Fatal(err)
			}
			if len(m.nodes) != 1 || m.nodes[0].name != "FULLY_CONNECTED" {
				t.Fatalf("after folding the nodes are %v, want only FULLY_CONNECTED", m.nodes)
			}
			got := f32(m.tensors[1].data)
			if !slices.EqualFunc(got, tc.want, func(a, b float32) bool { return math.Float32bits(a) == math.Float32bits(b) || a != a && b != b }) {
				t.Fatalf("folded weights %v, want %v", got, tc.want)
			}
			if len(m.tensors[1].data) != 4*len(tc.want) {
				t.Fatalf("folded tensor has %d bytes", len(m.tensors[1].data))
			}
		})
	}
}

// TestFoldKeeps checks the DEQUANTIZE operators that must stay: a run-time
// input, a graph output, and a constant with no quantization.
func TestFoldKeeps(t *testing.T) {
	runtimeInput := testModel{
		tensors: []testTensor{{name: "x16", typ: tensorFloat16, shape: []int32{4}}, {name: "y", typ: tensorFloat32, shape: []int32{4}}},
		inputs:  []int32{0}, outputs: []int32{1},
		ops: []testOp{{builtin: 6, ins: []int32{0}, outs: []int32{1}}},
	}
	graphOutput := testModel{
		tensors: []testTensor{{name: "x", typ: tensorFloat32, shape: []int32{1}}, {name: "c16", typ: tensorFloat16, shape: []int32{2}, data: u16bytes(0x3c00, 0)},
			{name: "y", typ: tensorFloat32, shape: []int32{2}}},
		inputs: []int32{0}, outputs: []int32{2},
		ops: []testOp{{builtin: 6, ins: []int32{1}, outs: []int32{2}}},
	}
	for name, tm := range map[string]testModel{"run-time input": runtimeInput, "graph output": graphOutput} {
		m := mustParse(t, tm.bytes())
		if err := m.foldConstants(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(m.nodes) != 1 {
			t.Errorf("%s: DEQUANTIZE was folded", name)
		}
	}
	m := mustParse(t, dequantModel(tensorInt8, make([]byte, 8), nil).bytes())
	if err := m.foldConstants(); err == nil {
		t.Error("an int8 constant without quantization was folded")
	}
}
