package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"flag"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/internal/sharedtest"
	"github.com/edgeinfer/edgeinfer/runtime"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// conformance returns the path of a file of a shared conformance model.
func conformance(t *testing.T, model, file string) string {
	t.Helper()
	return filepath.Join(sharedtest.Dir(t), "conformance", model, file)
}

func helloModel(t *testing.T) string {
	return conformance(t, "tflm_hello_world_float", "model.tflite")
}

// unsupportedModel writes a copy of the hello_world model whose first
// operator code is rewritten to 127 (PLACEHOLDER_FOR_GREATER_OP_CODES), an
// operator no engine has, and returns its path.
func unsupportedModel(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(helloModel(t))
	if err != nil {
		t.Fatal(err)
	}
	le := binary.LittleEndian
	// field returns the position of a table's field, or 0 when absent.
	field := func(table uint32, slot int) uint32 {
		vt := uint32(int64(table) - int64(int32(le.Uint32(b[table:]))))
		if 4+2*uint32(slot) >= uint32(le.Uint16(b[vt:])) {
			return 0
		}
		off := uint32(le.Uint16(b[vt+4+2*uint32(slot):]))
		if off == 0 {
			return 0
		}
		return table + off
	}
	root := le.Uint32(b)
	vec := field(root, 1) // operator_codes
	vec += le.Uint32(b[vec:])
	code0 := vec + 4 + le.Uint32(b[vec+4:])
	changed := false
	if p := field(code0, 0); p != 0 { // deprecated_builtin_code
		b[p], changed = 127, true
	}
	if p := field(code0, 3); p != 0 { // builtin_code
		le.PutUint32(b[p:], 127)
		changed = true
	}
	if !changed {
		t.Fatal("the hello_world model stores no builtin code to change")
	}
	p := filepath.Join(t.TempDir(), "unsupported.tflite")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// edgeinfer runs the command line in-process.
func edgeinfer(args ...string) (stdout, stderr string, code int) {
	var o, e bytes.Buffer
	code = run(context.Background(), args, &o, &e)
	return o.String(), e.String(), code
}

func writeFile(t *testing.T, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRun(t *testing.T) {
	in := conformance(t, "tflm_hello_world_float", "case_0/in_0.bin")
	out := filepath.Join(t.TempDir(), "out")
	stdout, stderr, code := edgeinfer("run", helloModel(t), "--input", in, "--output-dir", out, "--threads", "2")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"3 operators", "ran in", "out_0.bin (StatefulPartitionedCall:0 float32[1,1])"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("summary %q lacks %q", stdout, want)
		}
	}
	if strings.Count(stdout, "\n") != 1 {
		t.Errorf("summary is not one line: %q", stdout)
	}
	got, err := os.ReadFile(filepath.Join(out, "out_0.bin"))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 4 {
		t.Errorf("out_0.bin has %d bytes, want 4", len(got))
	}
}

// TestRunShape runs the hello-world model (input shape signature [-1, 1])
// on a batch of three: each output equals the single run of its input.
func TestRunShape(t *testing.T) {
	dir := t.TempDir()
	var batch []byte
	var singles [][]byte
	for _, x := range []float32{0.5, 1.5, 3} {
		in := writeFile(t, "x.bin", binary.LittleEndian.AppendUint32(nil, math.Float32bits(x)))
		b, _ := os.ReadFile(in)
		batch = append(batch, b...)
		out := filepath.Join(dir, "single")
		if _, stderr, code := edgeinfer("run", helloModel(t), "--input", in, "--output-dir", out); code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		got, _ := os.ReadFile(filepath.Join(out, "out_0.bin"))
		singles = append(singles, got)
	}
	out := filepath.Join(dir, "batch")
	stdout, stderr, code := edgeinfer("run", helloModel(t), "--shape", "3,1", "--input", writeFile(t, "batch.bin", batch), "--output-dir", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "float32[3,1]") {
		t.Errorf("summary %q lacks the output shape [3,1]", stdout)
	}
	got, _ := os.ReadFile(filepath.Join(out, "out_0.bin"))
	if want := bytes.Join(singles, nil); !bytes.Equal(got, want) {
		t.Errorf("batch outputs %x, want the single runs %x", got, want)
	}
	if _, stderr, code := edgeinfer("run", helloModel(t), "--shape", "3,x", "--input", writeFile(t, "b.bin", batch), "--output-dir", out); code == 0 || !strings.Contains(stderr, "positive integers") {
		t.Errorf("bad --shape: exit %d, %s", code, stderr)
	}
}

func TestErrors(t *testing.T) {
	model := helloModel(t)
	good := writeFile(t, "good.bin", make([]byte, 4))
	long := writeFile(t, "long.bin", make([]byte, 8))
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.bin")
	for _, tc := range []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"no command", nil, 2, []string{"Commands:", "inspect"}},
		{"unknown command", []string{"frobnicate"}, 2, []string{`edgeinfer: unknown command "frobnicate"`, "edgeinfer help"}},
		{"bad flag", []string{"run", "--bogus", model}, 2, []string{"edgeinfer run: flag provided but not defined: -bogus", "edgeinfer run --help"}},
		{"bad flag value", []string{"bench", "--runs", "many", model}, 2, []string{"edgeinfer bench:", `invalid value "many"`}},
		{"missing model argument", []string{"inspect"}, 2, []string{"edgeinfer inspect: missing argument"}},
		{"extra argument", []string{"inspect", model, "other.tflite"}, 2, []string{`unexpected argument "other.tflite"`}},
		{"missing output dir", []string{"run", model, "--input", good}, 2, []string{"--output-dir is required"}},
		{"zero threads", []string{"run", model, "--input", good, "--output-dir", dir, "--threads", "0"}, 2, []string{"--threads must be at least 1"}},
		{"wrong input size", []string{"run", model, "--input", long, "--output-dir", dir}, 1,
			[]string{"edgeinfer run: input 0: " + long + " holds 8 bytes", "serving_default_dense_input:0 float32[1,1]", "needs 4 bytes", "1 elements of float32"}},
		{"missing input file", []string{"run", model, "--input", missing, "--output-dir", dir}, 1, []string{"edgeinfer run: input 0: open " + missing + ": no such file"}},
		{"too few inputs", []string{"run", model, "--output-dir", dir}, 1, []string{"the model takes 1 inputs, 0 given", "input 0: serving_default_dense_input:0 float32[1,1] (4 bytes)"}},
		{"too many inputs", []string{"run", model, "--input", good, "--input", good, "--output-dir", dir}, 1, []string{"the model takes 1 inputs, 2 given"}},
		{"missing model", []string{"run", filepath.Join(dir, "nope.tflite"), "--input", good, "--output-dir", dir}, 1, []string{"edgeinfer run: model: stat " + filepath.Join(dir, "nope.tflite") + ": no such file"}},
		{"output dir is a file", []string{"run", model, "--input", good, "--output-dir", good}, 1, []string{"edgeinfer run: output directory:", good}},
		{"not a model", []string{"inspect", good}, 1, []string{"edgeinfer inspect: tflite: " + good + ": runtime: invalid model"}},
		{"unsupported operator", []string{"run", unsupportedModel(t), "--input", good, "--output-dir", dir}, 1,
			[]string{"runtime: unsupported: operator 0: PLACEHOLDER_FOR_GREATER_OP_CODES"}},
		{"bench unsupported", []string{"bench", unsupportedModel(t)}, 1, []string{"runtime: unsupported"}},
		{"help unknown", []string{"help", "frobnicate"}, 2, []string{`unknown command "frobnicate"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr, code := edgeinfer(tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, tc.code, stderr)
			}
			if stdout != "" {
				t.Errorf("stdout %q, want nothing", stdout)
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr %q lacks %q", stderr, w)
				}
			}
			if code == 1 && (strings.Count(stderr, "edgeinfer ") != 1 || !strings.HasPrefix(stderr, "edgeinfer "+tc.args[0]+": ")) {
				t.Errorf("the error is not printed exactly once after the command's name: %q", stderr)
			}
		})
	}
}

func TestHelp(t *testing.T) {
	for _, c := range commands {
		for _, args := range [][]string{{c.name, "--help"}, {c.name, "-h"}, {"help", c.name}} {
			stdout, stderr, code := edgeinfer(args...)
			if code != 0 || stderr != "" {
				t.Errorf("%v: exit %d, stderr %q", args, code, stderr)
			}
			for _, want := range []string{"Usage: edgeinfer " + c.name, "Example:\n\n\tedgeinfer " + c.name} {
				if !strings.Contains(stdout, want) {
					t.Errorf("%v: help lacks %q:\n%s", args, want, stdout)
				}
			}
		}
	}
	if stdout, _, code := edgeinfer("help"); code != 0 || !strings.Contains(stdout, "bench") {
		t.Errorf("help: exit %d, %q", code, stdout)
	}
}

// TestInspectGolden compares inspect's text and JSON with testdata/*.golden;
// go test -run TestInspectGolden -update rewrites them.
func TestInspectGolden(t *testing.T) {
	for _, tc := range []struct{ name, model string }{
		{"hello_world", helloModel(t)},
		{"unsupported", unsupportedModel(t)},
		{"mobilenet_metadata", conformance(t, "tfls_mobilenet_v1_025_224_quant", "model.tflite")},
	} {
		for _, format := range []string{"text", "json"} {
			t.Run(tc.name+"_"+format, func(t *testing.T) {
				args := []string{"inspect", tc.model}
				if format == "json" {
					args = append(args, "--json")
				}
				stdout, stderr, code := edgeinfer(args...)
				if code != 0 {
					t.Fatalf("exit %d: %s", code, stderr)
				}
				got := strings.ReplaceAll(stdout, tc.model, "MODEL")
				golden := filepath.Join("testdata", "inspect_"+tc.name+"."+format+".golden")
				if *update {
					if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (run with -update to create it)", err)
				}
				if got != string(want) {
					t.Errorf("inspect output differs from %s (run with -update after checking):\n--- got\n%s\n--- want\n%s", golden, got, want)
				}
			})
		}
	}
}

// TestInspectBadMetadata checks that a model whose metadata is malformed
// is still inspected, with the reason the metadata was refused.
func TestInspectBadMetadata(t *testing.T) {
	b, err := os.ReadFile(conformance(t, "tfls_mobilenet_v1_025_224_quant", "model.tflite"))
	if err != nil {
		t.Fatal(err)
	}
	at := bytes.Index(b, []byte("M001"))
	if at < 0 {
		t.Fatal("the model's metadata has no M001 identifier")
	}
	copy(b[at:], "XXXX")
	path := filepath.Join(t.TempDir(), "bad.tflite")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := edgeinfer("inspect", path)
	if code != 0 || !strings.Contains(stdout, `metadata: invalid: file identifier "XXXX", want "M001"`) {
		t.Fatalf("exit %d, stdout:\n%s\nstderr: %s", code, stdout, stderr)
	}
	stdout, _, code = edgeinfer("inspect", "--json", path)
	var r struct {
		Metadata      *json.RawMessage `json:"metadata"`
		MetadataError string           `json:"metadata_error"`
	}
	if err := json.Unmarshal([]byte(stdout), &r); code != 0 || err != nil || r.Metadata != nil || !strings.Contains(r.MetadataError, "file identifier") {
		t.Fatalf("exit %d, %v, %+v", code, err, r)
	}
}

func TestBenchJSON(t *testing.T) {
	stdout, stderr, code := edgeinfer("bench", "--json", "--runs", "20", "--warmup", "1", "--threads", "2", helloModel(t))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var r map[string]any
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatalf("not one JSON object: %v\n%s", err, stdout)
	}
	for _, k := range []string{"model", "threads", "runs", "load_ms", "first_run_ms", "min_ms", "median_ms", "p90_ms", "p99_ms", "max_ms", "allocs_per_run", "arena_bytes", "peak_rss_bytes", "kernels", "split"} {
		if _, ok := r[k]; !ok {
			t.Errorf("JSON lacks %q", k)
		}
	}
	if r["runs"] != 20.0 || r["threads"] != 2.0 {
		t.Errorf("runs %v threads %v, want 20 and 2", r["runs"], r["threads"])
	}
	if r["min_ms"].(float64) > r["median_ms"].(float64) || r["median_ms"].(float64) > r["max_ms"].(float64) {
		t.Errorf("min, median, max out of order: %v", stdout)
	}
	if a := r["allocs_per_run"].(float64); a >= 1 {
		t.Errorf("%v allocations per run; Session.Run should make none", a)
	}
}

func TestBenchText(t *testing.T) {
	stdout, stderr, code := edgeinfer("bench", "--runs", "3", helloModel(t))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"load", "first run", "median", "allocations", "arena", "peak RSS"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("bench output lacks %q:\n%s", want, stdout)
		}
	}
}

// TestFillRandomMatchesReferences checks that bench's generator is the one
// the conformance inputs were made with (seed 1 is case_0 of these models).
func TestFillRandomMatchesReferences(t *testing.T) {
	for _, tc := range []struct {
		model string
		dtype runtime.DType
	}{
		{"mp_face_detection_short_range", runtime.Float32},
		{"tiny_resnet8_int8", runtime.Int8},
	} {
		want, err := os.ReadFile(conformance(t, tc.model, "case_0/in_0.bin"))
		if err != nil {
			t.Fatal(err)
		}
		got := make([]byte, len(want))
		fillRandom(got, tc.dtype, newXorshift32(1))
		if !bytes.Equal(got, want) {
			t.Errorf("%s: seed 1 does not reproduce case_0/in_0.bin", tc.model)
		}
	}
}

func TestVersion(t *testing.T) {
	stdout, _, code := edgeinfer("version")
	if code != 0 || !strings.HasPrefix(stdout, "edgeinfer "+version+"\n") || !strings.Contains(stdout, "go1.") {
		t.Errorf("exit %d, %q", code, stdout)
	}
}

// TestInspectMetadataEscapes checks that text from a model's metadata
// cannot drive the terminal or forge lines.
func TestInspectMetadataEscapes(t *testing.T) {
	r := &inspectReport{Metadata: &metadataReport{
		Name: "evil\x1b[2J", Description: "line\nsupported: yes", Author: "a\rb",
		Outputs: []tensorMetadataReport{{Name: "out\x1b", Kind: "feature", Labels: &labelsReport{File: "l\n.txt", Type: "TENSOR_AXIS_LABELS", Count: 1, First: []string{"\x1b]0;x\a"}}}},
		Files:   []fileReport{{Name: "f\x1b", Type: "DESCRIPTIONS", Size: 1}},
	}}
	var b strings.Builder
	r.writeMetadata(&b)
	out := b.String()
	if strings.ContainsAny(out, "\x1b\r\a") || strings.Count(out, "\n") != 7 {
		t.Fatalf("metadata text not escaped:\n%q", out)
	}
}
