package tflite

import (
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"testing"

	"github.com/edgeinfer/edgeinfer/internal/sharedtest"
	"github.com/edgeinfer/edgeinfer/runtime"
)

// flexMapOf encodes a FlexBuffers map of 32-bit scalars (int, float32 or
// bool values) the way a writer would: keys, the key vector, then the map
// with 4-byte slots and one type byte per value, then the root.
func flexMapOf(entries map[string]any) []byte {
	keys := make([]string, 0, len(entries))
	for k := range entries {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	u32 := func(b []byte, v uint32) []byte { return binary.LittleEndian.AppendUint32(b, v) }
	var b []byte
	keyAt := make([]int, len(keys))
	for i, k := range keys {
		keyAt[i] = len(b)
		b = append(append(b, k...), 0)
	}
	b = u32(b, uint32(len(keys)))
	keyVec := len(b)
	for i := range keys {
		b = u32(b, uint32(len(b)-keyAt[i]))
	}
	b = u32(b, uint32(len(b)-keyVec)) // offset to the key vector
	b = u32(b, 4)                     // key width
	b = u32(b, uint32(len(keys)))
	values := len(b)
	var types []byte
	for _, k := range keys {
		switch v := entries[k].(type) {
		case int:
			b, types = u32(b, uint32(int32(v))), append(types, byte(flexInt)<<2|2)
		case float32:
			b, types = u32(b, math.Float32bits(v)), append(types, byte(flexFloat)<<2|2)
		case bool:
			x := uint32(0)
			if v {
				x = 1
			}
			b, types = u32(b, x), append(types, byte(flexBool)<<2|2)
		default:
			panic("flexMapOf: unsupported value")
		}
	}
	b = append(b, types...)
	root := len(b)
	return append(u32(b, uint32(root-values)), byte(flexMap)<<2|2, 4)
}

// ssdOptions are options like the SSD model's, with 2 classes.
func ssdOptions() map[string]any {
	return map[string]any{
		"max_detections": 3, "max_classes_per_detection": 1, "num_classes": 2,
		"nms_score_threshold": float32(1e-8), "nms_iou_threshold": float32(0.6),
		"y_scale": float32(10), "x_scale": float32(10), "h_scale": float32(5), "w_scale": float32(5),
		"_output_quantized": true,
	}
}

func TestParseDetectionOptions(t *testing.T) {
	opts := ssdOptions()
	opts["use_regular_nms"] = true
	opts["detections_per_class"] = 7
	got, err := parseDetectionOptions(flexMapOf(opts))
	if err != nil {
		t.Fatal(err)
	}
	want := detectionOptions{
		maxDetections: 3, maxClassesPerDetection: 1, detectionsPerClass: 7, useRegularNMS: true,
		scoreThreshold: 1e-8, iouThreshold: 0.6, numClasses: 2, scales: [4]float32{10, 10, 5, 5},
	}
	if got != want {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
	// Integers given as floats convert, as in FlexBuffers' AsInt32.
	opts["max_detections"] = float32(4)
	if got, err := parseDetectionOptions(flexMapOf(opts)); err != nil || got.maxDetections != 4 {
		t.Errorf("float max_detections: %d, %v", got.maxDetections, err)
	}
	if _, err := parseDetectionOptions([]byte{0x79, 0x04, 1}); err == nil {
		t.Error("an int root was accepted as options")
	}
}

// detInputs are the float values of one detection test: 3 anchors, 2
// classes plus background. Anchors 0 and 1 overlap (IoU 0.036/0.044 =
// 0.82 after decoding); anchor 2 lies apart and is shifted by ty = 1.
var detInputs = struct{ enc, scores, anchors []float32 }{
	enc: []float32{
		0, 0, 0, 0,
		0, 0, 0, 0,
		1, 0, 0, 0,
	},
	// Multiples of 1/256, so uint8 scores with scale 1/256 are exact.
	scores: []float32{
		0, 200.0 / 256, 10.0 / 256,
		0, 100.0 / 256, 150.0 / 256,
		0, 50.0 / 256, 120.0 / 256,
	},
	anchors: []float32{
		0.5, 0.5, 0.2, 0.2,
		0.52, 0.5, 0.2, 0.2,
		0.2, 0.2, 0.1, 0.1,
	},
}

// quantize returns t holding vals as dtype: float32 bytes, or q = v/scale +
// zero rounded, with the quantization recorded.
func quantize(t *tensor, vals []float32, dtype runtime.DType, scale float32, zero int64) []byte {
	t.dtype = dtype
	if dtype == runtime.Float32 {
		b := make([]byte, 4*len(vals))
		copy(f32(b), vals)
		return b
	}
	t.quant = &runtime.Quantization{Scale: []float32{scale}, ZeroPoint: []int64{zero}}
	b := make([]byte, len(vals))
	for i, v := range vals {
		q := int64(math.Round(float64(v/scale))) + zero
		if dtype == runtime.Int8 {
			b[i] = byte(int8(q))
		} else {
			b[i] = byte(uint8(q))
		}
	}
	return b
}

// detectionModel builds a model holding one detection operator with the
// given input types; it returns the model, the node and the input bytes.
func detectionModel(opts map[string]any, dtype runtime.DType) (*Model, *node, [][]byte) {
	m := &Model{}
	shapes := [][]int{{1, 3, 4}, {1, 3, 3}, {3, 4}, nil, nil, nil, nil}
	for i, s := range shapes {
		m.tensors = append(m.tensors, &tensor{index: i, dtype: runtime.Float32, shape: s})
	}
	// Zero points: uint8 mid-range, int8 shifted by 128, as converters do.
	zero := func(u int64) int64 {
		if dtype == runtime.Int8 {
			return u - 128
		}
		return u
	}
	ins := [][]byte{
		quantize(m.tensors[0], detInputs.enc, dtype, 0.5, zero(128)),
		quantize(m.tensors[1], detInputs.scores, dtype, 1.0/256, zero(0)),
		quantize(m.tensors[2], detInputs.anchors, dtype, 0.01, zero(0)),
	}
	m.tensors[2].data = ins[2]
	n := &node{name: detectionOpName, inputs: []int{0, 1, 2}, outputs: []int{3, 4, 5, 6}, custom: flexMapOf(opts)}
	m.nodes = []*node{n}
	return m, n, ins
}

// decodeRef decodes one box from the test's float inputs in float64.
func decodeRef(i int) []float32 {
	e, a := detInputs.enc[4*i:4*i+4], detInputs.anchors[4*i:4*i+4]
	yc := float64(e[0])/10*float64(a[2]) + float64(a[0])
	xc := float64(e[1])/10*float64(a[3]) + float64(a[1])
	hh := 0.5 * math.Exp(float64(e[2])/5) * float64(a[2])
	hw := 0.5 * math.Exp(float64(e[3])/5) * float64(a[3])
	return []float32{float32(yc - hh), float32(xc - hw), float32(yc + hh), float32(xc + hw)}
}

func TestDetectionOp(t *testing.T) {
	type row struct {
		anchor       int // -1: zero row
		class, score float32
	}
	fastRows := []row{{0, 0, 200.0 / 256}, {2, 1, 120.0 / 256}, {-1, 0, 0}}
	regular := ssdOptions()
	regular["use_regular_nms"] = true
	// Regular: class 0 keeps anchor 0 (200) over 1 (100, suppressed) and
	// 2 (50); class 1 keeps 1 (150) over 0 (10, suppressed) and 2 (120).
	regularRows := []row{{0, 0, 200.0 / 256}, {1, 1, 150.0 / 256}, {2, 1, 120.0 / 256}}
	tests := []struct {
		name  string
		opts  map[string]any
		dtype runtime.DType
		count float32
		rows  []row
	}{
		{"fast float32", ssdOptions(), runtime.Float32, 2, fastRows},
		{"fast uint8", ssdOptions(), runtime.UInt8, 2, fastRows},
		{"fast int8", ssdOptions(), runtime.Int8, 2, fastRows},
		{"regular float32", regular, runtime.Float32, 3, regularRows},
		{"regular uint8", regular, runtime.UInt8, 3, regularRows},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, n, ins := detectionModel(tc.opts, tc.dtype)
			k, err := prepareDetection(&opCtx{m: m, n: n})
			if err != nil {
				t.Fatal(err)
			}
			for i, want := range [][]int{{1, 3, 4}, {1, 3}, {1, 3}, {1}} {
				if got := m.tensors[n.outputs[i]].shape; !slices.Equal(got, want) {
					t.Fatalf("output %d shape %v, want %v", i, got, want)
				}
			}
			outs := [][]byte{make([]byte, 48), make([]byte, 12), make([]byte, 12), make([]byte, 4)}
			st := k.bind(&binding{ins: ins, outs: outs})
			if err := st(); err != nil {
				t.Fatal(err)
			}
			boxes, classes, scores := f32(outs[0]), f32(outs[1]), f32(outs[2])
			if got := f32(outs[3])[0]; got != tc.count {
				t.Errorf("count %v, want %v", got, tc.count)
			}
			for r, w := range tc.rows {
				wantBox := []float32{0, 0, 0, 0}
				if w.anchor >= 0 {
					wantBox = decodeRef(w.anchor)
				}
				for j := range 4 {
					if math.Abs(float64(boxes[4*r+j]-wantBox[j])) > 1e-5 {
						t.Errorf("row %d box %v, want %v", r, boxes[4*r:4*r+4], wantBox)
						break
					}
				}
				if classes[r] != w.class || scores[r] != w.score {
					t.Errorf("row %d class %v score %v, want %v %v", r, classes[r], scores[r], w.class, w.score)
				}
			}
			if allocs := testing.AllocsPerRun(10, func() { _ = st() }); allocs != 0 {
				t.Errorf("%v allocations per step", allocs)
			}
		})
	}
}

func TestDetectionOpRejects(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(m *Model, n *node)
		target error
	}{
		{"no custom options", func(m *Model, n *node) { n.custom = nil }, runtime.ErrInvalidModel},
		{"iou threshold 0", func(m *Model, n *node) {
			o := ssdOptions()
			o["nms_iou_threshold"] = float32(0)
			n.custom = flexMapOf(o)
		}, runtime.ErrInvalidModel},
		{"zero classes per detection", func(m *Model, n *node) {
			o := ssdOptions()
			o["max_classes_per_detection"] = 0
			n.custom = flexMapOf(o)
		}, runtime.ErrInvalidModel},
		{"num_classes too small for the scores", func(m *Model, n *node) {
			o := ssdOptions()
			o["num_classes"] = 1
			n.custom = flexMapOf(o)
		}, runtime.ErrInvalidModel},
		{"huge output", func(m *Model, n *node) {
			o := ssdOptions()
			o["max_detections"] = math.MaxInt32
			o["max_classes_per_detection"] = math.MaxInt32
			n.custom = flexMapOf(o)
		}, runtime.ErrUnsupported},
		{"anchors of the wrong count", func(m *Model, n *node) {
			m.tensors[2].shape = []int{2, 4}
		}, runtime.ErrInvalidModel},
		{"encodings too short", func(m *Model, n *node) {
			m.tensors[0].shape = []int{1, 3, 3}
		}, runtime.ErrInvalidModel},
		{"negative anchor size", func(m *Model, n *node) {
			f32(m.tensors[2].data)[2] = -1
		}, runtime.ErrInvalidModel},
		{"scores too large to dequantize", func(m *Model, n *node) {
			m.tensors[1].dtype = runtime.UInt8
			m.tensors[1].shape = []int{1, 3, 1 << 28}
			o := ssdOptions()
			o["num_classes"] = 1<<28 - 1
			n.custom = flexMapOf(o)
		}, runtime.ErrUnsupported},
		{"int32 scores", func(m *Model, n *node) { m.tensors[1].dtype = runtime.Int32 }, runtime.ErrUnsupported},
		{"int64 outputs", func(m *Model, n *node) { m.tensors[3].dtype = runtime.Int64 }, runtime.ErrUnsupported},
		{"missing output", func(m *Model, n *node) { n.outputs = n.outputs[:3] }, runtime.ErrInvalidModel},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, n, _ := detectionModel(ssdOptions(), runtime.Float32)
			tc.edit(m, n)
			_, err := prepareDetection(&opCtx{m: m, n: n})
			if !errors.Is(err, tc.target) {
				t.Errorf("error %v, want %v", err, tc.target)
			}
		})
	}
}

// ssdDetection prepares the SSD model's own detection operator (its real
// options, quantized inputs and constant anchors) on its own, since the
// operators before it may not be available.
func ssdDetection(tb testing.TB) (*Model, *node, kernel) {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join(sharedtest.Dir(tb), "conformance", ssdModel, "model.tflite"))
	if err != nil {
		tb.Fatal(err)
	}
	m, err := parse(b)
	if err != nil {
		tb.Fatal(err)
	}
	for _, n := range m.nodes {
		if n.name == detectionOpName {
			k, err := prepareDetection(&opCtx{m: m, n: n})
			if err != nil {
				tb.Fatalf("prepare: %v", err)
			}
			return m, n, k
		}
	}
	tb.Fatalf("%s has no %s", ssdModel, detectionOpName)
	return nil, nil, nil
}

// ssdInputs returns random uint8 box encodings and class scores for the
// SSD operator (xorshift32, fixed seed), and empty outputs.
func ssdInputs(m *Model, n *node, seed uint32) (ins, outs [][]byte) {
	x := seed
	rnd := func() byte {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		return byte(x >> 24)
	}
	for i, t := range n.inputs {
		tt := m.tensors[t]
		if tt.isConst() {
			ins = append(ins, tt.data)
			continue
		}
		b := make([]byte, tt.byteSize())
		for j := range b {
			b[j] = rnd()
			if i == 0 {
				// Encodings within ±8 steps of the zero point keep boxes
				// near their anchors, so many overlap.
				b[j] = byte(int(tt.zeroPoint()) + int(b[j]%17) - 8)
			}
		}
		ins = append(ins, b)
	}
	for _, t := range n.outputs {
		outs = append(outs, make([]byte, m.tensors[t].byteSize()))
	}
	return ins, outs
}

// naiveFastNMS is the fast path written plainly: dequantize, decode each
// box, take each anchor's first best class, sort stably by score, then
// keep boxes greedily that overlap no kept box by more than the threshold.
func naiveFastNMS(m *Model, n *node, ins [][]byte, o detectionOptions) (boxes [][4]float32, classes []int, scores []float32) {
	enc, cls, anc := m.tensors[n.inputs[0]], m.tensors[n.inputs[1]], m.tensors[n.inputs[2]]
	deq := func(t *tensor, q byte) float32 { return float32(int32(q)-t.zeroPoint()) * t.scale() }
	numBoxes, depth := enc.shape[1], cls.shape[2]
	decoded := make([][4]float32, numBoxes)
	for i := range decoded {
		e := func(j int) float64 { return float64(deq(enc, ins[0][4*i+j])) }
		a := func(j int) float64 { return float64(deq(anc, ins[2][4*i+j])) }
		yc := float32(float64(e(0)/float64(o.scales[0])*a(2)) + a(0))
		xc := float32(float64(e(1)/float64(o.scales[1])*a(3)) + a(1))
		hh := float32(0.5 * math.Exp(e(2)/float64(o.scales[2])) * a(2))
		hw := float32(0.5 * math.Exp(e(3)/float64(o.scales[3])) * a(3))
		decoded[i] = [4]float32{yc - hh, xc - hw, yc + hh, xc + hw}
	}
	best := make([]int, numBoxes)
	var order []int
	for i := range best {
		for c := 1; c < depth-1; c++ {
			if ins[1][i*depth+1+c] > ins[1][i*depth+1+best[i]] {
				best[i] = c
			}
		}
		if deq(cls, ins[1][i*depth+1+best[i]]) >= o.scoreThreshold {
			order = append(order, i)
		}
	}
	score := func(i int) float32 { return deq(cls, ins[1][i*depth+1+best[i]]) }
	sort.SliceStable(order, func(a, b int) bool { return score(order[a]) > score(order[b]) })
	iou := func(a, b [4]float32) float32 {
		// float32() conversions round each product, as C++ does.
		areaA, areaB := float32((a[2]-a[0])*(a[3]-a[1])), float32((b[2]-b[0])*(b[3]-b[1]))
		if areaA <= 0 || areaB <= 0 {
			return 0
		}
		ih := max(min(a[2], b[2])-max(a[0], b[0]), 0)
		iw := max(min(a[3], b[3])-max(a[1], b[1]), 0)
		inter := float32(ih * iw)
		return inter / (areaA + areaB - inter)
	}
	var kept []int
	for _, i := range order {
		if len(kept) == o.maxDetections {
			break
		}
		ok := true
		for _, k := range kept {
			if iou(decoded[k], decoded[i]) > o.iouThreshold {
				ok = false
				break
			}
		}
		if ok {
			kept = append(kept, i)
			boxes = append(boxes, decoded[i])
			classes = append(classes, best[i])
			scores = append(scores, score(i))
		}
	}
	return boxes, classes, scores
}

func TestDetectionOpOnSSDModel(t *testing.T) {
	m, n, k := ssdDetection(t)
	for i, want := range [][]int{{1, 10, 4}, {1, 10}, {1, 10}, {1}} {
		if got := m.tensors[n.outputs[i]].shape; !slices.Equal(got, want) {
			t.Fatalf("output %d shape %v, want %v", i, got, want)
		}
	}
	o, err := parseDetectionOptions(n.custom)
	if err != nil {
		t.Fatal(err)
	}
	for seed := uint32(1); seed <= 5; seed++ {
		ins, outs := ssdInputs(m, n, seed)
		if err := k.bind(&binding{ins: ins, outs: outs})(); err != nil {
			t.Fatal(err)
		}
		wantBoxes, wantClasses, wantScores := naiveFastNMS(m, n, ins, o)
		t.Logf("seed %d: %d detections, best score %v", seed, len(wantBoxes), wantScores[0])
		boxes, classes, scores := f32(outs[0]), f32(outs[1]), f32(outs[2])
		if got := f32(outs[3])[0]; int(got) != len(wantBoxes) {
			t.Fatalf("seed %d: count %v, want %d", seed, got, len(wantBoxes))
		}
		for r := range wantBoxes {
			if [4]float32(boxes[4*r:4*r+4]) != wantBoxes[r] || int(classes[r]) != wantClasses[r] || scores[r] != wantScores[r] {
				t.Errorf("seed %d row %d: %v class %v score %v; want %v %d %v", seed, r,
					boxes[4*r:4*r+4], classes[r], scores[r], wantBoxes[r], wantClasses[r], wantScores[r])
			}
		}
	}
}

func BenchmarkDetectionSSD(b *testing.B) {
	m, n, k := ssdDetection(b)
	ins, outs := ssdInputs(m, n, 1)
	st := k.bind(&binding{ins: ins, outs: outs})
	b.ReportAllocs()
	for b.Loop() {
		if err := st(); err != nil {
			b.Fatal(err)
		}
	}
}
