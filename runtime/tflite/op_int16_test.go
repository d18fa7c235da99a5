package tflite

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/runtime"
)

// TestInt16AndAudioRefusals checks that the 16x8 and audio operators refuse
// what TFLite refuses, with the reason named.
func TestInt16AndAudioRefusals(t *testing.T) {
	q := q16T
	zp := func(t oTensor, z int64) oTensor { t.zp = []int64{z}; return t }
	w, b, os := layer16(9, 2, 0, false, false, 2, 3, 3, 1)
	for _, c := range []struct {
		name string
		spec oracleSpec
		want error
		msg  string
	}{
		{"rfft_not_pot", oracleSpec{op: opRFFT2D, ins: []oTensor{fT(4, 12), i32T(2).with(i32bytes(4, 12))}, outs: []oTensor{{typ: tensorComplex64, shape: []int32{4, 7}}}},
			runtime.ErrInvalidModel, "powers of two"},
		{"rfft_int32", oracleSpec{op: opRFFT2D, ins: []oTensor{i32T(4, 8), i32T(2).with(i32bytes(4, 8))}, outs: []oTensor{{typ: tensorComplex64, shape: []int32{4, 5}}}},
			runtime.ErrUnsupported, "input type int32"},
		{"conv16_zero_point", oracleSpec{op: opConv, optType: optConv, opts: fbt{0: padSame, 1: int32(1), 2: int32(1)},
			ins: []oTensor{zp(q(q16In, 1, 4, 4, 1), 3), w, b}, outs: []oTensor{q(os, 1, 4, 4, 2)}},
			runtime.ErrInvalidModel, "zero point 0"},
		{"tanh16_out_scale", oracleSpec{op: opTanh, ins: []oTensor{q(0.0003, 10)}, outs: []oTensor{q(1.0/16384, 10)}},
			runtime.ErrInvalidModel, "2^-15"},
		{"softmax16_out_scale", oracleSpec{op: opSoftmax, optType: optSoftmax, opts: fbt{0: float32(1)}, ins: []oTensor{q(0.0003, 2, 10)}, outs: []oTensor{q(1.0/256, 2, 10)}},
			runtime.ErrInvalidModel, "2^-15"},
		{"softmax_f32_i16", oracleSpec{op: opSoftmax, optType: optSoftmax, opts: fbt{0: float32(1)}, ins: []oTensor{fT(2, 10)}, outs: []oTensor{q(1.0/32768, 2, 10)}},
			runtime.ErrUnsupported, "float32 -> int16"},
		{"quantize_i8_i32", oracleSpec{op: opQuantize, ins: []oTensor{q8T(0.1, 0, 10)}, outs: []oTensor{{typ: tensorInt32, shape: []int32{10}, scale: []float32{0.01}, zp: []int64{0}}}},
			runtime.ErrUnsupported, "int8 -> int32"},
		{"add16_pot_two_shifts", oracleSpec{op: opAdd, optType: optAdd, opts: fbt{0: actNone}, ins: []oTensor{q(1.0/4096, 10), q(1.0/2048, 10)}, outs: []oTensor{q(1.0/1024, 10)}},
			runtime.ErrUnsupported, "power-of-two"},
		{"concat16_requant", oracleSpec{op: opConcat, optType: optConcat, opts: fbt{0: int32(1)}, ins: []oTensor{q(0.001, 2, 3), q(0.002, 2, 3)}, outs: []oTensor{q(0.001, 2, 6)}},
			runtime.ErrUnsupported, "different quantization"},
	} {
		t.Run(c.name, func(t *testing.T) {
			model, _ := c.spec.build()
			_, err := Load(model)
			if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.msg) {
				t.Fatalf("load: %v; want %v naming %q", err, c.want, c.msg)
			}
		})
	}
}

// TestPowNegativeExponent checks that an integer POW with a negative
// exponent fails at run time, as TFLite's does.
func TestPowNegativeExponent(t *testing.T) {
	s := oracleSpec{op: opPow, ins: []oTensor{i32T(3), i32T(3)}, outs: []oTensor{i32T(3)}}
	model, _ := s.build()
	m, err := Load(model)
	if err != nil {
		t.Fatal(err)
	}
	_, err = m.Run(context.Background(), runtime.Options{}, [][]byte{i32bytes(2, 3, 4), i32bytes(1, -1, 2)})
	if err == nil || !strings.Contains(err.Error(), "negative exponent") {
		t.Fatalf("run: %v, want the negative exponent refused", err)
	}
	outs, err := m.Run(context.Background(), runtime.Options{}, [][]byte{i32bytes(2, 3, 4), i32bytes(1, 0, 2)})
	if err != nil {
		t.Fatal(err)
	}
	if got := string(outs[0]); got != string(i32bytes(2, 1, 16)) {
		t.Fatalf("2^1, 3^0, 4^2 = % x", outs[0])
	}
}
