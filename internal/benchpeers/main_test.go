package main

import (
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
		if _, ok := nativeMS[m]; !ok {
			t.Errorf("%s has no native figure", m)
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
	}{
		{"coral_tf2_mobilenet_v2_224_ptq", "1", 16.4, 4.1, "8.2 ms\t2.00x\t0.50x"},
		{"coral_tf2_mobilenet_v2_224_ptq", "2", 4, 3, "-\t-\t-"},
		{"other", "1", 4, 3, "-\t-\t-"},
	} {
		if got := nativeColumns(tc.model, tc.threads, tc.median, tc.lo); got != tc.want {
			t.Errorf("nativeColumns(%s, %s, %g, %g) = %q, want %q", tc.model, tc.threads, tc.median, tc.lo, got, tc.want)
		}
	}
}
