package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"testing"

	"github.com/edgeinfer/edgeinfer/api"
	"github.com/edgeinfer/edgeinfer/client"
	"github.com/edgeinfer/edgeinfer/internal/sharedtest"
)

// clientsDir is clients/ at the top of the module.
func clientsDir(t *testing.T) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("no caller information")
	}
	return filepath.Join(filepath.Dir(file), "..", "..", "clients")
}

// TestClientsInOtherLanguages runs the one-file Python client (binary and
// JSON tensors) and the Node example against the real agent serving a
// real detection model (one uint8 input, four float32 outputs) and checks
// that each writes the same output bytes as the Go client; then each
// sends a photo to a classifier and answers the same decoded classes as
// the Go client, and prints them as edgeinfer infer --image does.
func TestClientsInOtherLanguages(t *testing.T) {
	python, errPy := exec.LookPath("python3")
	node, errNode := exec.LookPath("node")
	if errPy != nil || errNode != nil {
		t.Skipf("SKIPPED: the clients test needs python3 (%v) and node (%v); .ci/run installs them", errPy, errNode)
	}
	const model = "tfls_coco_ssd_mobilenet_v1_quant"
	dir := t.TempDir()
	socket := filepath.Join(dir, "agent.sock")
	p := startAgentProc(t, procOptions{}, "--socket", socket, "--data-dir", filepath.Join(dir, "data"),
		"--model", "det="+conformance(t, model, "model.tflite"), "--model", "cls="+conformance(t, "tfls_mobilenet_v1_025_224_quant", "model.tflite"))
	waitReady(t, unixClient(socket), p.exited)
	input := conformance(t, model, filepath.Join("case_0", "in_0.bin"))

	c := &client.Client{Socket: socket}
	meta, err := c.Model(context.Background(), "det")
	if err != nil {
		t.Fatal(err)
	}
	in, err := os.ReadFile(input)
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.Infer(context.Background(), "det", []client.Tensor{{Name: meta.Inputs[0].Name, Datatype: meta.Inputs[0].Datatype, Shape: meta.Inputs[0].Shape, Data: in}}, client.NoCache())
	if err != nil {
		t.Fatal(err)
	}
	want := make([][]byte, len(meta.Outputs))
	for k, o := range meta.Outputs {
		out, ok := res.Output(o.Name)
		if !ok {
			t.Fatalf("the Go client's answer lacks output %s", o.Name)
		}
		want[k] = out.Data
	}
	if len(want) != 4 {
		t.Fatalf("the model has %d outputs, want 4: the test checks less than it says", len(want))
	}

	py := filepath.Join(clientsDir(t), "python", "edgeinfer_client.py")
	for _, tc := range []struct {
		name string
		cmd  []string
	}{
		{"python binary", []string{python, py, "--socket", socket, "infer", "det", "--input", input}},
		{"python json", []string{python, py, "--socket", socket, "infer", "det", "--input", input, "--json"}},
		{"node", []string{node, filepath.Join(clientsDir(t), "node", "infer.mjs"), "det", "--input", input, "--socket", socket}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := t.TempDir()
			cmd := exec.Command(tc.cmd[0], append(tc.cmd[1:], "--output-dir", out)...)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Run(); err != nil {
				t.Fatalf("%v: %v\n%s", tc.cmd, err, stderr.String())
			}
			for k := range want {
				got, err := os.ReadFile(filepath.Join(out, fmt.Sprintf("out_%d.bin", k)))
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want[k]) {
					t.Errorf("output %d (%s): %d bytes differ from the Go client's %d", k, meta.Outputs[k].Name, len(got), len(want[k]))
				}
			}
		})
	}

	cat := filepath.Join(sharedtest.Dir(t), "conformance2", "coral_mobilenet_v1_075_192_quant", "source", "cat.bmp")
	photo, err := os.ReadFile(cat)
	if err != nil {
		t.Fatal(err)
	}
	decoded, err := c.InferMedia(context.Background(), "cls", "", photo, client.TopK(3))
	if err != nil {
		t.Fatal(err)
	}
	if len(decoded.Classes) != 3 || decoded.Classes[0].Label != "Egyptian cat" {
		t.Fatalf("the Go client's classes %+v, want Egyptian cat first", decoded.Classes)
	}
	goText, stderrText, code := edgeinfer("infer", "--socket", socket, "cls", "--image", cat, "--top", "3")
	if code != 0 {
		t.Fatalf("edgeinfer infer --image: exit %d: %s", code, stderrText)
	}
	for _, tc := range []struct {
		name string
		cmd  []string
	}{
		{"python image", []string{python, py, "--socket", socket, "infer", "cls", "--image", cat, "--top", "3"}},
		{"node image", []string{node, filepath.Join(clientsDir(t), "node", "infer.mjs"), "cls", "--image", cat, "--top", "3", "--socket", socket}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, asJSON := range []bool{true, false} {
				args := tc.cmd[1:]
				if asJSON {
					args = append(slices.Clone(args), "--json")
				}
				cmd := exec.Command(tc.cmd[0], args...)
				var stdout, stderr bytes.Buffer
				cmd.Stdout, cmd.Stderr = &stdout, &stderr
				if err := cmd.Run(); err != nil {
					t.Fatalf("%v: %v\n%s", args, err, stderr.String())
				}
				if !asJSON {
					if got, want := body(stdout.String()), body(goText); got != want {
						t.Errorf("printed\n%s\nedgeinfer infer printed\n%s", stdout.String(), goText)
					}
					continue
				}
				var d api.Decoded
				if err := json.Unmarshal(stdout.Bytes(), &d); err != nil {
					t.Fatalf("--json: %v\n%s", err, stdout.String())
				}
				if d.Kind != decoded.Kind || !reflect.DeepEqual(d.Classes, decoded.Classes) || d.Width != decoded.Width || d.Height != decoded.Height {
					t.Errorf("decoded %+v, the Go client %+v", d, *decoded)
				}
			}
		})
	}

	t.Run("python error names the model", func(t *testing.T) {
		cmd := exec.Command(python, py, "--socket", socket, "infer", "nope", "--input", input)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		if cmd.ProcessState == nil || cmd.ProcessState.ExitCode() != 1 {
			t.Fatalf("exit %v, want 1", err)
		}
		if !bytes.Contains(stderr.Bytes(), []byte(`no such model`)) || !bytes.Contains(stderr.Bytes(), []byte("HTTP 404")) {
			t.Errorf("stderr %q lacks the agent's 404 message", stderr.String())
		}
	})
}
