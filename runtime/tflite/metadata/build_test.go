package metadata

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"math"
	"sort"
	"testing"
)

// tbl is a FlatBuffers table for tests: slot -> value. Values are uint8,
// uint32, float32, uint64 (inline scalars) and string, []byte, []float32,
// []int32, tbl and []tbl (referenced objects). The layout is front to
// back: a table's vtable, the table, then the objects it refers to.
type tbl map[int]any

func buildFB(ident string, root tbl) []byte {
	w := &fbWriter{b: make([]byte, 8)}
	copy(w.b[4:8], ident)
	binary.LittleEndian.PutUint32(w.b, uint32(w.table(root)))
	return w.b
}

type fbWriter struct{ b []byte }

func (w *fbWriter) align(n int) {
	for len(w.b)%n != 0 {
		w.b = append(w.b, 0)
	}
}

func (w *fbWriter) u32(v uint32) { w.b = binary.LittleEndian.AppendUint32(w.b, v) }

func (w *fbWriter) table(t tbl) int {
	slots := make([]int, 0, len(t))
	nslots := 0
	for s := range t {
		slots = append(slots, s)
		nslots = max(nslots, s+1)
	}
	sort.Ints(slots)
	w.align(2)
	vt := len(w.b)
	w.b = append(w.b, make([]byte, 4+2*nslots)...)
	w.align(8)
	pos := len(w.b)
	w.u32(uint32(pos - vt))
	refs := map[int]any{}
	for _, s := range slots {
		switch v := t[s].(type) {
		case uint8:
			binary.LittleEndian.PutUint16(w.b[vt+4+2*s:], uint16(len(w.b)-pos))
			w.b = append(w.b, v)
			continue
		case uint64:
			w.align(8)
			binary.LittleEndian.PutUint16(w.b[vt+4+2*s:], uint16(len(w.b)-pos))
			w.b = binary.LittleEndian.AppendUint64(w.b, v)
			continue
		}
		w.align(4)
		binary.LittleEndian.PutUint16(w.b[vt+4+2*s:], uint16(len(w.b)-pos))
		switch v := t[s].(type) {
		case uint32:
			w.u32(v)
		case float32:
			w.u32(math.Float32bits(v))
		default:
			refs[len(w.b)] = v
			w.u32(0)
		}
	}
	binary.LittleEndian.PutUint16(w.b[vt:], uint16(4+2*nslots))
	binary.LittleEndian.PutUint16(w.b[vt+2:], uint16(len(w.b)-pos))
	at := make([]int, 0, len(refs))
	for a := range refs {
		at = append(at, a)
	}
	sort.Ints(at)
	for _, a := range at {
		p := w.object(refs[a])
		binary.LittleEndian.PutUint32(w.b[a:], uint32(p-a))
	}
	return pos
}

func (w *fbWriter) object(v any) int {
	if t, ok := v.(tbl); ok {
		return w.table(t)
	}
	w.align(4)
	p := len(w.b)
	switch x := v.(type) {
	case string:
		w.u32(uint32(len(x)))
		w.b = append(append(w.b, x...), 0)
	case []byte:
		w.u32(uint32(len(x)))
		w.b = append(w.b, x...)
	case []float32:
		w.u32(uint32(len(x)))
		for _, e := range x {
			w.u32(math.Float32bits(e))
		}
	case []int32:
		w.u32(uint32(len(x)))
		for _, e := range x {
			w.u32(uint32(e))
		}
	case []tbl:
		w.u32(uint32(len(x)))
		slots := len(w.b)
		w.b = append(w.b, make([]byte, 4*len(x))...)
		for i, t := range x {
			q := w.table(t)
			binary.LittleEndian.PutUint32(w.b[slots+4*i:], uint32(q-(slots+4*i)))
		}
	default:
		panic("buildFB: unsupported value type")
	}
	return p
}

// testModel builds a model whose main subgraph has the given numbers of
// inputs and outputs and whose TFLITE_METADATA buffer is meta, followed by
// a zip of files (none when files is nil).
func testModel(t testing.TB, inputs, outputs int, meta []byte, files map[string]string) []byte {
	t.Helper()
	idx := func(n int) []int32 {
		v := make([]int32, n)
		for i := range v {
			v[i] = int32(i)
		}
		return v
	}
	model := buildFB("TFL3", tbl{
		0: uint32(3),
		2: []tbl{{1: idx(inputs), 2: idx(outputs)}},
		4: []tbl{{}, {0: meta}},
		6: []tbl{{0: "min_runtime_version", 1: uint32(0)}, {0: Name, 1: uint32(1)}},
	})
	if files == nil {
		return model
	}
	var z bytes.Buffer
	zw := zip.NewWriter(&z)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		f, err := zw.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Write([]byte(files[n])); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return append(model, z.Bytes()...)
}

// Schema helpers for the tables the tests build.
func assocFile(name string, typ uint8) tbl { return tbl{0: name, 1: "about " + name, 2: typ} }

func normalization(mean, std []float32) tbl {
	return tbl{0: uint8(unitNormalization), 1: tbl{0: mean, 1: std}}
}
