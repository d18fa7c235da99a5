package runtime

import (
	"context"
	"errors"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// bindModel has two inputs, so matching by name and by position differ.
var bindModel = []TensorInfo{
	{Name: "a", DType: Float32, Shape: []int{1, 3}},
	{Name: "b", DType: Int8, Shape: []int{2}},
}

func f32(n int) []byte { return make([]byte, 4*n) }

// bindCases are the table of BindInputs; they also seed FuzzBindInputs.
var bindCases = []struct {
	name      string
	given     []Tensor
	resizable bool
	// order is the given tensor each model input gets; want, when set,
	// is the error's text after "runtime: bad input: ".
	order []int
	want  string
	index int // the error's Index
}{
	{"by name", []Tensor{{Name: "a", DType: Float32, Shape: []int{1, 3}, Data: f32(3)}, {Name: "b", DType: Int8, Shape: []int{2}, Data: []byte{1, 2}}}, false, []int{0, 1}, "", 0},
	{"by name, other order", []Tensor{{Name: "b", DType: Int8, Shape: []int{2}, Data: []byte{1, 2}}, {Name: "a", DType: Float32, Shape: []int{1, 3}, Data: f32(3)}}, false, []int{1, 0}, "", 0},
	{"by position", []Tensor{{DType: Float32, Shape: []int{1, 3}, Data: f32(3)}, {DType: Int8, Shape: []int{2}, Data: []byte{1, 2}}}, false, []int{0, 1}, "", 0},
	{"resized", []Tensor{{Name: "a", DType: Float32, Shape: []int{4, 3}, Data: f32(12)}, {Name: "b", DType: Int8, Shape: []int{5}, Data: make([]byte, 5)}}, true, []int{0, 1}, "", 0},
	{"too few by position", []Tensor{{DType: Float32, Shape: []int{1, 3}, Data: f32(3)}}, false, nil,
		`the model takes 2 inputs ("a" float32[1,3], "b" int8[2]), 1 given`, -1},
	{"too many by position", []Tensor{{DType: Float32}, {DType: Float32}, {DType: Float32}}, false, nil,
		`the model takes 2 inputs ("a" float32[1,3], "b" int8[2]), 3 given`, -1},
	{"none", nil, false, nil, `the model takes 2 inputs ("a" float32[1,3], "b" int8[2]), 0 given`, -1},
	{"missing by name", []Tensor{{Name: "b", DType: Int8, Shape: []int{2}, Data: []byte{1, 2}}}, false, nil,
		`the model takes 2 inputs, missing "a"`, -1},
	{"unknown name", []Tensor{{Name: "c", DType: Int8, Shape: []int{2}, Data: []byte{1, 2}}}, false, nil,
		`input "c": the model has no such input (it takes "a" float32[1,3], "b" int8[2])`, 0},
	{"given twice", []Tensor{{Name: "b", DType: Int8, Shape: []int{2}, Data: []byte{1, 2}}, {Name: "b", DType: Int8, Shape: []int{2}, Data: []byte{1, 2}}}, false, nil,
		`input "b": given twice`, 1},
	{"unnamed among named", []Tensor{{Name: "a", DType: Float32, Shape: []int{1, 3}, Data: f32(3)}, {DType: Int8, Shape: []int{2}, Data: []byte{1, 2}}}, false, nil,
		`input 1: has no name while others have one: name every input or none`, 1},
	{"wrong dtype", []Tensor{{Name: "a", DType: Float16, Shape: []int{1, 3}, Data: make([]byte, 6)}, {Name: "b", DType: Int8, Shape: []int{2}, Data: []byte{1, 2}}}, false, nil,
		`input "a": dtype float16, the model takes float32`, 0},
	{"wrong dtype by position", []Tensor{{DType: Float32, Shape: []int{1, 3}, Data: f32(3)}, {DType: UInt8, Shape: []int{2}, Data: []byte{1, 2}}}, false, nil,
		`input "b": dtype uint8, the model takes int8`, 1},
	{"wrong shape", []Tensor{{Name: "a", DType: Float32, Shape: []int{3, 1}, Data: f32(3)}, {Name: "b", DType: Int8, Shape: []int{2}, Data: []byte{1, 2}}}, false, nil,
		`input "a": shape [3,1], the model takes [1,3]`, 0},
	{"other rank, resizable", []Tensor{{Name: "a", DType: Float32, Shape: []int{3}, Data: f32(3)}, {Name: "b", DType: Int8, Shape: []int{2}, Data: []byte{1, 2}}}, true, nil,
		`input "a": shape [3], the model takes [1,3] or another shape of rank 2 with every dimension at least 1`, 0},
	{"zero dimension, resizable", []Tensor{{Name: "a", DType: Float32, Shape: []int{0, 3}}, {Name: "b", DType: Int8, Shape: []int{2}, Data: []byte{1, 2}}}, true, nil,
		`input "a": shape [0,3], the model takes [1,3] or another shape of rank 2 with every dimension at least 1`, 0},
	{"short data", []Tensor{{Name: "a", DType: Float32, Shape: []int{1, 3}, Data: f32(2)}, {Name: "b", DType: Int8, Shape: []int{2}, Data: []byte{1, 2}}}, false, nil,
		`input "a": 8 bytes of data, shape [1,3] of float32 needs 12`, 0},
	{"long data, resized", []Tensor{{Name: "a", DType: Float32, Shape: []int{2, 3}, Data: f32(12)}, {Name: "b", DType: Int8, Shape: []int{2}, Data: []byte{1, 2}}}, true, nil,
		`input "a": 48 bytes of data, shape [2,3] of float32 needs 24`, 0},
	{"shape past memory, resizable", []Tensor{{Name: "a", DType: Float32, Shape: []int{math.MaxInt, 2}}, {Name: "b", DType: Int8, Shape: []int{2}, Data: []byte{1, 2}}}, true, nil,
		`input "a": shape [` + strconv.Itoa(math.MaxInt) + `,2] has more elements than memory holds`, 0},
}

func TestBindInputs(t *testing.T) {
	for _, tc := range bindCases {
		t.Run(tc.name, func(t *testing.T) {
			dst := make([]Tensor, len(bindModel))
			err := BindInputs(dst, bindModel, tc.given, tc.resizable)
			if tc.want != "" {
				var ie *InputError
				if !errors.Is(err, ErrInput) || !errors.As(err, &ie) {
					t.Fatalf("error %v, want an *InputError wrapping ErrInput", err)
				}
				if got := strings.TrimPrefix(err.Error(), "runtime: bad input: "); got != tc.want {
					t.Errorf("error\n%s\nwant\n%s", got, tc.want)
				}
				if ie.Index != tc.index {
					t.Errorf("Index %d, want %d", ie.Index, tc.index)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for i, k := range tc.order {
				g := tc.given[k]
				if dst[i].Name != bindModel[i].Name || dst[i].DType != g.DType || !slices.Equal(dst[i].Shape, g.Shape) || len(dst[i].Data) != len(g.Data) ||
					(len(g.Data) > 0 && &dst[i].Data[0] != &g.Data[0]) {
					t.Errorf("model input %d got %+v, want given tensor %d (%+v), named %q, its data not copied", i, dst[i], k, g, bindModel[i].Name)
				}
			}
		})
	}
}

// TestSetInputs: SetInputs copies raw inputs in model order after the
// same checks.
func TestSetInputs(t *testing.T) {
	s := &bytesSession{in: [][]byte{f32(3), make([]byte, 2)}}
	if err := SetInputs(s, bindModel, [][]byte{f32(3), {7, 8}}); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(s.in[1], []byte{7, 8}) {
		t.Errorf("input 1 holds %v, want [7 8]", s.in[1])
	}
	for _, tc := range []struct {
		data [][]byte
		want string
	}{
		{[][]byte{f32(3)}, `runtime: bad input: the model takes 2 inputs ("a" float32[1,3], "b" int8[2]), 1 given`},
		{[][]byte{f32(3), {1, 2, 3}}, `runtime: bad input: input "b": 3 bytes of data, shape [2] of int8 needs 2`},
	} {
		if err := SetInputs(s, bindModel, tc.data); !errors.Is(err, ErrInput) || err.Error() != tc.want {
			t.Errorf("error %v, want %s", err, tc.want)
		}
	}
}

// bytesSession is a Session whose inputs are byte slices (SetInputs only
// writes them).
type bytesSession struct{ in [][]byte }

func (s *bytesSession) Input(i int) []byte        { return s.in[i] }
func (s *bytesSession) Output(int) []byte         { return nil }
func (s *bytesSession) Run(context.Context) error { return nil }
func (s *bytesSession) Close() error              { return nil }

// FuzzBindInputs: whatever the tensors, BindInputs returns an *InputError
// or binds every model input once, with its dtype, a shape it takes and
// exactly the bytes of that shape.
func FuzzBindInputs(f *testing.F) {
	for _, tc := range bindCases {
		f.Add(encodeTensors(tc.given), tc.resizable)
	}
	f.Fuzz(func(t *testing.T, spec []byte, resizable bool) {
		given := decodeTensors(spec)
		dst := make([]Tensor, len(bindModel))
		err := BindInputs(dst, bindModel, given, resizable)
		if err != nil {
			var ie *InputError
			if !errors.As(err, &ie) || !errors.Is(err, ErrInput) || ie.Problem == "" {
				t.Fatalf("error %v is not an *InputError", err)
			}
			return
		}
		for i, in := range bindModel {
			d := dst[i]
			ok := d.Name == in.Name && d.DType == in.DType && len(d.Shape) == len(in.Shape) &&
				(slices.Equal(d.Shape, in.Shape) || (resizable && !slices.ContainsFunc(d.Shape, func(x int) bool { return x < 1 }))) &&
				len(d.Data) == (TensorInfo{DType: d.DType, Shape: d.Shape}).ByteSize()
			if !ok {
				t.Fatalf("input %s bound to %+v", in, d)
			}
		}
	})
}

// fuzzNames are the names a fuzzed tensor can have, by index.
var fuzzNames = []string{"", "a", "b", "c"}

// encodeTensors writes tensors as the fuzzer's bytes: per tensor, a name
// index, the dtype, the rank, each dimension (mod 256) and the data size
// (mod 256).
func encodeTensors(ts []Tensor) []byte {
	var b []byte
	for _, t := range ts {
		b = append(b, byte(slices.Index(fuzzNames, t.Name)), byte(t.DType), byte(len(t.Shape)))
		for _, d := range t.Shape {
			b = append(b, byte(d))
		}
		b = append(b, byte(len(t.Data)))
	}
	return b
}

// decodeTensors reads encodeTensors' form back, taking whatever bytes
// there are (short input ends the list).
func decodeTensors(b []byte) []Tensor {
	var ts []Tensor
	for len(b) >= 3 {
		t := Tensor{Name: fuzzNames[int(b[0])%len(fuzzNames)], DType: DType(b[1])}
		rank := int(b[2]) % 5
		b = b[3:]
		if len(b) < rank+1 {
			break
		}
		for _, d := range b[:rank] {
			t.Shape = append(t.Shape, int(int8(d)))
		}
		t.Data = make([]byte, b[rank])
		b = b[rank+1:]
		ts = append(ts, t)
	}
	return ts
}
