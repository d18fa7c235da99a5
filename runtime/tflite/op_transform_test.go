package tflite

import (
	"encoding/binary"
	"errors"
	"math"
	"reflect"
	"testing"
	"unsafe"

	"github.com/edgeinfer/edgeinfer/runtime"
)

// testOpts builds an options table from slot -> value, where a value is an
// int, bool, float32 or []int (an int32 vector).
func testOpts(fields map[int]any) fbTable {
	if len(fields) == 0 {
		return fbTable{}
	}
	n := 0
	for s := range fields {
		n = max(n, s+1)
	}
	vtLen := 4 + 2*n
	tpos := (vtLen + 3) &^ 3
	objLen := 4 + 4*n
	b := make([]byte, tpos+objLen)
	le := binary.LittleEndian
	le.PutUint16(b[0:], uint16(vtLen))
	le.PutUint16(b[2:], uint16(objLen))
	le.PutUint32(b[tpos:], uint32(tpos))
	for s, v := range fields {
		le.PutUint16(b[4+2*s:], uint16(4+4*s))
		fp := tpos + 4 + 4*s
		switch v := v.(type) {
		case int:
			le.PutUint32(b[fp:], uint32(int32(v)))
		case bool:
			if v {
				b[fp] = 1
			}
		case float32:
			le.PutUint32(b[fp:], math.Float32bits(v))
		case []int:
			vp := len(b)
			b = append(b, make([]byte, 4+4*len(v))...)
			le.PutUint32(b[vp:], uint32(len(v)))
			for i, x := range v {
				le.PutUint32(b[vp+4+4*i:], uint32(int32(x)))
			}
			le.PutUint32(b[fp:], uint32(vp-fp))
		}
	}
	r := newFBReader(b)
	return fbTable{r.TableAt(uint64(tpos))}
}

// tt builds a test tensor; data (a typed slice) makes it a constant.
func tt(dt runtime.DType, shape []int, data any) *tensor {
	t := &tensor{dtype: dt, shape: shape}
	if data != nil {
		t.data = testBytes(data)
	}
	return t
}

// q adds per-tensor quantization to a test tensor.
func (t *tensor) q(scale float32, zp int64) *tensor {
	t.quant = &runtime.Quantization{Scale: []float32{scale}, ZeroPoint: []int64{zp}}
	return t
}

// testBytes returns the bytes of a typed slice.
func testBytes(data any) []byte {
	v := reflect.ValueOf(data)
	n := v.Len() * int(v.Type().Elem().Size())
	if n == 0 {
		return []byte{}
	}
	return append([]byte(nil), unsafe.Slice((*byte)(v.UnsafePointer()), n)...)
}

// shapeOpTest is a table entry: an operator case and its expected output (a
// typed slice, or []any of typed slices for several outputs).
type shapeOpTest struct {
	name string
	c    opCase
	want any
}

// opCase runs one operator on test tensors.
type opCase struct {
	op   string
	opts map[int]any
	ins  []*tensor // non-constant ones need vals
	vals map[int]any
	outs []*tensor
}

// run prepares and runs the case, returning the output bytes.
func (oc opCase) run() ([][]byte, error) {
	outs, _, err := oc.runStep()
	return outs, err
}

// allocs reports the allocations of one run of the case's bound step,
// which must be zero (Session.Run is allocation-free).
func (oc opCase) allocs(t *testing.T) {
	t.Helper()
	_, st, err := oc.runStep()
	if err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(5, func() { _ = st() }); n != 0 {
		t.Errorf("step allocates %v times per run", n)
	}
}

// runStep prepares, binds and runs the case once.
func (oc opCase) runStep() ([][]byte, step, error) {
	m := &Model{}
	n := &node{name: oc.op, opts: testOpts(oc.opts)}
	for _, t := range oc.ins {
		if t == nil {
			n.inputs = append(n.inputs, -1)
			continue
		}
		t.index = len(m.tensors)
		n.inputs = append(n.inputs, t.index)
		m.tensors = append(m.tensors, t)
	}
	for _, t := range oc.outs {
		t.index = len(m.tensors)
		n.outputs = append(n.outputs, t.index)
		m.tensors = append(m.tensors, t)
	}
	k, err := registry[oc.op](&opCtx{m: m, n: n})
	if err != nil {
		return nil, nil, err
	}
	b := &binding{}
	for i, t := range oc.ins {
		switch {
		case t == nil:
			b.ins = append(b.ins, nil)
		case t.isConst():
			b.ins = append(b.ins, t.data)
		default:
			b.ins = append(b.ins, testBytes(oc.vals[i]))
		}
	}
	for _, t := range oc.outs {
		words := make([]uint64, (t.byteSize()+7)/8)
		b.outs = append(b.outs, unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(words))), t.byteSize()))
	}
	st := k.bind(b)
	if err := st(); err != nil {
		return nil, nil, err
	}
	return b.outs, st, nil
}

var (
	f32t = runtime.Float32
	i8t  = runtime.Int8
	u8t  = runtime.UInt8
	i32t = runtime.Int32
	i64t = runtime.Int64
)

func shapeOpTable() []shapeOpTest {
	return []shapeOpTest{
		{"concat axis -1 float", opCase{op: "CONCATENATION", opts: map[int]any{0: -1},
			ins:  []*tensor{tt(f32t, []int{2, 2}, nil), tt(f32t, []int{2, 1}, []float32{9, 8})},
			vals: map[int]any{0: []float32{1, 2, 3, 4}},
			outs: []*tensor{tt(f32t, []int{2, 3}, nil)}},
			[]any{[]float32{1, 2, 9, 3, 4, 8}}},
		{"concat axis 0 int32", opCase{op: "CONCATENATION",
			ins:  []*tensor{tt(i32t, []int{1, 2}, []int32{1, 2}), tt(i32t, []int{2, 2}, []int32{3, 4, 5, 6})},
			outs: []*tensor{tt(i32t, []int{3, 2}, nil)}},
			[]any{[]int32{1, 2, 3, 4, 5, 6}}},
		// Second input: scale 0.5/1 = 0.5, bias = -(-10)*0.5 = 5:
		// 0 -> 5+1=6, 3 -> 6.5 -> 7 (+1) = 8, -255 clamps.
		{"concat uint8 requantized", opCase{op: "CONCATENATION", opts: map[int]any{0: 1},
			ins:  []*tensor{tt(u8t, []int{1, 1}, []uint8{7}).q(1, 1), tt(u8t, []int{1, 3}, []uint8{10, 13, 255}).q(0.5, 10)},
			outs: []*tensor{tt(u8t, []int{1, 4}, nil).q(1, 1)}},
			[]any{[]uint8{7, 1, 3, 124}}},
		{"concat int8 requantized", opCase{op: "CONCATENATION",
			ins:  []*tensor{tt(i8t, []int{1}, []int8{-128}).q(2, 0), tt(i8t, []int{2}, []int8{-3, 100}).q(1, -1)},
			outs: []*tensor{tt(i8t, []int{3}, nil).q(0.5, -128)}},
			[]any{[]int8{-128, -128, 74}}},
		{"pack axis 1", opCase{op: "PACK", opts: map[int]any{0: 3, 1: 1},
			ins:  []*tensor{tt(i32t, []int{2}, []int32{0, 0}), tt(i32t, []int{2}, nil), tt(i32t, []int{2}, nil)},
			vals: map[int]any{1: []int32{1, 2}, 2: []int32{3, 4}},
			outs: []*tensor{tt(i32t, []int{2, 3}, nil)}},
			[]any{[]int32{0, 1, 3, 0, 2, 4}}},
		{"pack axis -1 int8", opCase{op: "PACK", opts: map[int]any{0: 2, 1: -1},
			ins:  []*tensor{tt(i8t, []int{1, 2}, []int8{1, 2}).q(1, 0), tt(i8t, []int{1, 2}, []int8{3, 4}).q(1, 0)},
			outs: []*tensor{tt(i8t, []int{1, 2, 2}, nil).q(1, 0)}},
			[]any{[]int8{1, 3, 2, 4}}},
		{"unpack axis 1", opCase{op: "UNPACK", opts: map[int]any{0: 2, 1: 1},
			ins:  []*tensor{tt(i8t, []int{3, 2}, []int8{1, 2, 3, 4, 5, 6})},
			outs: []*tensor{tt(i8t, []int{3}, nil), tt(i8t, []int{3}, nil)}},
			[]any{[]int8{1, 3, 5}, []int8{2, 4, 6}}},
		{"unpack axis 0", opCase{op: "UNPACK", opts: map[int]any{0: 3},
			ins:  []*tensor{tt(f32t, []int{3, 2}, []float32{1, 2, 3, 4, 5, 6})},
			outs: []*tensor{tt(f32t, []int{2}, nil), tt(f32t, []int{2}, nil), tt(f32t, []int{2}, nil)}},
			[]any{[]float32{1, 2}, []float32{3, 4}, []float32{5, 6}}},
		{"reshape shape input -1", opCase{op: "RESHAPE",
			ins:  []*tensor{tt(f32t, []int{1, 2, 2}, []float32{1, 2, 3, 4}), tt(i32t, []int{2}, []int32{-1, 2})},
			outs: []*tensor{tt(f32t, []int{2, 2}, nil)}},
			[]any{[]float32{1, 2, 3, 4}}},
		{"reshape new_shape option", opCase{op: "RESHAPE", opts: map[int]any{0: []int{4}},
			ins:  []*tensor{tt(i8t, []int{2, 2}, []int8{1, 2, 3, 4})},
			outs: []*tensor{tt(i8t, []int{4}, nil)}},
			[]any{[]int8{1, 2, 3, 4}}},
		{"squeeze dims", opCase{op: "SQUEEZE", opts: map[int]any{0: []int{1, -2}},
			ins:  []*tensor{tt(f32t, []int{1, 1, 1, 3}, []float32{1, 2, 3})},
			outs: []*tensor{tt(f32t, []int{1, 3}, nil)}},
			[]any{[]float32{1, 2, 3}}},
		{"squeeze all", opCase{op: "SQUEEZE",
			ins:  []*tensor{tt(f32t, []int{1, 3, 1}, []float32{1, 2, 3})},
			outs: []*tensor{tt(f32t, []int{3}, nil)}},
			[]any{[]float32{1, 2, 3}}},
		{"expand dims -1", opCase{op: "EXPAND_DIMS",
			ins:  []*tensor{tt(f32t, []int{2}, []float32{1, 2}), tt(i32t, []int{}, []int32{-1})},
			outs: []*tensor{tt(f32t, []int{2, 1}, nil)}},
			[]any{[]float32{1, 2}}},
		{"pad float", opCase{op: "PAD",
			ins:  []*tensor{tt(f32t, []int{1, 2}, []float32{1, 2}), tt(i32t, []int{2, 2}, []int32{1, 0, 0, 2})},
			outs: []*tensor{tt(f32t, []int{2, 4}, nil)}},
			[]any{[]float32{0, 0, 0, 0, 1, 2, 0, 0}}},
		{"pad int8 zero point, int64 paddings", opCase{op: "PAD",
			ins:  []*tensor{tt(i8t, []int{1, 1, 2}, []int8{1, 2}).q(0.1, -5), tt(i64t, []int{3, 2}, []int64{0, 0, 1, 1, 0, 1})},
			outs: []*tensor{tt(i8t, []int{1, 3, 3}, nil).q(0.1, -5)}},
			[]any{[]int8{-5, -5, -5, 1, 2, -5, -5, -5, -5}}},
		{"padv2 value", opCase{op: "PADV2",
			ins:  []*tensor{tt(f32t, []int{1}, []float32{1}), tt(i32t, []int{1, 2}, []int32{1, 1}), tt(f32t, []int{}, []float32{7})},
			outs: []*tensor{tt(f32t, []int{3}, nil)}},
			[]any{[]float32{7, 1, 7}}},
		{"argmax int8 axis 1 ties", opCase{op: "ARG_MAX",
			ins:  []*tensor{tt(i8t, []int{1, 3, 2}, []int8{5, -1, 7, 3, 7, 3}), tt(i32t, []int{}, []int32{1})},
			outs: []*tensor{tt(i32t, []int{1, 2}, nil)}},
			[]any{[]int32{1, 1}}},
		{"argmax float axis -1 int64", opCase{op: "ARG_MAX",
			ins:  []*tensor{tt(f32t, []int{2, 3}, []float32{1, 3, 2, -1, -3, -1}), tt(i64t, []int{1}, []int64{-1})},
			outs: []*tensor{tt(i64t, []int{2}, nil)}},
			[]any{[]int64{1, 0}}},
		{"argmin uint8", opCase{op: "ARG_MIN",
			ins:  []*tensor{tt(u8t, []int{4}, []uint8{5, 2, 9, 2}), tt(i32t, []int{}, []int32{0})},
			outs: []*tensor{tt(i32t, []int{}, nil)}},
			[]any{[]int32{1}}},
		{"gather_nd slices", opCase{op: "GATHER_ND",
			ins:  []*tensor{tt(i8t, []int{2, 2, 2}, []int8{0, 1, 2, 3, 4, 5, 6, 7}), tt(i32t, []int{2, 2}, nil)},
			vals: map[int]any{1: []int32{1, 0, 0, 1}},
			outs: []*tensor{tt(i8t, []int{2, 2}, nil)}},
			[]any{[]int8{4, 5, 2, 3}}},
		{"gather axis 1", opCase{op: "GATHER", opts: map[int]any{0: 1},
			ins:  []*tensor{tt(f32t, []int{2, 3}, []float32{0, 1, 2, 3, 4, 5}), tt(i32t, []int{2}, []int32{2, 0})},
			outs: []*tensor{tt(f32t, []int{2, 2}, nil)}},
			[]any{[]float32{2, 0, 5, 3}}},
		{"gather axis 0 2-D indices", opCase{op: "GATHER",
			ins:  []*tensor{tt(i8t, []int{3, 2}, []int8{0, 1, 2, 3, 4, 5}), tt(i64t, []int{2, 1}, []int64{2, 1})},
			outs: []*tensor{tt(i8t, []int{2, 1, 2}, nil)}},
			[]any{[]int8{4, 5, 2, 3}}},
		{"gather_nd elements int64", opCase{op: "GATHER_ND",
			ins:  []*tensor{tt(f32t, []int{2, 3}, []float32{0, 1, 2, 3, 4, 5}), tt(i64t, []int{3, 2}, []int64{1, 2, 0, 0, 1, 0})},
			outs: []*tensor{tt(f32t, []int{3}, nil)}},
			[]any{[]float32{5, 0, 3}}},
	}
}

func TestShapeOps(t *testing.T) {
	for _, tc := range shapeOpTable() {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.c.run()
			if err != nil {
				t.Fatal(err)
			}
			for i, w := range tc.want.([]any) {
				if wb := testBytes(w); string(got[i]) != string(wb) {
					t.Errorf("output %d = %v, want %v", i, got[i], wb)
				}
			}
			tc.c.allocs(t)
		})
	}
}

func TestShapeOpsReject(t *testing.T) {
	tests := []struct {
		name string
		c    opCase
		want error
	}{
		{"concat shapes", opCase{op: "CONCATENATION", opts: map[int]any{0: 1},
			ins:  []*tensor{tt(f32t, []int{2, 2}, nil), tt(f32t, []int{1, 1}, nil)},
			outs: []*tensor{tt(f32t, []int{2, 3}, nil)}}, runtime.ErrInvalidModel},
		{"concat axis", opCase{op: "CONCATENATION", opts: map[int]any{0: 2},
			ins:  []*tensor{tt(f32t, []int{2, 2}, nil)},
			outs: []*tensor{tt(f32t, []int{2, 2}, nil)}}, runtime.ErrInvalidModel},
		{"reshape count", opCase{op: "RESHAPE",
			ins:  []*tensor{tt(f32t, []int{2, 2}, nil), tt(i32t, []int{1}, []int32{-1})},
			outs: []*tensor{tt(f32t, []int{5}, nil)}}, runtime.ErrInvalidModel},
		{"reshape shape mismatch", opCase{op: "RESHAPE",
			ins:  []*tensor{tt(f32t, []int{2, 2}, nil), tt(i32t, []int{2}, []int32{1, 4})},
			outs: []*tensor{tt(f32t, []int{4, 1}, nil)}}, runtime.ErrInvalidModel},
		{"pad negative", opCase{op: "PAD",
			ins:  []*tensor{tt(f32t, []int{2}, nil), tt(i32t, []int{1, 2}, []int32{-1, 1})},
			outs: []*tensor{tt(f32t, []int{2}, nil)}}, runtime.ErrInvalidModel},
		{"pad dynamic paddings", opCase{op: "PAD",
			ins:  []*tensor{tt(f32t, []int{2}, nil), tt(i32t, []int{1, 2}, nil)},
			outs: []*tensor{tt(f32t, []int{2}, nil)}}, runtime.ErrUnsupported},
		{"gather_nd index range", opCase{op: "GATHER_ND",
			ins:  []*tensor{tt(f32t, []int{2, 3}, nil), tt(i32t, []int{1, 3}, nil)},
			outs: []*tensor{tt(f32t, []int{1}, nil)}}, runtime.ErrInvalidModel},
		{"squeeze non-1", opCase{op: "SQUEEZE", opts: map[int]any{0: []int{0}},
			ins:  []*tensor{tt(f32t, []int{2, 1}, nil)},
			outs: []*tensor{tt(f32t, []int{2}, nil)}}, runtime.ErrInvalidModel},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := tc.c.run(); !errors.Is(err, tc.want) {
				t.Errorf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestGatherOutOfRange(t *testing.T) {
	c := opCase{op: "GATHER",
		ins:  []*tensor{tt(f32t, []int{2}, []float32{0, 1}), tt(i32t, []int{1}, nil)},
		vals: map[int]any{1: []int32{2}},
		outs: []*tensor{tt(f32t, []int{1}, nil)}}
	if _, err := c.run(); !errors.Is(err, runtime.ErrInput) {
		t.Errorf("err = %v, want ErrInput", err)
	}
}

func TestGatherNDOutOfRange(t *testing.T) {
	for _, idx := range [][]int32{{2, 0}, {0, -1}} {
		c := opCase{op: "GATHER_ND",
			ins:  []*tensor{tt(f32t, []int{2, 3}, []float32{0, 1, 2, 3, 4, 5}), tt(i32t, []int{1, 2}, nil)},
			vals: map[int]any{1: idx},
			outs: []*tensor{tt(f32t, []int{1}, nil)}}
		if _, err := c.run(); !errors.Is(err, runtime.ErrInput) {
			t.Errorf("indices %v: err = %v, want ErrInput", idx, err)
		}
	}
}

func moveOpTable() []shapeOpTest {
	x6 := []float32{0, 1, 2, 3, 4, 5}
	x8 := []int8{1, 2, 3, 4, 5, 6, 7, 8}
	return []shapeOpTest{
		{"transpose 2-D", opCase{op: "TRANSPOSE",
			ins:  []*tensor{tt(f32t, []int{2, 3}, x6), tt(i32t, []int{2}, []int32{1, 0})},
			outs: []*tensor{tt(f32t, []int{3, 2}, nil)}},
			[]any{[]float32{0, 3, 1, 4, 2, 5}}},
		{"transpose 3-D", opCase{op: "TRANSPOSE",
			ins:  []*tensor{tt(f32t, []int{1, 2, 3}, x6), tt(i64t, []int{3}, []int64{2, 0, 1})},
			outs: []*tensor{tt(f32t, []int{3, 1, 2}, nil)}},
			[]any{[]float32{0, 3, 1, 4, 2, 5}}},
		{"slice size -1", opCase{op: "SLICE",
			ins:  []*tensor{tt(f32t, []int{2, 3}, x6), tt(i32t, []int{2}, []int32{0, 1}), tt(i32t, []int{2}, []int32{-1, 2})},
			outs: []*tensor{tt(f32t, []int{2, 2}, nil)}},
			[]any{[]float32{1, 2, 4, 5}}},
		{"strided slice reverse", opCase{op: "STRIDED_SLICE",
			ins: []*tensor{tt(f32t, []int{2, 3}, x6), tt(i32t, []int{2}, []int32{0, -1}),
				tt(i32t, []int{2}, []int32{2, -4}), tt(i32t, []int{2}, []int32{1, -1})},
			outs: []*tensor{tt(f32t, []int{2, 3}, nil)}},
			[]any{[]float32{2, 1, 0, 5, 4, 3}}},
		{"strided slice shrink", opCase{op: "STRIDED_SLICE", opts: map[int]any{4: 1},
			ins: []*tensor{tt(f32t, []int{2, 3}, x6), tt(i32t, []int{2}, []int32{1, 0}),
				tt(i32t, []int{2}, []int32{2, 3}), tt(i32t, []int{2}, []int32{1, 1})},
			outs: []*tensor{tt(f32t, []int{3}, nil)}},
			[]any{[]float32{3, 4, 5}}},
		{"strided slice masks stride 2", opCase{op: "STRIDED_SLICE", opts: map[int]any{0: 1, 1: 1},
			ins: []*tensor{tt(f32t, []int{6}, x6), tt(i32t, []int{1}, []int32{1}),
				tt(i32t, []int{1}, []int32{0}), tt(i32t, []int{1}, []int32{2})},
			outs: []*tensor{tt(f32t, []int{3}, nil)}},
			[]any{[]float32{0, 2, 4}}},
		{"tile", opCase{op: "TILE",
			ins:  []*tensor{tt(i8t, []int{1, 2}, []int8{1, 2}), tt(i32t, []int{2}, []int32{2, 2})},
			outs: []*tensor{tt(i8t, []int{2, 4}, nil)}},
			[]any{[]int8{1, 2, 1, 2, 1, 2, 1, 2}}},
		{"mirror pad reflect", opCase{op: "MIRROR_PAD",
			ins:  []*tensor{tt(i32t, []int{3}, []int32{1, 2, 3}), tt(i32t, []int{1, 2}, []int32{2, 2})},
			outs: []*tensor{tt(i32t, []int{7}, nil)}},
			[]any{[]int32{3, 2, 1, 2, 3, 2, 1}}},
		{"mirror pad symmetric", opCase{op: "MIRROR_PAD", opts: map[int]any{0: 1},
			ins:  []*tensor{tt(i32t, []int{3}, []int32{1, 2, 3}), tt(i32t, []int{1, 2}, []int32{2, 2})},
			outs: []*tensor{tt(i32t, []int{7}, nil)}},
			[]any{[]int32{2, 1, 1, 2, 3, 3, 2}}},
		{"depth to space", opCase{op: "DEPTH_TO_SPACE", opts: map[int]any{0: 2},
			ins:  []*tensor{tt(i8t, []int{1, 1, 2, 4}, x8)},
			outs: []*tensor{tt(i8t, []int{1, 2, 4, 1}, nil)}},
			[]any{[]int8{1, 2, 5, 6, 3, 4, 7, 8}}},
		{"space to depth", opCase{op: "SPACE_TO_DEPTH", opts: map[int]any{0: 2},
			ins:  []*tensor{tt(i8t, []int{1, 2, 4, 1}, []int8{1, 2, 5, 6, 3, 4, 7, 8})},
			outs: []*tensor{tt(i8t, []int{1, 1, 2, 4}, nil)}},
			[]any{x8}},
		{"split axis 1", opCase{op: "SPLIT", opts: map[int]any{0: 2},
			ins:  []*tensor{tt(i32t, []int{}, []int32{-1}), tt(i8t, []int{2, 4}, x8)},
			outs: []*tensor{tt(i8t, []int{2, 2}, nil), tt(i8t, []int{2, 2}, nil)}},
			[]any{[]int8{1, 2, 5, 6}, []int8{3, 4, 7, 8}}},
		{"split_v inferred", opCase{op: "SPLIT_V",
			ins:  []*tensor{tt(f32t, []int{5}, x6[:5]), tt(i32t, []int{2}, []int32{2, -1}), tt(i32t, []int{}, []int32{0})},
			outs: []*tensor{tt(f32t, []int{2}, nil), tt(f32t, []int{3}, nil)}},
			[]any{[]float32{0, 1}, []float32{2, 3, 4}}},
	}
}

func TestMoveOps(t *testing.T) {
	for _, tc := range moveOpTable() {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.c.run()
			if err != nil {
				t.Fatal(err)
			}
			for i, w := range tc.want.([]any) {
				if wb := testBytes(w); string(got[i]) != string(wb) {
					t.Errorf("output %d = %v, want %v", i, got[i], wb)
				}
			}
			tc.c.allocs(t)
		})
	}
}

func TestMoveOpsReject(t *testing.T) {
	tests := []struct {
		name string
		c    opCase
	}{
		{"transpose repeated axis", opCase{op: "TRANSPOSE",
			ins:  []*tensor{tt(f32t, []int{2, 2}, nil), tt(i32t, []int{2}, []int32{0, 0})},
			outs: []*tensor{tt(f32t, []int{2, 2}, nil)}}},
		{"slice past end", opCase{op: "SLICE",
			ins:  []*tensor{tt(f32t, []int{2}, nil), tt(i32t, []int{1}, []int32{1}), tt(i32t, []int{1}, []int32{2})},
			outs: []*tensor{tt(f32t, []int{2}, nil)}}},
		{"reflect pad too large", opCase{op: "MIRROR_PAD",
			ins:  []*tensor{tt(f32t, []int{2}, nil), tt(i32t, []int{1, 2}, []int32{2, 0})},
			outs: []*tensor{tt(f32t, []int{4}, nil)}}},
		{"split unequal", opCase{op: "SPLIT",
			ins:  []*tensor{tt(i32t, []int{}, []int32{0}), tt(f32t, []int{3}, nil)},
			outs: []*tensor{tt(f32t, []int{1}, nil), tt(f32t, []int{1}, nil)}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := tc.c.run(); !errors.Is(err, runtime.ErrInvalidModel) {
				t.Errorf("err = %v, want ErrInvalidModel", err)
			}
		})
	}
}
