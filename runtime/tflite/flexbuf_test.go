package tflite

import (
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/edgeinfer/edgeinfer/internal/sharedtest"
)

// ssdModel is the conformance model whose TFLite_Detection_PostProcess
// options seed the FlexBuffers tests.
const ssdModel = "tfls_coco_ssd_mobilenet_v1_quant"

// detectionCustomOptions returns the custom_options bytes of the first
// TFLite_Detection_PostProcess operator of the shared SSD model, read with
// the model parser.
func detectionCustomOptions(tb testing.TB) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join(sharedtest.Dir(tb), "conformance", ssdModel, "model.tflite"))
	if err != nil {
		tb.Fatal(err)
	}
	m, err := parse(b)
	if err != nil {
		tb.Fatalf("parse %s: %v", ssdModel, err)
	}
	for _, n := range m.nodes {
		if n.name == detectionOpName {
			return n.custom
		}
	}
	tb.Fatalf("%s has no %s operator", ssdModel, detectionOpName)
	return nil
}

// f32le is the little-endian encoding of a float32.
func f32le(f float32) []byte {
	u := math.Float32bits(f)
	return []byte{byte(u), byte(u >> 8), byte(u >> 16), byte(u >> 24)}
}

func cat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// smallMap is {"a": int 1, "b": float 2.5, "c": "hi"} built by hand: keys,
// the string, the key vector, then the map with 4-byte slots.
func smallMap() []byte {
	return cat(
		[]byte{'a', 0, 'b', 0, 'c', 0}, // keys at 0, 2, 4
		[]byte{2, 'h', 'i', 0},         // string "hi": size at 6, data at 7
		[]byte{3, 11, 10, 9},           // key vector: size at 10, elements at 11..13 point at 0, 2, 4
		[]byte{3, 0, 0, 0},             // 14: offset to the key vector (14-11)
		[]byte{1, 0, 0, 0},             // 18: key width
		[]byte{3, 0, 0, 0},             // 22: value count
		[]byte{1, 0, 0, 0},             // 26: "a" = 1
		f32le(2.5),                     // 30: "b" = 2.5
		[]byte{27, 0, 0, 0},            // 34: "c" -> string at 7 (34-7)
		[]byte{0x06, 0x0e, 0x14},       // 38..40: int, float, string(8-bit size)
		[]byte{15, 0x26, 1},            // root at 41: map at 26 (41-15), 32-bit slots
	)
}

func TestFlexScalars(t *testing.T) {
	tests := []struct {
		name    string
		buf     []byte
		typ     flexType
		i       int64
		f       float64
		boolean bool
		s       string
	}{
		{"int8", []byte{0x79, 0x04, 1}, flexInt, 121, 121, true, ""},
		{"negative int16", []byte{0xfe, 0xff, 0x05, 2}, flexInt, -2, -2, true, ""},
		{"uint8", []byte{0xff, 0x08, 1}, flexUint, 255, 255, true, ""},
		{"float32", cat(f32le(1.5), []byte{0x0e, 4}), flexFloat, 1, 1.5, true, ""},
		{"float64", cat([]byte{0, 0, 0, 0, 0, 0, 0xf8, 0xbf}, []byte{0x0f, 8}), flexFloat, -1, -1.5, true, ""},
		{"bool true", []byte{1, 0x68, 1}, flexBool, 1, 1, true, ""},
		{"bool false", []byte{0, 0x68, 1}, flexBool, 0, 0, false, ""},
		{"indirect int", []byte{0x85, 1, 0x18, 1}, flexIndirectInt, -123, -123, true, ""},
		{"indirect float", cat(f32le(0.25), []byte{4, 0x22, 1}), flexIndirectFloat, 0, 0.25, true, ""},
		{"string", []byte{2, 'h', 'i', 0, 3, 0x14, 1}, flexString, 0, 0, false, "hi"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := flexRoot(tc.buf)
			if err != nil {
				t.Fatal(err)
			}
			if v.typ != tc.typ {
				t.Fatalf("type %s, want %s", v.typ, tc.typ)
			}
			if tc.typ == flexString {
				s, err := v.asString()
				if err != nil || s != tc.s {
					t.Fatalf("asString = %q, %v; want %q", s, err, tc.s)
				}
				if _, err := v.asInt(); err == nil {
					t.Error("asInt of a string succeeded")
				}
				return
			}
			if i, err := v.asInt(); err != nil || i != tc.i {
				t.Errorf("asInt = %d, %v; want %d", i, err, tc.i)
			}
			if f, err := v.asFloat(); err != nil || f != tc.f {
				t.Errorf("asFloat = %v, %v; want %v", f, err, tc.f)
			}
			if b, err := v.asBool(); err != nil || b != tc.boolean {
				t.Errorf("asBool = %v, %v; want %v", b, err, tc.boolean)
			}
			if _, err := v.asMap(); err == nil {
				t.Error("asMap of a scalar succeeded")
			}
		})
	}
}

func TestFlexMap(t *testing.T) {
	v, err := flexRoot(smallMap())
	if err != nil {
		t.Fatal(err)
	}
	m, err := v.asMap()
	if err != nil {
		t.Fatal(err)
	}
	if m.len() != 3 {
		t.Fatalf("len %d, want 3", m.len())
	}
	for i, want := range []string{"a", "b", "c"} {
		if k, err := m.key(i); err != nil || k != want {
			t.Errorf("key %d = %q, %v; want %q", i, k, err, want)
		}
	}
	a, _ := m.get("a")
	if i, err := a.asInt(); err != nil || i != 1 {
		t.Errorf("a = %d, %v; want 1", i, err)
	}
	b, _ := m.get("b")
	if f, err := b.asFloat(); err != nil || f != 2.5 {
		t.Errorf("b = %v, %v; want 2.5", f, err)
	}
	c, _ := m.get("c")
	if s, err := c.asString(); err != nil || s != "hi" {
		t.Errorf("c = %q, %v; want hi", s, err)
	}
	if d, err := m.get("d"); err != nil || !d.isNull() {
		t.Errorf("missing key: %+v, %v; want null", d, err)
	}
}

func TestFlexVectors(t *testing.T) {
	tests := []struct {
		name string
		buf  []byte
		want []float64
	}{
		// Typed int vector [1, -2, 3]: size at 0, elements at 1..3, root slot at 4.
		{"int vector", []byte{3, 1, 0xfe, 3, 3, 0x2c, 1}, []float64{1, -2, 3}},
		// Fixed float pair (no size) of 32-bit floats.
		{"float2", cat(f32le(0.5), f32le(-4), []byte{8, 0x4a, 1}), []float64{0.5, -4}},
		// Untyped [int 7, float 1.25] with 4-byte slots and two type bytes.
		{"untyped", cat([]byte{2, 0, 0, 0, 7, 0, 0, 0}, f32le(1.25), []byte{0x06, 0x0e, 10, 0x2a, 1}), []float64{7, 1.25}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := flexRoot(tc.buf)
			if err != nil {
				t.Fatal(err)
			}
			vec, err := v.asVector()
			if err != nil {
				t.Fatal(err)
			}
			if vec.len() != len(tc.want) {
				t.Fatalf("len %d, want %d", vec.len(), len(tc.want))
			}
			for i, w := range tc.want {
				e, err := vec.at(i)
				if err != nil {
					t.Fatal(err)
				}
				if f, err := e.asFloat(); err != nil || f != w {
					t.Errorf("element %d = %v, %v; want %v", i, f, err, w)
				}
			}
			if _, err := vec.at(len(tc.want)); err == nil {
				t.Error("element past the end succeeded")
			}
		})
	}
}

func TestFlexHostile(t *testing.T) {
	tests := []struct {
		name string
		buf  []byte
	}{
		{"empty", nil},
		{"short", []byte{0x04, 1}},
		{"bad root width", []byte{1, 0x04, 3}},
		{"root wider than buffer", []byte{0, 0x04, 8}},
		{"offset before buffer", []byte{2, 'h', 'i', 0, 9, 0x14, 1}},
		{"string longer than buffer", []byte{200, 'h', 'i', 0, 3, 0x14, 1}},
		{"vector longer than buffer", []byte{200, 1, 2, 3, 3, 0x2c, 1}},
		{"map key width", func() []byte { b := smallMap(); b[18] = 3; return b }()},
		{"map keys before buffer", func() []byte { b := smallMap(); b[14] = 100; return b }()},
		{"map key count", func() []byte { b := smallMap(); b[10] = 2; return b }()},
		{"key without terminator", []byte{'a', 'b', 2, 0x10, 1}},
		{"float of one byte", []byte{1, 0x0c, 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := flexWalk(tc.buf); err == nil {
				t.Errorf("% x read without error", tc.buf)
			}
		})
	}
}

// flexWalk reads every value reachable from the root (to a small depth),
// returning the first error.
func flexWalk(b []byte) error {
	v, err := flexRoot(b)
	if err != nil {
		return err
	}
	return flexWalkValue(v, 0)
}

func flexWalkValue(v flexValue, depth int) error {
	if depth > 4 {
		return nil
	}
	switch {
	case v.typ == flexMap:
		m, err := v.asMap()
		if err != nil {
			return err
		}
		for i := 0; i < m.len(); i++ {
			k, err := m.key(i)
			if err != nil {
				return err
			}
			e, err := m.get(k)
			if err != nil {
				return err
			}
			if err := flexWalkValue(e, depth+1); err != nil {
				return err
			}
		}
		return nil
	case v.typ.isVector():
		vec, err := v.asVector()
		if err != nil {
			return err
		}
		for i := 0; i < vec.len(); i++ {
			e, err := vec.at(i)
			if err != nil {
				return err
			}
			if err := flexWalkValue(e, depth+1); err != nil {
				return err
			}
		}
		return nil
	case v.typ == flexKey || v.typ == flexString || v.typ == flexBlob:
		_, err := v.asString()
		return err
	case v.typ == flexNull:
		return nil
	}
	_, err := v.asFloat()
	if _, ierr := v.asInt(); err == nil {
		err = ierr
	}
	if _, berr := v.asBool(); err == nil {
		err = berr
	}
	return err
}

func TestFlexDetectionOptions(t *testing.T) {
	if err := flexWalk(smallMap()); err != nil {
		t.Fatalf("hand-built map: %v", err)
	}
	raw := detectionCustomOptions(t)
	if err := flexWalk(raw); err != nil {
		t.Fatalf("custom options of %s: %v", ssdModel, err)
	}
	got, err := parseDetectionOptions(raw)
	if err != nil {
		t.Fatal(err)
	}
	want := detectionOptions{
		maxDetections: 10, maxClassesPerDetection: 1, detectionsPerClass: 100,
		scoreThreshold: 1e-8, iouThreshold: 0.6, numClasses: 90,
		scales: [4]float32{10, 10, 5, 5},
	}
	if got != want {
		t.Errorf("options\n got %+v\nwant %+v", got, want)
	}
	// Every truncation (the root moves) must be an error or a clean read.
	for n := range raw {
		_ = flexWalk(raw[:n])
		_, _ = parseDetectionOptions(raw[:n])
	}
}

func FuzzFlexbuffer(f *testing.F) {
	f.Add(detectionCustomOptions(f))
	f.Add(smallMap())
	f.Add([]byte{3, 1, 0xfe, 3, 3, 0x2c, 1})
	f.Add(cat([]byte{2, 0, 0, 0, 7, 0, 0, 0}, f32le(1.25), []byte{0x06, 0x0e, 10, 0x2a, 1}))
	f.Fuzz(func(t *testing.T, b []byte) {
		_ = flexWalk(b)
		_, _ = parseDetectionOptions(b)
	})
}
