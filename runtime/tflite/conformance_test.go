package tflite_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"unsafe"

	"github.com/edgeinfer/edgeinfer/internal/sharedtest"
	"github.com/edgeinfer/edgeinfer/runtime"
	"github.com/edgeinfer/edgeinfer/runtime/tflite"
)

// conformanceCases mirrors the parts of shared/conformance/<model>/cases.json
// the test uses.
type conformanceCases struct {
	Model   string `json:"model"`
	Outputs []struct {
		DType string `json:"dtype"`
		Shape []int  `json:"shape"`
	} `json:"outputs"`
	Tolerance map[string]tolerance `json:"tolerance"`
	Cases     []struct {
		ID string `json:"id"`
	} `json:"cases"`
}

type tolerance struct {
	Kind             string  `json:"kind"`
	AbsTol           float64 `json:"abs_tol"`
	RelTol           float64 `json:"rel_tol"`
	MaxAbsDiffQ      float64 `json:"max_abs_diff_q"`
	MaxFracDiffering float64 `json:"max_frac_differing"`
}

// compare checks got against want under tol and returns the largest
// difference seen (in real units for floats, quantized units otherwise).
func compare(dtype string, got, want []byte, tol tolerance) (maxDiff float64, err error) {
	if len(got) != len(want) {
		return 0, fmt.Errorf("%d bytes, reference has %d", len(got), len(want))
	}
	var g, w []float64
	switch dtype {
	case "float32":
		for i := 0; i+4 <= len(got); i += 4 {
			g = append(g, float64(*(*float32)(unsafe.Pointer(&got[i]))))
			w = append(w, float64(*(*float32)(unsafe.Pointer(&want[i]))))
		}
	case "int8":
		for i := range got {
			g, w = append(g, float64(int8(got[i]))), append(w, float64(int8(want[i])))
		}
	case "uint8":
		for i := range got {
			g, w = append(g, float64(got[i])), append(w, float64(want[i]))
		}
	case "int16":
		for i := 0; i+2 <= len(got); i += 2 {
			g = append(g, float64(*(*int16)(unsafe.Pointer(&got[i]))))
			w = append(w, float64(*(*int16)(unsafe.Pointer(&want[i]))))
		}
	case "int32":
		for i := 0; i+4 <= len(got); i += 4 {
			g = append(g, float64(*(*int32)(unsafe.Pointer(&got[i]))))
			w = append(w, float64(*(*int32)(unsafe.Pointer(&want[i]))))
		}
	case "int64":
		for i := 0; i+8 <= len(got); i += 8 {
			g = append(g, float64(*(*int64)(unsafe.Pointer(&got[i]))))
			w = append(w, float64(*(*int64)(unsafe.Pointer(&want[i]))))
		}
	default:
		return 0, fmt.Errorf("dtype %s not handled by the comparison", dtype)
	}
	differing, worst := 0, -1
	for i := range g {
		d := math.Abs(g[i] - w[i])
		if math.IsNaN(g[i]) != math.IsNaN(w[i]) {
			d = math.Inf(1)
		}
		if d > maxDiff {
			maxDiff = d
		}
		if d != 0 {
			differing++
		}
		bad := false
		switch tol.Kind {
		case "float":
			bad = d > tol.AbsTol+tol.RelTol*math.Abs(w[i])
		case "quantized":
			bad = d > tol.MaxAbsDiffQ
		}
		if bad && worst < 0 {
			worst = i
		}
	}
	if worst >= 0 {
		return maxDiff, fmt.Errorf("element %d is %v, reference %v (max |diff| %g)", worst, g[worst], w[worst], maxDiff)
	}
	if tol.Kind != "float" && float64(differing) > tol.MaxFracDiffering*float64(len(g)) {
		return maxDiff, fmt.Errorf("%d of %d elements differ, more than the %.0f%% allowed", differing, len(g), 100*tol.MaxFracDiffering)
	}
	return maxDiff, nil
}

// TestConformance runs every case of shared/conformance and
// shared/conformance2 against the reference outputs of the real TFLite
// interpreter and prints a summary. A case without reference outputs (a
// model no TFLite build runs correctly) must run without error.
func TestConformance(t *testing.T) {
	shared := sharedtest.Dir(t)
	var paths []string
	for _, set := range []string{"conformance", "conformance2"} {
		dir := filepath.Join(shared, set)
		ps, _ := filepath.Glob(filepath.Join(dir, "*", "cases.json"))
		if len(ps) == 0 {
			t.Fatalf("no cases.json under %s", dir)
		}
		paths = append(paths, ps...)
	}
	sort.Strings(paths)
	var table []string
	for _, p := range paths {
		var cc conformanceCases
		raw, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(raw, &cc); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		mdir := filepath.Dir(p)
		name := filepath.Base(filepath.Dir(mdir)) + "/" + filepath.Base(mdir)
		passed, total, worst := 0, len(cc.Cases), 0.0
		t.Run(name, func(t *testing.T) {
			m, err := tflite.Open(filepath.Join(mdir, "model.tflite"))
			if err != nil {
				t.Fatalf("open: %v", err)
			}
			defer m.Close()
			cases := cc.Cases
			if testing.Short() && len(cases) > 1 {
				// Under emulation (make qemu runs -short) one case per
				// model covers the kernels; the native run checks them all.
				t.Logf("-short: case %s only of %d", cases[0].ID, len(cases))
				cases, total = cases[:1], 1
			}
			for _, c := range cases {
				cdir := filepath.Join(mdir, c.ID)
				outName := "out_%d.bin"
				if _, err := os.Stat(filepath.Join(cdir, "out_0.bin")); err != nil {
					outName = "patched_ref_out_%d.bin"
				}
				if _, err := os.Stat(filepath.Join(cdir, fmt.Sprintf(outName, 0))); err != nil {
					outName = ""
				}
				ok := t.Run(c.ID, func(t *testing.T) {
					var ins [][]byte
					for i := range m.Inputs() {
						b, err := os.ReadFile(filepath.Join(cdir, fmt.Sprintf("in_%d.bin", i)))
						if err != nil {
							t.Fatal(err)
						}
						ins = append(ins, b)
					}
					outs, err := m.Run(context.Background(), runtime.Options{Threads: 2}, ins)
					if err != nil {
						t.Fatalf("run: %v", err)
					}
					if outName == "" {
						t.Logf("%s: no reference outputs; the run completed", c.ID)
						return
					}
					for j, o := range cc.Outputs {
						want, err := os.ReadFile(filepath.Join(cdir, fmt.Sprintf(outName, j)))
						if err != nil {
							t.Fatal(err)
						}
						d, err := compare(o.DType, outs[j], want, cc.Tolerance[fmt.Sprintf("out_%d", j)])
						worst = max(worst, d)
						if err != nil {
							t.Errorf("output %d: %v", j, err)
						}
					}
				})
				if ok {
					passed++
				}
			}
		})
		table = append(table, fmt.Sprintf("%-52s %2d/%-2d  max|diff| %.3g", name, passed, total, worst))
	}
	t.Logf("conformance summary:\n%s", strings.Join(table, "\n"))
	fmt.Println("conformance summary (model, cases passed, max difference):\n" + strings.Join(table, "\n"))
}
