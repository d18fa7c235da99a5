package main

import (
	"math"
	"os"
	"path/filepath"
	"strings"
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
		native     float64
		measured   bool
		median, lo float64
		want       string
		wantOK     bool
	}{
		{nativeMS["coral_tf2_mobilenet_v2_224_ptq"]["1"], false, 4.928, 1.232, "2.46 ms*\t2.00x\t0.50x", true},
		{2.05, true, 4.1, 2.05, "2.05 ms\t2.00x\t1.00x", true},
		{nativeMS["other"]["1"], false, 4, 3, "-\t-\t-", false},
	} {
		got, ok := nativeColumns(tc.native, tc.measured, tc.median, tc.lo)
		if got != tc.want || ok != tc.wantOK {
			t.Errorf("nativeColumns(%g, %v, %g, %g) = %q, %v, want %q, %v", tc.native, tc.measured, tc.median, tc.lo, got, ok, tc.want, tc.wantOK)
		}
	}
}

func TestParseNative(t *testing.T) {
	out := []byte(`INFO: Running benchmark for at least 3 iterations and at least 0 seconds but terminate if exceeding 150 seconds.
INFO: count=3 first=132 curr=89 min=89 max=132 avg=106.333 std=18 p5=89 median=98 p95=132
INFO: Running benchmark for at least 30 iterations and at least 0 seconds but terminate if exceeding 150 seconds.
INFO: count=30 first=97 curr=99 min=77 max=149 avg=98.6333 std=17 p5=77 median=97 p95=119
INFO: Inference timings in us: Init: 5210, First inference: 132, Warmup (avg): 106.333, Inference (avg): 98.6333
`)
	r, err := parseNative(out)
	if err != nil || r.min != 0.077 || r.median != 0.097 {
		t.Errorf("parseNative = %+v, %v; want min 0.077 and median 0.097 ms (the timed runs, not the warmup)", r, err)
	}
	if _, err := parseNative([]byte("ERROR: Could not open 'x.tflite'.")); err == nil || !strings.Contains(err.Error(), "no timing line") {
		t.Errorf("parseNative of a failed run: %v", err)
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
