package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/client"
	"github.com/edgeinfer/edgeinfer/internal/sharedtest"
	"github.com/edgeinfer/edgeinfer/runtime"
	"github.com/edgeinfer/edgeinfer/runtime/tflite"
)

// The stateful models of conformance2 the stream tests use.
const (
	lstmModel = "tflm_mnist_lstm_float" // LSTM state; the sequence length resizes
	svdfModel = "tflm_keyword_scrambled"
)

func conformance2(t *testing.T, model, file string) string {
	t.Helper()
	return filepath.Join(sharedtest.Dir(t), "conformance2", model, file)
}

// caseInputs reads in_0.bin of every case of a conformance2 model.
func caseInputs(t *testing.T, model string) [][]byte {
	t.Helper()
	var ins [][]byte
	for i := 0; ; i++ {
		b, err := os.ReadFile(conformance2(t, model, fmt.Sprintf("case_%d/in_0.bin", i)))
		if errors.Is(err, os.ErrNotExist) && i > 0 {
			return ins
		}
		if err != nil {
			t.Fatal(err)
		}
		ins = append(ins, b)
	}
}

// engineStream runs steps one after another on one engine session, in
// this process: the state of each run carries to the next.
func engineStream(t *testing.T, model string, steps [][]byte) [][]byte {
	t.Helper()
	m, err := tflite.Open(conformance2(t, model, "model.tflite"))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if !m.Stateful() {
		t.Fatalf("%s: the engine does not see it as stateful", model)
	}
	s, err := m.NewSession(runtime.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	outs := make([][]byte, len(steps))
	for i, in := range steps {
		copy(s.Input(0), in)
		if err := s.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		outs[i] = bytes.Clone(s.Output(0))
	}
	return outs
}

// streamAgent starts the real agent process serving lstm (two sessions,
// streams never idle out during the test) and svdf (one session, streams
// idle out after 200ms), and returns a client on its socket.
func streamAgent(t *testing.T) *client.Client {
	t.Helper()
	bin, err := buildBinary()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	socket := filepath.Join(dir, "agent.sock")
	cfg := filepath.Join(dir, "agent.yaml")
	yaml := fmt.Sprintf(`models:
  lstm:
    path: %s
    sessions: 2
    threads: 1
    sequence_idle_timeout: 1h
  svdf:
    path: %s
    sessions: 1
    threads: 1
    sequence_idle_timeout: 200ms
`, conformance2(t, lstmModel, "model.tflite"), conformance2(t, svdfModel, "model.tflite"))
	if err := os.WriteFile(cfg, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	_, exited := startAgent(t, bin, "--config", cfg, "--socket", socket, "--data-dir", filepath.Join(dir, "data"), "--log-level", "warn")
	waitReady(t, unixClient(socket), exited)
	return &client.Client{Socket: socket}
}

type step struct {
	model, seq string
	start, end bool
	in         client.Tensor
}

func (s step) send(ctx context.Context, c *client.Client) (*client.Result, error) {
	var opts []client.InferOption
	if s.seq != "" {
		opts = append(opts, client.Sequence(s.seq, s.start, s.end))
	}
	return c.Infer(ctx, s.model, []client.Tensor{s.in}, opts...)
}

func lstmInput(data []byte) client.Tensor {
	return client.Tensor{Name: "serving_default_fixed_input:0", Datatype: "FP32", Shape: []int64{1, int64(len(data) / 4 / 28), 28}, Data: data}
}

func svdfInput(data []byte) client.Tensor {
	return client.Tensor{Name: "", Datatype: "INT16", Shape: []int64{1, 96}, Data: data}
}

// streamOf is the requests of one stream over inputs: the first starts
// it, the last ends it.
func streamOf(model, id string, ins [][]byte, tensor func([]byte) client.Tensor) []step {
	steps := make([]step, len(ins))
	for i, in := range ins {
		steps[i] = step{model: model, seq: id, start: i == 0, end: i == len(ins)-1, in: tensor(in)}
	}
	return steps
}

func reversed(in [][]byte) [][]byte {
	out := make([][]byte, len(in))
	for i, b := range in {
		out[len(in)-1-i] = b
	}
	return out
}

func streamModel(t *testing.T, c *client.Client, name string) (stateful bool, streams int) {
	t.Helper()
	list, err := c.Models(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range list {
		if m.Name == name {
			return m.Stateful, m.Streams
		}
	}
	t.Fatalf("no model %s in the agent's list", name)
	return false, 0
}

func wantStatus(t *testing.T, err error, status int, says string) {
	t.Helper()
	var ce *client.Error
	if !errors.As(err, &ce) || ce.Status != status || !strings.Contains(ce.Message, says) {
		t.Errorf("error %v, want %d saying %q", err, status, says)
	}
}

// TestAgentStreams runs stateful models through the real agent process's
// socket: a stream of requests answers what the same inputs run one after
// another on one engine session answer, interleaved streams keep their
// own state, a new stream gets 409 while every session is pinned, idle
// streams end after the timeout, and the LSTM's sequence length resizes.
func TestAgentStreams(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the agent binary")
	}
	c := streamAgent(t)
	ctx := context.Background()
	lstmIns, svdfIns := caseInputs(t, lstmModel), caseInputs(t, svdfModel)
	for _, name := range []string{"lstm", "svdf"} {
		if stateful, _ := streamModel(t, c, name); !stateful {
			t.Fatalf("model %s: the agent does not report it stateful", name)
		}
	}

	t.Run("StreamEqualsEngine", func(t *testing.T) {
		for _, tc := range []struct {
			model, file string
			ins         [][]byte
			tensor      func([]byte) client.Tensor
			// showsState: the answers depend on the state. The scrambled
			// keyword model's weights saturate its output, so its answers
			// are the same whatever the state: it checks the SVDF path
			// runs, not the state.
			showsState bool
		}{
			{"lstm", lstmModel, lstmIns, lstmInput, true},
			{"svdf", svdfModel, svdfIns, svdfInput, false},
		} {
			want := engineStream(t, tc.file, tc.ins)
			for i, s := range streamOf(tc.model, "s-"+tc.model, tc.ins, tc.tensor) {
				res, err := s.send(ctx, c)
				if err != nil {
					t.Fatalf("%s step %d: %v", tc.model, i, err)
				}
				if got := res.Outputs[0].Data; !bytes.Equal(got, want[i]) {
					t.Errorf("%s step %d: output differs from the engine's run of the whole sequence", tc.model, i)
				}
			}
			// The state carries: the last input alone, on fresh state (no
			// sequence id), answers otherwise.
			last := len(tc.ins) - 1
			res, err := step{model: tc.model, in: tc.tensor(tc.ins[last])}.send(ctx, c)
			if err != nil {
				t.Fatal(err)
			}
			if tc.showsState && bytes.Equal(res.Outputs[0].Data, want[last]) {
				t.Errorf("%s: the last step alone answers as it does after the others: no state was carried", tc.model)
			}
			if fresh := engineStream(t, tc.file, tc.ins[last:]); !bytes.Equal(res.Outputs[0].Data, fresh[0]) {
				t.Errorf("%s: a request without a sequence id did not run on fresh state", tc.model)
			}
		}
	})

	t.Run("InterleavedStreams", func(t *testing.T) {
		a := streamOf("lstm", "a", lstmIns, lstmInput)
		b := streamOf("lstm", "b", reversed(lstmIns), lstmInput)
		wantA, wantB := engineStream(t, lstmModel, lstmIns), engineStream(t, lstmModel, reversed(lstmIns))
		for i := range a {
			for _, x := range []struct {
				s    step
				want []byte
			}{{a[i], wantA[i]}, {b[i], wantB[i]}} {
				res, err := x.s.send(ctx, c)
				if err != nil {
					t.Fatalf("stream %s step %d: %v", x.s.seq, i, err)
				}
				if !bytes.Equal(res.Outputs[0].Data, x.want) {
					t.Errorf("stream %s step %d: output differs from its own sequence run alone", x.s.seq, i)
				}
			}
		}
	})

	t.Run("AllSessionsPinned", func(t *testing.T) {
		open := func(id string) error {
			_, err := step{model: "lstm", seq: id, start: true, in: lstmInput(lstmIns[0])}.send(ctx, c)
			return err
		}
		for _, id := range []string{"p1", "p2"} {
			if err := open(id); err != nil {
				t.Fatal(err)
			}
		}
		if _, n := streamModel(t, c, "lstm"); n != 2 {
			t.Errorf("status: %d streams open, want 2", n)
		}
		wantStatus(t, open("p3"), http.StatusConflict, "all 2 sessions are pinned")
		_, err := step{model: "lstm", in: lstmInput(lstmIns[0])}.send(ctx, c)
		wantStatus(t, err, http.StatusConflict, "all 2 sessions are pinned")
		if _, err := (step{model: "lstm", seq: "p1", end: true, in: lstmInput(lstmIns[1])}).send(ctx, c); err != nil {
			t.Fatal(err)
		}
		if err := open("p3"); err != nil {
			t.Errorf("a stream after one ended: %v", err)
		}
		for _, id := range []string{"p2", "p3"} {
			if _, err := (step{model: "lstm", seq: id, end: true, in: lstmInput(lstmIns[0])}).send(ctx, c); err != nil {
				t.Fatal(err)
			}
		}
		_, err = step{model: "lstm", seq: "p1", in: lstmInput(lstmIns[0])}.send(ctx, c)
		wantStatus(t, err, http.StatusBadRequest, `sequence "p1" is not open`)
	})

	t.Run("IdleStreamEnds", func(t *testing.T) {
		if _, err := (step{model: "svdf", seq: "idle", start: true, in: svdfInput(svdfIns[0])}).send(ctx, c); err != nil {
			t.Fatal(err)
		}
		waitFor(t, func() bool { _, n := streamModel(t, c, "svdf"); return n == 0 })
		_, err := step{model: "svdf", seq: "idle", in: svdfInput(svdfIns[1])}.send(ctx, c)
		wantStatus(t, err, http.StatusBadRequest, `sequence "idle" is not open`)
		if _, err := (step{model: "svdf", seq: "next", start: true, end: true, in: svdfInput(svdfIns[1])}).send(ctx, c); err != nil {
			t.Errorf("the session of the idle stream was not freed: %v", err)
		}
	})

	t.Run("InferCommand", func(t *testing.T) {
		dir := t.TempDir()
		want := engineStream(t, lstmModel, lstmIns[:2])
		for i, flags := range [][]string{{"--sequence-start"}, {"--sequence-end"}} {
			in := writeFile(t, fmt.Sprintf("step%d.bin", i), lstmIns[i])
			args := append([]string{"infer", "lstm", "--socket", c.Socket, "--input", in, "--output-dir", dir, "--sequence-id", "cli"}, flags...)
			if out, errOut, code := edgeinfer(args...); code != 0 {
				t.Fatalf("edgeinfer %v: exit %d\n%s%s", args, code, out, errOut)
			}
			got, err := os.ReadFile(filepath.Join(dir, "out_StatefulPartitionedCall_0.bin"))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want[i]) {
				t.Errorf("step %d by edgeinfer infer: output differs from the engine's stream", i)
			}
		}
	})

	t.Run("RequestShape", func(t *testing.T) {
		// 56 steps: the LSTM runs on, and the RESHAPE to [-1, 560] makes
		// two rows; the second continues the first's state, as a stream
		// of the two halves does.
		long := append(bytes.Clone(lstmIns[0]), lstmIns[1]...)
		res, err := step{model: "lstm", in: lstmInput(long)}.send(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		out := res.Outputs[0]
		if fmt.Sprint(out.Shape) != "[2 10]" {
			t.Fatalf("output shape %v, want [2 10]", out.Shape)
		}
		want := engineStream(t, lstmModel, lstmIns[:2])
		got, err := out.Values()
		if err != nil {
			t.Fatal(err)
		}
		for r := range 2 {
			w, err := client.Tensor{Datatype: "FP32", Data: want[r]}.Values()
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range w {
				if d := got[r*10+k] - v; d > 1e-5 || d < -1e-5 {
					t.Fatalf("row %d: %v, want the stream of the two halves' %v", r, got[r*10:r*10+10], w)
				}
			}
		}
		// Back to 28 steps on the same pool: the model's own answer.
		res, err = step{model: "lstm", in: lstmInput(lstmIns[0])}.send(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(res.Outputs[0].Data, want[0]) || fmt.Sprint(res.Outputs[0].Shape) != "[1 10]" {
			t.Errorf("28 steps after 56: %v %v, want the engine's", res.Outputs[0].Shape, res.Outputs[0].Data)
		}
		// 42 steps make 840 values, which [-1, 560] cannot hold.
		_, err = step{model: "lstm", in: lstmInput(append(bytes.Clone(lstmIns[0]), lstmIns[1][:14*28*4]...))}.send(ctx, c)
		wantStatus(t, err, http.StatusBadRequest, `input "serving_default_fixed_input:0" shape [1 42 28]`)
		// A shape of another rank, and one past the body's bound.
		bad := lstmInput(lstmIns[0])
		bad.Shape = []int64{1, 784}
		_, err = c.Infer(ctx, "lstm", []client.Tensor{bad})
		wantStatus(t, err, http.StatusBadRequest, "shape [1,784], the model takes [1,28,28] or another shape of rank 3")
		bad.Shape = []int64{1, 1 << 40, 28}
		_, err = c.Infer(ctx, "lstm", []client.Tensor{bad})
		wantStatus(t, err, http.StatusBadRequest, "[1,1099511627776,28]")
	})
}
