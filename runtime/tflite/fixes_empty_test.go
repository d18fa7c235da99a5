package tflite

import (
	"os"
	goruntime "runtime"
	"strconv"
	"strings"
	"testing"
)

// TestMoveOpsEmptyHugeDims prepares data-movement operators on empty
// tensors with one huge dimension: they must load without an offset table
// sized by the huge dimension (counted in bytes allocated, not in time) and
// accept the empty output.
func TestMoveOpsEmptyHugeDims(t *testing.T) {
	const huge = 1 << 27
	for _, tc := range []struct {
		name string
		c    opCase
	}{
		{"strided slice", opCase{op: "STRIDED_SLICE",
			ins: []*tensor{tt(f32t, []int{1, huge, 0}, nil),
				tt(i32t, []int{3}, []int32{0, 0, 0}), tt(i32t, []int{3}, []int32{1, huge, 0}), tt(i32t, []int{3}, []int32{1, 1, 1})},
			vals: map[int]any{0: []float32{}},
			outs: []*tensor{tt(f32t, []int{1, huge, 0}, nil)}}},
		{"slice", opCase{op: "SLICE",
			ins:  []*tensor{tt(f32t, []int{huge, 0}, nil), tt(i32t, []int{2}, []int32{0, 0}), tt(i32t, []int{2}, []int32{-1, -1})},
			vals: map[int]any{0: []float32{}},
			outs: []*tensor{tt(f32t, []int{huge, 0}, nil)}}},
		{"transpose", opCase{op: "TRANSPOSE",
			ins:  []*tensor{tt(i8t, []int{huge, 0}, nil), tt(i32t, []int{2}, []int32{1, 0})},
			vals: map[int]any{0: []int8{}},
			outs: []*tensor{tt(i8t, []int{0, huge}, nil)}}},
		{"tile", opCase{op: "TILE",
			ins:  []*tensor{tt(i8t, []int{0, 1}, nil), tt(i32t, []int{2}, []int32{1, huge})},
			vals: map[int]any{0: []int8{}},
			outs: []*tensor{tt(i8t, []int{0, huge}, nil)}}},
		{"mirror pad", opCase{op: "MIRROR_PAD",
			ins:  []*tensor{tt(i8t, []int{huge, 0}, nil), tt(i32t, []int{2, 2}, []int32{0, 0, 0, 0})},
			vals: map[int]any{0: []int8{}},
			outs: []*tensor{tt(i8t, []int{huge, 0}, nil)}}},
		{"depth to space", opCase{op: "DEPTH_TO_SPACE", opts: map[int]any{0: 2},
			ins:  []*tensor{tt(i8t, []int{0, huge, 1, 4}, nil)},
			vals: map[int]any{0: []int8{}},
			outs: []*tensor{tt(i8t, []int{0, 2 * huge, 2, 1}, nil)}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			if n := allocated(func() { _, err = tc.c.run() }); n > emptyAllocCap {
				t.Errorf("allocated %d bytes; offset tables are sized by a dimension of an empty tensor", n)
			}
			if err != nil {
				t.Fatalf("empty %s refused: %v", tc.name, err)
			}
		})
	}
}

// TestOpenEmptySliceSeed loads the fuzz seed that took 23 s and 1 GB to be
// wrongly refused: a STRIDED_SLICE of an empty [1, 2^27, 0] tensor.
func TestOpenEmptySliceSeed(t *testing.T) {
	b, err := os.ReadFile("testdata/fuzz/FuzzOpen/hand_empty_slice")
	if err != nil {
		t.Fatal(err)
	}
	data := fuzzSeedBytes(t, b)
	var m *Model
	if n := allocated(func() { m, err = Load(data) }); n > emptyAllocCap {
		t.Errorf("load allocated %d bytes for an empty tensor", n)
	}
	if err != nil {
		t.Fatalf("valid empty slice refused: %v", err)
	}
	m.Close()
}

// emptyAllocCap bounds what loading a model with an empty tensor may
// allocate: the tables the bugs built for a 2^27 dimension took 512 MiB
// and more; the model itself needs a few KiB.
const emptyAllocCap = 32 << 20

// allocated returns the bytes the Go heap handed out while f ran (tests
// of this package run one at a time, so it is f's).
func allocated(f func()) uint64 {
	var before, after goruntime.MemStats
	goruntime.ReadMemStats(&before)
	f()
	goruntime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// fuzzSeedBytes decodes a one-value []byte seed file of the Go fuzzing
// corpus ("go test fuzz v1" then []byte("...")).
func fuzzSeedBytes(t *testing.T, file []byte) []byte {
	t.Helper()
	s := strings.TrimSpace(string(file))
	_, lit, ok := strings.Cut(s, "\n[]byte(")
	if !ok || !strings.HasSuffix(lit, ")") {
		t.Fatalf("not a []byte fuzz seed: %.40q", s)
	}
	v, err := strconv.Unquote(strings.TrimSuffix(lit, ")"))
	if err != nil {
		t.Fatalf("seed literal: %v", err)
	}
	return []byte(v)
}
