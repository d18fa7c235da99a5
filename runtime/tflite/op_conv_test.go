package tflite

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/edgeinfer/edgeinfer/runtime"
	"github.com/edgeinfer/edgeinfer/runtime/kernels"
)

// optsTable builds a FlatBuffers table whose field i holds fields[i] as a
// 4-byte little-endian value (narrower fields read its low bytes).
func optsTable(fields ...int32) fbTable {
	vtLen := 4 + 2*len(fields)
	pos := (vtLen + 3) &^ 3
	b := make([]byte, pos+4+4*len(fields))
	binary.LittleEndian.PutUint16(b[0:], uint16(vtLen))
	binary.LittleEndian.PutUint16(b[2:], uint16(4+4*len(fields)))
	binary.LittleEndian.PutUint32(b[pos:], uint32(pos))
	for i, f := range fields {
		binary.LittleEndian.PutUint16(b[4+2*i:], uint16(4+4*i))
		binary.LittleEndian.PutUint32(b[pos+4+4*i:], uint32(f))
	}
	r := newFBReader(b)
	return fbTable{r.TableAt(uint64(pos))}
}

// opTest is one operator on hand-built tensors; tensors with data are
// constants.
type opTest struct {
	op      string
	opts    fbTable
	inputs  []*tensor // nil for an absent optional input
	outputs []*tensor
}

// prepare runs the operator's prepareFunc.
func (o opTest) prepare() (kernel, error) {
	m := &Model{}
	n := &node{name: o.op, opts: o.opts}
	for _, t := range o.inputs {
		if t == nil {
			n.inputs = append(n.inputs, -1)
			continue
		}
		t.index = len(m.tensors)
		n.inputs = append(n.inputs, t.index)
		m.tensors = append(m.tensors, t)
	}
	for _, t := range o.outputs {
		t.index = len(m.tensors)
		n.outputs = append(n.outputs, t.index)
		m.tensors = append(m.tensors, t)
	}
	return registry[o.op](&opCtx{m: m, n: n})
}

// run prepares the operator and runs it on the given input bytes with a
// pool of the given number of threads, returning the output bytes.
func (o opTest) run(t *testing.T, in []byte, threads int) []byte {
	t.Helper()
	out, _ := o.runAllocs(t, in, threads)
	return out
}

// runAllocs is run that also reports the allocations of further steps.
func (o opTest) runAllocs(t *testing.T, in []byte, threads int) ([]byte, float64) {
	t.Helper()
	k, err := o.prepare()
	if err != nil {
		t.Fatalf("prepare: %v", err)
	}
	b := &binding{outs: [][]byte{make([]byte, o.outputs[0].byteSize())}}
	for i, x := range o.inputs {
		switch {
		case x == nil:
			b.ins = append(b.ins, nil)
		case i == 0:
			b.ins = append(b.ins, in)
		default:
			b.ins = append(b.ins, x.data)
		}
	}
	if threads > 1 {
		b.pool = kernels.NewPool(threads)
		defer b.pool.Close()
	}
	st := k.bind(b)
	if err := st(); err != nil {
		t.Fatalf("run: %v", err)
	}
	allocs := testing.AllocsPerRun(3, func() {
		if err := st(); err != nil {
			t.Fatalf("run: %v", err)
		}
	})
	return b.outs[0], allocs
}

func f32Bytes(v ...float32) []byte {
	b := make([]byte, 4*len(v))
	copy(f32(b), v)
	return b
}

func i32Bytes(v ...int32) []byte {
	b := make([]byte, 4*len(v))
	copy(i32(b), v)
	return b
}

func ft(shape []int, data []byte) *tensor {
	return &tensor{dtype: runtime.Float32, shape: shape, data: data}
}

func qt(d runtime.DType, shape []int, data []byte, scale []float32, zp ...int64) *tensor {
	if len(zp) == 0 {
		zp = make([]int64, len(scale))
	}
	return &tensor{dtype: d, shape: shape, data: data, quant: &runtime.Quantization{Scale: scale, ZeroPoint: zp}}
}

func TestConvOpValues(t *testing.T) {
	in := f32Bytes(1, 2, 3, 4, 5, 6, 7, 8, 9)
	ones := f32Bytes(1, 1, 1, 1)
	tests := []struct {
		name string
		o    opTest
		want []float32
	}{
		{"conv-valid", opTest{"CONV_2D", optsTable(1, 1, 1, 0),
			[]*tensor{ft([]int{1, 3, 3, 1}, nil), ft([]int{1, 2, 2, 1}, ones), ft([]int{1}, f32Bytes(0.5))},
			[]*tensor{ft([]int{1, 2, 2, 1}, nil)}}, []float32{12.5, 16.5, 24.5, 28.5}},
		{"conv-same-relu6", opTest{"CONV_2D", optsTable(0, 2, 2, 3),
			[]*tensor{ft([]int{1, 3, 3, 1}, nil), ft([]int{1, 2, 2, 1}, ones), nil},
			[]*tensor{ft([]int{1, 2, 2, 1}, nil)}}, []float32{6, 6, 6, 6}},
		{"conv-dilation", opTest{"CONV_2D", optsTable(1, 1, 1, 0, 2, 2),
			[]*tensor{ft([]int{1, 3, 3, 1}, nil), ft([]int{1, 2, 2, 1}, ones)},
			[]*tensor{ft([]int{1, 1, 1, 1}, nil)}}, []float32{1 + 3 + 7 + 9}},
		{"depthwise-mult2", opTest{"DEPTHWISE_CONV_2D", optsTable(1, 1, 1, 2, 0),
			[]*tensor{ft([]int{1, 3, 3, 1}, nil), ft([]int{1, 2, 2, 2}, f32Bytes(1, -1, 1, -1, 1, -1, 1, -1)), ft([]int{2}, f32Bytes(0, 1))},
			[]*tensor{ft([]int{1, 2, 2, 2}, nil)}}, []float32{12, -11, 16, -15, 24, -23, 28, -27}},
		{"fully-connected-keep-dims", opTest{"FULLY_CONNECTED", optsTable(1, 0, 1),
			[]*tensor{ft([]int{1, 3, 3}, nil), ft([]int{2, 3}, f32Bytes(1, 0, -1, 0, 1, 0)), ft([]int{2}, f32Bytes(0, 0.5))},
			[]*tensor{ft([]int{1, 3, 2}, nil)}}, []float32{0, 2.5, 0, 5.5, 0, 8.5}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := f32(tc.o.run(t, in, 1))
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestConvOpRejects(t *testing.T) {
	w := ft([]int{1, 2, 2, 1}, f32Bytes(1, 1, 1, 1))
	tests := []struct {
		name string
		o    opTest
		want error
	}{
		{"zero-stride", opTest{"CONV_2D", optsTable(1, 0, 1, 0), []*tensor{ft([]int{1, 3, 3, 1}, nil), w}, []*tensor{ft([]int{1, 2, 2, 1}, nil)}}, runtime.ErrInvalidModel},
		{"wrong-output", opTest{"CONV_2D", optsTable(1, 1, 1, 0), []*tensor{ft([]int{1, 3, 3, 1}, nil), w}, []*tensor{ft([]int{1, 3, 3, 1}, nil)}}, runtime.ErrInvalidModel},
		{"tanh", opTest{"CONV_2D", optsTable(1, 1, 1, 4), []*tensor{ft([]int{1, 3, 3, 1}, nil), w}, []*tensor{ft([]int{1, 2, 2, 1}, nil)}}, runtime.ErrUnsupported},
		{"filter-at-run-time", opTest{"CONV_2D", optsTable(1, 1, 1, 0), []*tensor{ft([]int{1, 3, 3, 1}, nil), ft([]int{1, 2, 2, 1}, nil)}, []*tensor{ft([]int{1, 2, 2, 1}, nil)}}, runtime.ErrUnsupported},
		{"shuffled-weights", opTest{"FULLY_CONNECTED", optsTable(0, 1), []*tensor{ft([]int{1, 4}, nil), ft([]int{1, 4}, f32Bytes(1, 1, 1, 1))}, []*tensor{ft([]int{1, 1}, nil)}}, runtime.ErrUnsupported},
		{"int8-without-scale", opTest{"FULLY_CONNECTED", optsTable(0), []*tensor{qt(runtime.Int8, []int{1, 4}, nil, []float32{0.1}), {dtype: runtime.Int8, shape: []int{1, 4}, data: make([]byte, 4)}}, []*tensor{qt(runtime.Int8, []int{1, 1}, nil, []float32{0.1})}}, runtime.ErrInvalidModel},
		{"depthwise-bad-filter", opTest{"DEPTHWISE_CONV_2D", optsTable(1, 1, 1, 1, 0), []*tensor{ft([]int{1, 3, 3, 2}, nil), ft([]int{1, 2, 2, 3}, make([]byte, 48))}, []*tensor{ft([]int{1, 2, 2, 3}, nil)}}, runtime.ErrInvalidModel},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := tc.o.prepare(); !errors.Is(err, tc.want) {
				t.Errorf("prepare = %v, want %v", err, tc.want)
			}
		})
	}
}

// TestConvOpThreads checks that splitting across a pool gives the same
// bytes as running serially, for each type combination.
func TestConvOpThreads(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	rnd := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		return b
	}
	rndF := func(n int) []byte {
		v := make([]float32, n)
		for i := range v {
			v[i] = r.Float32()*2 - 1
		}
		return f32Bytes(v...)
	}
	rndBias := func(n int) []byte {
		v := make([]int32, n)
		for i := range v {
			v[i] = r.Int32N(2001) - 1000
		}
		return i32Bytes(v...)
	}
	perChannel := func(n int) []float32 {
		s := make([]float32, n)
		for i := range s {
			s[i] = 0.002 + 0.002*r.Float32()
		}
		return s
	}
	wPC := qt(runtime.Int8, []int{24, 3, 3, 5}, rnd(24*45), perChannel(24))
	wDW := qt(runtime.Int8, []int{1, 3, 3, 10}, rnd(90), perChannel(10))
	wDW.quant.Axis = 3
	u8 := func(shape []int, data []byte, scale float32, zp int64) *tensor {
		return qt(runtime.UInt8, shape, data, []float32{scale}, zp)
	}
	tests := []struct {
		name string
		o    opTest
		in   []byte
	}{
		{"conv-f32", opTest{"CONV_2D", optsTable(0, 2, 2, 1),
			[]*tensor{ft([]int{2, 13, 11, 5}, nil), ft([]int{24, 3, 3, 5}, rndF(24*45)), ft([]int{24}, rndF(24))},
			[]*tensor{ft([]int{2, 7, 6, 24}, nil)}}, rndF(2 * 13 * 11 * 5)},
		{"conv-int8-per-channel", opTest{"CONV_2D", optsTable(0, 1, 1, 3),
			[]*tensor{qt(runtime.Int8, []int{1, 13, 11, 5}, nil, []float32{0.05}, 3), wPC, {dtype: runtime.Int32, shape: []int{24}, data: rndBias(24)}},
			[]*tensor{qt(runtime.Int8, []int{1, 13, 11, 24}, nil, []float32{0.02}, -5)}}, rnd(13 * 11 * 5)},
		{"conv-uint8", opTest{"CONV_2D", optsTable(1, 1, 1, 0, 2, 2),
			[]*tensor{u8([]int{1, 13, 11, 5}, nil, 0.05, 128), u8([]int{24, 3, 3, 5}, rnd(24*45), 0.003, 140), {dtype: runtime.Int32, shape: []int{24}, data: rndBias(24)}},
			[]*tensor{u8([]int{1, 9, 7, 24}, nil, 0.05, 120)}}, rnd(13 * 11 * 5)},
		{"depthwise-f32", opTest{"DEPTHWISE_CONV_2D", optsTable(0, 1, 1, 2, 0),
			[]*tensor{ft([]int{1, 13, 11, 5}, nil), ft([]int{1, 3, 3, 10}, rndF(90)), ft([]int{10}, rndF(10))},
			[]*tensor{ft([]int{1, 13, 11, 10}, nil)}}, rndF(13 * 11 * 5)},
		{"depthwise-int8", opTest{"DEPTHWISE_CONV_2D", optsTable(0, 2, 2, 2, 1),
			[]*tensor{qt(runtime.Int8, []int{1, 13, 11, 5}, nil, []float32{0.05}, -3), wDW, {dtype: runtime.Int32, shape: []int{10}, data: rndBias(10)}},
			[]*tensor{qt(runtime.Int8, []int{1, 7, 6, 10}, nil, []float32{0.01}, 2)}}, rnd(13 * 11 * 5)},
		{"fc-f32", opTest{"FULLY_CONNECTED", optsTable(0),
			[]*tensor{ft([]int{1, 300}, nil), ft([]int{250, 300}, rndF(250*300))},
			[]*tensor{ft([]int{1, 250}, nil)}}, rndF(300)},
		{"fc-int8-batches", opTest{"FULLY_CONNECTED", optsTable(1),
			[]*tensor{qt(runtime.Int8, []int{20, 300}, nil, []float32{0.05}, 1), qt(runtime.Int8, []int{40, 300}, rnd(12000), []float32{0.003}), nil},
			[]*tensor{qt(runtime.Int8, []int{20, 40}, nil, []float32{0.2}, 0)}}, rnd(6000)},
		{"fc-hybrid", opTest{"FULLY_CONNECTED", optsTable(0, 0, 0, 1),
			[]*tensor{ft([]int{1, 300}, nil), qt(runtime.Int8, []int{250, 300}, rnd(250*300), []float32{0.01}), ft([]int{250}, rndF(250))},
			[]*tensor{ft([]int{1, 250}, nil)}}, rndF(300)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			one := tc.o.run(t, tc.in, 1)
			three, allocs := tc.o.runAllocs(t, tc.in, 3)
			if !bytes.Equal(one, three) {
				t.Errorf("3 threads differ from 1")
			}
			if allocs != 0 {
				t.Errorf("a step allocates %v times", allocs)
			}
			if tc.o.outputs[0].dtype == runtime.Float32 {
				for _, v := range f32(one) {
					if math.IsNaN(float64(v)) {
						t.Fatal("NaN in output")
					}
				}
			}
		})
	}
}

func TestSplit(t *testing.T) {
	tests := []struct {
		workers, rows, panels, macs int
		rowParts, panelParts        int
	}{
		{1, 100, 10, 1 << 20, 1, 1},
		{3, 100, 10, 1 << 10, 1, 1},
		{3, 1000, 10, 1 << 20, 12, 1}, // rows first, four tiles a worker
		{3, 50, 10, 1 << 20, 3, 5},    // panels (in pairs) first, then rows
		{3, 1, 10, 1 << 20, 1, 5},     // one row: pairs of panels only
		{4, 9, 2, 1 << 20, 3, 1},      // too few of both: what there is
		{2, 1000, 10, 1 << 16, 4, 1},  // little work: fewer, larger tiles
		{2, 1000, 10, 1 << 15, 1, 1},  // too little to split
		{2, 3000, 300, 1 << 30, 8, 1}, // rows and panels both plenty
		{2, 7, 100, 1 << 30, 1, 8},    // a 7-row layer with wide weights
		{8, 2, 1, 1 << 30, 1, 1},      // nothing to split
	}
	for _, tc := range tests {
		s := newSplit(tc.workers, tc.rows, tc.panels, tc.macs, 3)
		if s.rowParts != tc.rowParts || s.panelParts != tc.panelParts || s.parts != s.rowParts*s.panelParts {
			t.Errorf("newSplit(%d, %d, %d, %d) = %d x %d (%d parts), want %d x %d", tc.workers, tc.rows, tc.panels, tc.macs, s.rowParts, s.panelParts, s.parts, tc.rowParts, tc.panelParts)
		}
		rows := make([]int, tc.rows)
		for i := 0; i < s.parts; i++ {
			m0, m1, p0, p1 := s.part(i)
			for m := m0; m < m1; m++ {
				rows[m] += p1 - p0
			}
		}
		for m, n := range rows {
			if n != tc.panels {
				t.Errorf("workers %d: row %d covered %d times, want %d", tc.workers, m, n, tc.panels)
			}
		}
	}
}
