package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/edgeinfer/edgeinfer/agent/server"
	"github.com/edgeinfer/edgeinfer/api"
	"github.com/edgeinfer/edgeinfer/internal/apitest"
)

// fakeAgent serves the fake agent of apitest on a real socket until the
// test ends and returns the socket's path.
func fakeAgent(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "eicli")
	if err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "edgeinfer.sock")
	ln, err := server.Listen(sock, 0, "")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- server.Serve(ctx, ln, apitest.New(), server.Options{}) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Error(err)
			}
		case <-time.After(time.Minute):
			t.Error("the fake agent did not stop")
		}
		os.RemoveAll(dir)
	})
	return sock
}

// latency matches the round-trip time, the one figure that varies.
var latency = regexp.MustCompile(`\d+\.\d{3} ms round trip`)

// checkGolden compares got with testdata/name; -update rewrites it.
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	golden := filepath.Join("testdata", name)
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
		t.Errorf("output differs from %s (run with -update after checking):\n--- got\n%s\n--- want\n%s", golden, got, want)
	}
}

func TestInfer(t *testing.T) {
	sock := fakeAgent(t)
	dir := t.TempDir()
	xJSON := writeFile(t, "x.json", []byte(`{"name": "x", "datatype": "FP32", "shape": [1, 3], "data": [[1, 2, 3.5]]}`))
	request := writeFile(t, "request", []byte(` {"inputs": [{"name": "x", "datatype": "FP32", "shape": [1, 3], "data": [1, 2, 3.5]}]}`))
	xRaw := writeFile(t, "x.bin", apitest.Float32Bytes(1, 2, 3.5))
	image := writeFile(t, "image.bin", []byte{1, 2, 3, 4})
	out := filepath.Join(dir, "out")
	for _, tc := range []struct {
		golden string
		args   []string
	}{
		{"infer_double_top5.golden", []string{"infer", "double", "--input", xJSON, "--socket", sock}},
		{"infer_double.golden", []string{"infer", "--socket", sock, "double", "--input", request, "--top", "0"}},
		{"infer_double.golden", []string{"infer", "double", "--input", xRaw, "--socket", sock, "--top", "0"}},
		{"infer_double_top.golden", []string{"infer", "double", "--input", xRaw, "--socket", sock, "--top", "2", "--no-cache"}},
		{"infer_classify.golden", []string{"infer", "classify", "--input", image, "--socket", sock, "--output-dir", out}},
		{"infer_classify.json.golden", []string{"infer", "classify", "--input", image, "--socket", sock, "--json"}},
	} {
		t.Run(strings.Join(tc.args[1:3], " ")+" "+tc.golden, func(t *testing.T) {
			stdout, stderr, code := edgeinfer(tc.args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			got := latency.ReplaceAllString(stdout, "X ms round trip")
			got = strings.ReplaceAll(got, out, "OUT")
			checkGolden(t, tc.golden, got)
		})
	}
	b, err := os.ReadFile(filepath.Join(out, "out_scores.bin"))
	if err != nil || len(b) != 40 {
		t.Errorf("out_scores.bin: %d bytes, %v", len(b), err)
	}
}

func TestInferErrors(t *testing.T) {
	sock := fakeAgent(t)
	dir := t.TempDir()
	short := writeFile(t, "short.bin", make([]byte, 8))
	wrongDtype := writeFile(t, "x.json", []byte(`{"name": "x", "datatype": "FP16", "shape": [1, 3], "data": [1, 2, 3]}`))
	wrongCount := writeFile(t, "count.json", []byte(`{"inputs": [{"name": "x", "datatype": "FP32", "shape": [1, 3], "data": [1, 2]}]}`))
	tooBig := writeFile(t, "big.json", []byte(`{"name": "b", "datatype": "UINT8", "shape": [1, 4], "data": [1, 2, 300, 4]}`))
	noName := writeFile(t, "noname.json", []byte(`{"datatype": "UINT8", "shape": [1, 4], "data": [1, 2, 3, 4]}`))
	for _, tc := range []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"no input", []string{"infer", "double", "--socket", sock}, 2, []string{"edgeinfer infer: at least one --input (or --image or --audio) is required"}},
		{"sequence flag without an id", []string{"infer", "double", "--input", short, "--sequence-start", "--socket", sock}, 2,
			[]string{"--sequence-start and --sequence-end need --sequence-id"}},
		{"no model", []string{"infer", "--input", short, "--socket", sock}, 2, []string{"missing argument"}},
		{"unknown model", []string{"infer", "nope", "--input", short, "--socket", sock}, 1, []string{`edgeinfer infer: agent: no such model: "nope" (HTTP 404 Not Found)`}},
		{"raw file of the wrong size", []string{"infer", "double", "--input", short, "--socket", sock}, 1,
			[]string{short + ` holds 8 bytes, but input "x" (FP32[1,3]) needs 12 bytes (3 elements of FP32)`}},
		{"too many raw files", []string{"infer", "double", "--input", short, "--input", short, "--socket", sock}, 1,
			[]string{`model "double" has 1 inputs not given by JSON files, and 2 raw files were given`, `input 0: "x" FP32[1,3] (12 bytes)`}},
		{"wrong dtype", []string{"infer", "double", "--input", wrongDtype, "--socket", sock}, 1,
			[]string{`agent: model "double": runtime: bad input: input "x": dtype float16, the model takes float32 (HTTP 400 Bad Request)`}},
		{"wrong element count", []string{"infer", "double", "--input", wrongCount, "--socket", sock}, 1,
			[]string{wrongCount + `: input "x": shape [1,3] has 3 elements but data has 2`}},
		{"value out of range", []string{"infer", "bytes", "--input", tooBig, "--socket", sock}, 1,
			[]string{tooBig + `: input "b": element 2: 300 is out of range for UINT8 [0, 255]`}},
		{"tensor without a name", []string{"infer", "bytes", "--input", noName, "--socket", sock}, 1,
			[]string{noName + `: neither a KServe v2 request`}},
		{"missing file", []string{"infer", "bytes", "--input", filepath.Join(dir, "none.bin"), "--socket", sock}, 1, []string{"input: open " + filepath.Join(dir, "none.bin")}},
		{"queue full", []string{"infer", "full", "--input", writeFile(t, "b.bin", []byte{1, 2, 3, 4}), "--socket", sock}, 1,
			[]string{`agent: queue full: model "full" has 64 requests waiting (HTTP 503 Service Unavailable)`}},
		{"no agent", []string{"infer", "double", "--input", short, "--socket", filepath.Join(dir, "none.sock")}, 1,
			[]string{"agent at " + filepath.Join(dir, "none.sock"), "is the agent running?"}},
		{"models no agent", []string{"models", "--socket", filepath.Join(dir, "none.sock")}, 1, []string{"is the agent running?"}},
		{"models extra argument", []string{"models", "x"}, 2, []string{`unexpected argument "x"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr, code := edgeinfer(tc.args...)
			if code != tc.code || stdout != "" {
				t.Errorf("exit %d (want %d), stdout %q, stderr %q", code, tc.code, stdout, stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr %q lacks %q", stderr, w)
				}
			}
		})
	}
}

func TestModels(t *testing.T) {
	sock := fakeAgent(t)
	for _, tc := range []struct {
		golden string
		args   []string
	}{
		{"models.golden", []string{"models", "--socket", sock}},
		{"models.json.golden", []string{"models", "--json", "--socket", sock}},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			stdout, stderr, code := edgeinfer(tc.args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			checkGolden(t, tc.golden, stdout)
		})
	}
}

// FuzzJSONTensors feeds arbitrary JSON tensor files to infer's reader: it
// must return an error or tensors whose bytes fit their shapes.
func FuzzJSONTensors(f *testing.F) {
	for _, s := range []string{
		`{"name": "x", "datatype": "FP32", "shape": [1, 3], "data": [[1, 2, 3.5]]}`,
		`{"inputs": [{"name": "x", "datatype": "FP32", "shape": [1, 3], "data": [1, 2, 3.5]}]}`,
		`{"inputs": [{"name": "x", "datatype": "FP32", "shape": [1, 3], "data": [1, 2]}]}`,
		`{"name": "b", "datatype": "UINT8", "shape": [1, 4], "data": [1, 2, 300, 4]}`,
		`{"datatype": "UINT8", "shape": [1, 4], "data": [1, 2, 3, 4]}`,
		`{"name": "b", "datatype": "INT8", "shape": [-1, 2], "data": [1, 2]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		ts, err := jsonTensors("f.json", b)
		if err != nil {
			return
		}
		for _, tn := range ts {
			dt, err := api.ParseDatatype(tn.Datatype)
			if err != nil || len(tn.Data) != elements(tn.Shape)*dt.Size() {
				t.Fatalf("tensor %q: %d bytes of %s for shape %v", tn.Name, len(tn.Data), tn.Datatype, tn.Shape)
			}
		}
	})
}
