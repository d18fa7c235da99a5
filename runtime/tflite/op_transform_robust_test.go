package tflite

import (
	"fmt"
	"math"
	"math/rand"
	"testing"

	"github.com/edgeinfer/edgeinfer/runtime"
)

// TestShapeOpsMutated prepares and runs random mutations of the table
// cases of the shape, pooling, reduction and resize operators (changed
// dimensions, types, constants and options): a model may be rejected, but
// must never make the engine panic.
func TestShapeOpsMutated(t *testing.T) {
	var seeds []opCase
	for _, table := range [][]shapeOpTest{shapeOpTable(), moveOpTable(), poolOpTable(), reduceOpTable(), resizeOpTable()} {
		for _, tc := range table {
			seeds = append(seeds, tc.c)
		}
	}
	rng := rand.New(rand.NewSource(7))
	ran := 0
	for iter := 0; iter < 20000; iter++ {
		c := mutateCase(rng, seeds[rng.Intn(len(seeds))])
		func() {
			defer func() {
				if p := recover(); p != nil {
					t.Fatalf("%s with inputs %v outputs %v options %v: panic: %v", c.op, describeTensors(c.ins), describeTensors(c.outs), c.opts, p)
				}
			}()
			if _, err := c.run(); err == nil {
				ran++
			}
		}()
	}
	if ran < 1000 {
		t.Errorf("only %d of the mutated cases ran; the mutations are too destructive to test the kernels", ran)
	}
}

// mutateCase returns a deep copy of c with one to three random changes.
func mutateCase(rng *rand.Rand, c opCase) opCase {
	m := opCase{op: c.op, opts: map[int]any{}, vals: map[int]any{}}
	for k, v := range c.opts {
		m.opts[k] = v
	}
	clone := func(x *tensor) *tensor {
		y := *x
		y.shape = append([]int(nil), x.shape...)
		if x.data != nil {
			y.data = append([]byte(nil), x.data...)
		}
		return &y
	}
	for _, x := range c.ins {
		m.ins = append(m.ins, clone(x))
	}
	for _, x := range c.outs {
		m.outs = append(m.outs, clone(x))
	}
	all := append(append([]*tensor{}, m.ins...), m.outs...)
	for n := rng.Intn(3); n >= 0; n-- {
		x := all[rng.Intn(len(all))]
		switch rng.Intn(6) {
		case 0: // resize a dimension
			if len(x.shape) > 0 {
				d := rng.Intn(len(x.shape))
				x.shape[d] = max(0, x.shape[d]+rng.Intn(3)-1)
			}
		case 1: // add or drop a dimension
			if len(x.shape) > 0 && rng.Intn(2) == 0 {
				x.shape = x.shape[:len(x.shape)-1]
			} else {
				x.shape = append(x.shape, 1+rng.Intn(2))
			}
		case 2: // change the type
			x.dtype = []runtime.DType{f32t, i8t, u8t, i32t, i64t}[rng.Intn(5)]
		case 3: // change a constant element
			if sz := max(1, x.dtype.Size()); len(x.data) >= sz {
				i := rng.Intn(len(x.data)/sz) * sz
				v := []int64{-1, 0, 1, 2, 3, -5, 100, math.MaxInt32, math.MinInt32}[rng.Intn(9)]
				for j := 0; j < sz && i+j < len(x.data); j++ {
					x.data[i+j] = byte(v >> (8 * j))
				}
			}
		case 4: // change an option
			s := rng.Intn(6)
			switch rng.Intn(3) {
			case 0:
				m.opts[s] = rng.Intn(7) - 3
			case 1:
				m.opts[s] = rng.Intn(2) == 0
			default:
				m.opts[s] = []int{rng.Intn(5) - 2}
			}
		case 5: // change the quantization
			x.q(float32(rng.Intn(3))*0.5, int64(rng.Intn(5)-2))
		}
	}
	for _, x := range all {
		// A constant must still hold exactly its shape's bytes.
		if x.data != nil && len(x.data) != x.byteSize() {
			x.data = make([]byte, x.byteSize())
		}
	}
	for i, x := range m.ins {
		if !x.isConst() {
			m.vals[i] = make([]byte, x.byteSize())
		}
	}
	return m
}

func describeTensors(ts []*tensor) []string {
	var s []string
	for _, x := range ts {
		s = append(s, fmt.Sprintf("%s%v const=%v", x.dtype, x.shape, x.isConst()))
	}
	return s
}
