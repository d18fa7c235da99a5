package tflite

import (
	"bytes"
	"context"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/edgeinfer/edgeinfer/internal/sharedtest"
	"github.com/edgeinfer/edgeinfer/runtime"
)

// TestGenericBackend runs real models in a session that asks for the
// generic Go kernels beside one with the CPU's SIMD kernels: 8-bit outputs
// must be identical, float outputs equal up to rounding.
func TestGenericBackend(t *testing.T) {
	dir := sharedtest.Dir(t)
	for _, name := range []string{"coral_tf2_mobilenet_v2_224_ptq", "tfls_mobilenet_v1_025_224_quant", "tfls_mobilenet_v1_025_224_float", "mp_face_detection_short_range"} {
		t.Run(name, func(t *testing.T) {
			m, err := Open(filepath.Join(dir, "conformance", name, "model.tflite"))
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			in, err := os.ReadFile(filepath.Join(dir, "conformance", name, "case_0", "in_0.bin"))
			if err != nil {
				t.Fatal(err)
			}
			auto, err := m.Run(context.Background(), runtime.Options{}, [][]byte{in})
			if err != nil {
				t.Fatal(err)
			}
			generic, err := m.Run(context.Background(), runtime.Options{Backend: "generic", Threads: 2}, [][]byte{in})
			if err != nil {
				t.Fatal(err)
			}
			for o, info := range m.Outputs() {
				if info.DType != runtime.Float32 {
					if !bytes.Equal(auto[o], generic[o]) {
						t.Errorf("output %s differs between the generic and the SIMD kernels", info.Name)
					}
					continue
				}
				a, g := f32(auto[o]), f32(generic[o])
				for i := range a {
					if d := math.Abs(float64(a[i] - g[i])); d > 1e-3*max(1, math.Abs(float64(a[i]))) {
						t.Fatalf("output %s[%d]: %g with SIMD, %g generic", info.Name, i, a[i], g[i])
					}
				}
			}
		})
	}
}
