package main

import (
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/edgeinfer/edgeinfer/internal/sharedtest"
)

// TestDefaultModels checks that every default model is in the shared
// conformance set with case_0 inputs and has a native figure.
func TestDefaultModels(t *testing.T) {
	shared := sharedtest.Dir(t)
	for _, m := range defaultModels {
		if _, ok := nativeMS[m]["1"]; !ok {
			t.Errorf("%s has no 1-thread native figure", m)
		}
		dir := filepath.Join(shared, "conformance", m)
		if _, err := os.Stat(filepath.Join(dir, "model.tflite")); err != nil {
			t.Errorf("%s: %v", m, err)
		}
		if in, _ := filepath.Glob(filepath.Join(dir, "case_0", "in_*.bin")); len(in) == 0 {
			t.Errorf("%s: no case_0 inputs", m)
		}
	}
}

func TestNativeColumns(t *testing.T) {
	for _, tc := range []struct {
		model, threads string
		median, lo     float64
		want           string
		wantOK         bool
	}{
		{"coral_tf2_mobilenet_v2_224_ptq", "1", 6.76, 1.69, "3.38 ms\t2.00x\t0.50x", true},
		{"coral_tf2_mobilenet_v2_224_ptq", "2", 4.1, 2.05, "2.05 ms\t2.00x\t1.00x", true},
		{"tfls_deeplabv3_float", "2", 4, 3, "-\t-\t-", false},
		{"other", "1", 4, 3, "-\t-\t-", false},
	} {
		got, ok := nativeColumns(tc.model, tc.threads, tc.median, tc.lo)
		if got != tc.want || ok != tc.wantOK {
			t.Errorf("nativeColumns(%s, %s, %g, %g) = %q, %v, want %q, %v", tc.model, tc.threads, tc.median, tc.lo, got, ok, tc.want, tc.wantOK)
		}
	}
}

func TestGeomean(t *testing.T) {
	// The 1-thread ratios: geometric mean 1.88.
	g, n := geomean([]float64{2.08, 1.53, 1.75, 2.22, 1.37, 1.38, 2.88, 1.38, 3.24, 1.86})
	if n != 10 || math.Abs(g-1.88) > 0.005 {
		t.Errorf("geomean = %.3f over %d, want 1.88 over 10", g, n)
	}
	if _, n := geomean(nil); n != 0 {
		t.Errorf("geomean(nil) counted %d", n)
	}
}
