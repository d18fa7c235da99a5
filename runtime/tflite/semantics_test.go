package tflite_test

import (
	"context"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/edgeinfer/edgeinfer/internal/sharedtest"
	"github.com/edgeinfer/edgeinfer/runtime"
	"github.com/edgeinfer/edgeinfer/runtime/tflite"
)

// TestConformanceSemantics checks the upstream meaning of the real-input
// cases (what the models' own test suites assert), independently of the
// reference outputs. It is the only check tflm_person_detect has, since no
// unmodified TFLite runs that model.
func TestConformanceSemantics(t *testing.T) {
	dir := filepath.Join(sharedtest.Dir(t), "conformance")
	run := func(t *testing.T, model, cs string) (runtime.TensorInfo, []byte) {
		t.Helper()
		m, err := tflite.Open(filepath.Join(dir, model, "model.tflite"))
		if err != nil {
			t.Fatal(err)
		}
		defer m.Close()
		in, err := os.ReadFile(filepath.Join(dir, model, cs, "in_0.bin"))
		if err != nil {
			t.Fatal(err)
		}
		outs, err := m.Run(context.Background(), runtime.Options{}, [][]byte{in})
		if err != nil {
			t.Fatal(err)
		}
		return m.Outputs()[0], outs[0]
	}
	// values returns output 0 dequantized, so the checks read as real numbers.
	values := func(info runtime.TensorInfo, b []byte) []float64 {
		v := make([]float64, info.NumElements())
		for i := range v {
			switch info.DType {
			case runtime.Float32:
				v[i] = float64(math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:])))
			case runtime.Int8:
				v[i] = float64(int8(b[i]))
			case runtime.UInt8:
				v[i] = float64(b[i])
			}
			if q := info.Quant; q != nil && len(q.Scale) == 1 {
				v[i] = float64(q.Scale[0]) * (v[i] - float64(q.ZeroPoint[0]))
			}
		}
		return v
	}
	argmax := func(v []float64) int {
		best := 0
		for i := range v {
			if v[i] > v[best] {
				best = i
			}
		}
		return best
	}
	rank := func(v []float64, k int) int {
		r := 0
		for i := range v {
			if v[i] > v[k] {
				r++
			}
		}
		return r
	}

	t.Run("person_detect: person image scores person higher", func(t *testing.T) {
		v := values(run(t, "tflm_person_detect", "case_2"))
		if v[1] <= v[0] {
			t.Errorf("person %v, no person %v", v[1], v[0])
		}
	})
	t.Run("person_detect: no-person image scores no person higher", func(t *testing.T) {
		v := values(run(t, "tflm_person_detect", "case_3"))
		if v[0] <= v[1] {
			t.Errorf("no person %v, person %v", v[0], v[1])
		}
	})
	for cs, label := range map[string]int{"case_2": 2, "case_3": 3} {
		t.Run("micro_speech "+cs, func(t *testing.T) {
			if got := argmax(values(run(t, "tflm_micro_speech_int8", cs))); got != label {
				t.Errorf("label %d, want %d (silence, unknown, yes, no)", got, label)
			}
		})
	}
	for _, model := range []string{"tfls_mobilenet_v1_025_224_quant", "tfls_mobilenet_v1_025_224_float"} {
		t.Run(model+": cheeseburger", func(t *testing.T) {
			v := values(run(t, model, "case_2"))
			if got := argmax(v); got != 934 {
				t.Errorf("top-1 class %d, want 934 (cheeseburger)", got)
			}
		})
	}
	t.Run("mobilenet_v2: Egyptian cat in the top 3", func(t *testing.T) {
		v := values(run(t, "coral_tf2_mobilenet_v2_224_ptq", "case_2"))
		if r := rank(v, 286); r > 2 || v[286] < 0.6 {
			t.Errorf("class 286 ranks %d with score %.2f, want top 3 and >= 0.6", r+1, v[286])
		}
	})
	for _, x := range []struct {
		cs string
		x  float64
	}{{"case_2", 0}, {"case_3", 1}, {"case_4", 3}, {"case_5", 5}} {
		t.Run("hello_world sin "+x.cs, func(t *testing.T) {
			if y := values(run(t, "tflm_hello_world_float", x.cs))[0]; math.Abs(y-math.Sin(x.x)) > 0.05 {
				t.Errorf("y(%v) = %v, sin = %v", x.x, y, math.Sin(x.x))
			}
		})
	}
}
