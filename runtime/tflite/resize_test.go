package tflite_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/edgeinfer/edgeinfer/internal/sharedtest"
	"github.com/edgeinfer/edgeinfer/runtime"
	"github.com/edgeinfer/edgeinfer/runtime/tflite"
)

// readCase reads file name of a shared conformance case.
func readCase(t *testing.T, model, id, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(sharedtest.Dir(t), model, id, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestResizeBatch runs the conformance models whose shape_signature has a
// dynamic batch with all their cases stacked as one batch: each row of
// the output equals the case run alone (8-bit models bit for bit).
func TestResizeBatch(t *testing.T) {
	for _, tc := range []struct {
		model string
		cases int
	}{
		{"conformance/tiny_kws_dscnn_int8", 3},
		{"conformance/tiny_resnet8_int8", 3},
		{"conformance/tiny_vww_96_float", 3},
		{"conformance/tiny_ad01_int8", 3},
		{"conformance/tflm_hello_world_float", 6},
	} {
		t.Run(tc.model, func(t *testing.T) {
			m, err := tflite.Open(filepath.Join(sharedtest.Dir(t), tc.model, "model.tflite"))
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			s, err := m.NewSession(runtime.Options{Threads: 2})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			single := make([][]byte, tc.cases)
			var stacked []byte
			for k := range tc.cases {
				in := readCase(t, tc.model, fmt.Sprintf("case_%d", k), "in_0.bin")
				stacked = append(stacked, in...)
				copy(s.Input(0), in)
				if err := s.Run(context.Background()); err != nil {
					t.Fatal(err)
				}
				single[k] = bytes.Clone(s.Output(0))
			}
			r := s.(*tflite.Session)
			shape := append([]int{tc.cases}, m.Inputs()[0].Shape[1:]...)
			if err := r.ResizeInputs([][]int{shape}); err != nil {
				t.Fatal(err)
			}
			if got := r.Inputs()[0].Shape; fmt.Sprint(got) != fmt.Sprint(shape) {
				t.Fatalf("input shape after resize %v, want %v", got, shape)
			}
			if out := r.Outputs()[0]; out.Shape[0] != tc.cases || out.ByteSize() != tc.cases*len(single[0]) {
				t.Fatalf("output after resize %s, want %d rows of %d bytes", out, tc.cases, len(single[0]))
			}
			copy(s.Input(0), stacked)
			if err := s.Run(context.Background()); err != nil {
				t.Fatal(err)
			}
			out := s.Output(0)
			row := len(single[0])
			for k, want := range single {
				got := out[k*row : (k+1)*row]
				if !bytes.Equal(got, want) && !closeF32(got, want) {
					t.Errorf("row %d of the batch differs from the case run alone", k)
				}
			}
			// Back to the stored shape.
			if err := r.ResizeInputs([][]int{m.Inputs()[0].Shape}); err != nil {
				t.Fatal(err)
			}
			if len(s.Input(0)) != m.Inputs()[0].ByteSize() {
				t.Fatalf("input of %d bytes after resizing back", len(s.Input(0)))
			}
		})
	}
}

// closeF32 compares float32 tensors within 1e-5 (a batch changes the
// grouping of the matrix products, hence the rounding).
func closeF32(a, b []byte) bool {
	if len(a) != len(b) || len(a)%4 != 0 {
		return false
	}
	for i := 0; i < len(a); i += 4 {
		x, y := f32At(a, i), f32At(b, i)
		if d := x - y; d > 1e-5 || d < -1e-5 {
			return false
		}
	}
	return true
}

// TestResizeSequence runs the mnist LSTMs on a sequence twice as long:
// the LSTM carries its state through 56 steps, the RESHAPE to [-1, 560]
// makes two rows, and the first row is the reference output of the first
// 28 steps alone (the int8 model bit for bit).
func TestResizeSequence(t *testing.T) {
	for _, model := range []string{"conformance2/tflm_mnist_lstm_int8", "conformance2/tflm_mnist_lstm_float"} {
		t.Run(model, func(t *testing.T) {
			m, err := tflite.Open(filepath.Join(sharedtest.Dir(t), model, "model.tflite"))
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			s, err := m.NewSession(runtime.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			r := s.(*tflite.Session)
			if err := r.ResizeInputs([][]int{{1, 56, 28}}); err != nil {
				t.Fatal(err)
			}
			if out := r.Outputs()[0]; fmt.Sprint(out.Shape) != "[2 10]" {
				t.Fatalf("output %s, want [2 10]", out)
			}
			in := append(readCase(t, model, "case_0", "in_0.bin"), readCase(t, model, "case_1", "in_0.bin")...)
			copy(s.Input(0), in)
			if err := s.Run(context.Background()); err != nil {
				t.Fatal(err)
			}
			want := readCase(t, model, "case_0", "out_0.bin")
			got := s.Output(0)[:len(want)]
			if !bytes.Equal(got, want) && !closeF32(got, want) {
				t.Errorf("first row %v, want the reference %v", got, want)
			}
			// 42 steps make 840 values, which [-1, 560] cannot hold.
			err = r.ResizeInputs([][]int{{1, 42, 28}})
			if !errors.Is(err, runtime.ErrInvalidModel) {
				t.Errorf("42 steps: %v, want the RESHAPE refused", err)
			}
			// A fixed dimension of a signature, a wrong rank.
			if err := r.ResizeInputs([][]int{{1, 28}}); !errors.Is(err, runtime.ErrInput) {
				t.Errorf("rank 2: %v", err)
			}
		})
	}
}

func f32At(b []byte, i int) float32 {
	return math.Float32frombits(binary.LittleEndian.Uint32(b[i:]))
}
