package metadata

import (
	"archive/zip"
	"bytes"
	"sort"
	"testing"

	"github.com/edgeinfer/edgeinfer/runtime/tflite/internal/flatbuf"
)

// tbl is a FlatBuffers table for tests, written with package flatbuf.
type tbl = flatbuf.Fields

func buildFB(ident string, root tbl) []byte { return flatbuf.Build(ident, root) }

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
