package tflite_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/edgeinfer/edgeinfer/internal/sharedtest"
	"github.com/edgeinfer/edgeinfer/runtime"
	"github.com/edgeinfer/edgeinfer/runtime/kernels"
	"github.com/edgeinfer/edgeinfer/runtime/tflite"
)

// readCSV reads a TFLM test vector (<model>_input<k>_<type>.csv or
// <model>_golden_<type>.csv: comma-separated integers) as the raw
// little-endian bytes of a tensor of type dt.
func readCSV(path string, dt runtime.DType) ([]byte, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []byte
	for _, f := range strings.FieldsFunc(string(raw), func(r rune) bool { return r == ',' || r == '\n' || r == '\r' || r == ' ' }) {
		v, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		switch dt.Size() {
		case 1:
			out = append(out, byte(v))
		case 2:
			out = binary.LittleEndian.AppendUint16(out, uint16(v))
		case 4:
			out = binary.LittleEndian.AppendUint32(out, uint32(v))
		case 8:
			out = binary.LittleEndian.AppendUint64(out, uint64(v))
		default:
			return nil, fmt.Errorf("%s: cannot read %s values", path, dt)
		}
	}
	return out, nil
}

// intValue decodes element i of a little-endian integer tensor.
func intValue(b []byte, dt runtime.DType, i int) int64 {
	switch dt {
	case runtime.Int8:
		return int64(int8(b[i]))
	case runtime.UInt8:
		return int64(b[i])
	case runtime.Int16:
		return int64(int16(binary.LittleEndian.Uint16(b[2*i:])))
	case runtime.Int32:
		return int64(int32(binary.LittleEndian.Uint32(b[4*i:])))
	}
	return int64(binary.LittleEndian.Uint64(b[8*i:]))
}

// fillOnes sets every element of a tensor of type dt to one.
func fillOnes(b []byte, dt runtime.DType) {
	one := []byte{1}
	switch dt {
	case runtime.Float32:
		one = binary.LittleEndian.AppendUint32(nil, math.Float32bits(1))
	case runtime.Int16, runtime.UInt16, runtime.Int32, runtime.UInt32, runtime.Int64, runtime.UInt64:
		one = make([]byte, dt.Size())
		one[0] = 1
	}
	for i := 0; i+len(one) <= len(b); i += len(one) {
		copy(b[i:], one)
	}
}

// vectorFile returns the csv of a TFLM test vector for dtype dt, or "".
func vectorFile(base, kind string, dt runtime.DType) string {
	p := fmt.Sprintf("%s_%s_%s.csv", base, kind, dt)
	if _, err := os.Stat(p); err != nil {
		return ""
	}
	return p
}

// runUnitModel loads and runs one model. It returns the load error (the
// model was refused), or the outcome of running it: the number of golden
// outputs compared, or an error. A panic is reported as a run error.
func runUnitModel(path string) (loadErr error, golden int, runErr error) {
	defer func() {
		if r := recover(); r != nil {
			runErr = fmt.Errorf("panic: %v", r)
		}
	}()
	m, err := tflite.Open(path)
	if err != nil {
		return err, 0, nil
	}
	defer m.Close()
	s, err := m.NewSession(runtime.Options{})
	if err != nil {
		return nil, 0, fmt.Errorf("new session: %w", err)
	}
	defer s.Close()
	base := strings.TrimSuffix(path, ".tflite")
	vectors := map[int]bool{}
	for i, in := range m.Inputs() {
		if p := vectorFile(base, fmt.Sprintf("input%d", i), in.DType); p != "" {
			b, err := readCSV(p, in.DType)
			if err != nil {
				return nil, 0, err
			}
			if len(b) != len(s.Input(i)) {
				return nil, 0, fmt.Errorf("%s holds %d bytes, input %s takes %d", p, len(b), in, len(s.Input(i)))
			}
			copy(s.Input(i), b)
			vectors[i] = true
		}
	}
	// A WHILE loop may never end on zeros (litert_tfl_nested_while doubles
	// its input until it passes a bound): the deadline only ends such a
	// run, which is then repeated on ones, without a deadline.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	err = s.Run(ctx)
	cancel()
	if errors.Is(err, kernels.ErrDivisionByZero) || errors.Is(err, context.DeadlineExceeded) {
		// Zero is no divisor either (FLOOR_MOD, FLOOR_DIV of integer
		// inputs, which TFLite refuses as well): run again on ones.
		for i, in := range m.Inputs() {
			if !vectors[i] {
				fillOnes(s.Input(i), in.DType)
			}
		}
		err = s.Run(context.Background())
	}
	if err != nil {
		return nil, 0, fmt.Errorf("run: %w", err)
	}
	outs := m.Outputs()
	if len(outs) != 1 {
		return nil, 0, nil
	}
	p := vectorFile(base, "golden", outs[0].DType)
	if p == "" {
		return nil, 0, nil
	}
	want, err := readCSV(p, outs[0].DType)
	if err != nil {
		return nil, 0, err
	}
	got := s.Output(0)
	if len(got) != len(want) {
		return nil, 0, fmt.Errorf("output %s has %d bytes, %s %d", outs[0], len(got), p, len(want))
	}
	// TFLM's reference kernels are the golden source; allow one unit.
	for i := range outs[0].NumElements() {
		g, w := intValue(got, outs[0].DType, i), intValue(want, outs[0].DType, i)
		if g-w > 1 || w-g > 1 {
			return nil, 1, fmt.Errorf("output element %d is %d, golden %d", i, g, w)
		}
	}
	return nil, 1, nil
}

// minUnitModelsRunning is the fewest unit models that must load and run: a
// floor that only goes up as operators are added.
const minUnitModelsRunning = 220

// TestUnitModels loads every model under shared/models/unit: each must load
// and run on zero inputs (or its TFLM test vectors, compared with the
// golden output), or be refused as invalid or unsupported, never panic. At
// least minUnitModelsRunning must run.
func TestUnitModels(t *testing.T) {
	root := filepath.Join(sharedtest.Dir(t), "models", "unit")
	var paths []string
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".tflite") {
			paths = append(paths, p)
		}
		return nil
	})
	if len(paths) == 0 {
		t.Fatalf("no models under %s", root)
	}
	var ran, compared, unsupported, invalid int
	reasons := map[string]int{}
	for _, p := range paths {
		rel, _ := filepath.Rel(root, p)
		loadErr, golden, runErr := runUnitModel(p)
		// TFLM's 16x8 per-layer models must all run and match TFLM's
		// outputs within one unit.
		seanet := strings.HasPrefix(rel, "tflm_seanet"+string(filepath.Separator))
		switch {
		case seanet && loadErr == nil && runErr == nil && golden == 0:
			t.Errorf("%s: ran without a golden output to compare with", rel)
		case loadErr == nil && runErr == nil:
			ran++
			compared += golden
		case loadErr == nil:
			t.Errorf("%s: loaded but %v", rel, runErr)
		case seanet:
			t.Errorf("%s: refused: %v", rel, loadErr)
		case errors.Is(loadErr, runtime.ErrUnsupported):
			unsupported++
			reasons[reason(loadErr)]++
		case errors.Is(loadErr, runtime.ErrInvalidModel):
			invalid++
			t.Logf("%s: refused as invalid: %v", rel, loadErr)
		default:
			t.Errorf("%s: error wraps neither ErrInvalidModel nor ErrUnsupported: %v", rel, loadErr)
		}
	}
	var lines []string
	for r, n := range reasons {
		lines = append(lines, fmt.Sprintf("%5d  %s", n, r))
	}
	sort.Strings(lines)
	if ran < minUnitModelsRunning {
		t.Errorf("%d unit models ran, fewer than the %d that ran before", ran, minUnitModelsRunning)
	}
	fmt.Printf("unit models: %d in all: %d loaded and ran (%d compared with golden outputs), %d refused as unsupported, %d refused as invalid\nunsupported, by reason:\n%s\n",
		len(paths), ran, compared, unsupported, invalid, strings.Join(lines, "\n"))
}

// reason shortens an unsupported-model error to the operator or feature
// named, for the summary.
func reason(err error) string {
	msg := err.Error()
	if i := strings.Index(msg, "unsupported: "); i >= 0 {
		msg = msg[i+len("unsupported: "):]
	}
	if i := strings.Index(msg, "operator "); i == 0 {
		// "operator 3: NAME (version 1) is not supported ..." -> NAME
		f := strings.Fields(msg)
		if len(f) > 2 {
			return f[2]
		}
	}
	if i := strings.Index(msg, ": "); i >= 0 && strings.HasPrefix(msg, "tensor") {
		return msg[i+2:]
	}
	return msg
}
