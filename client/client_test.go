package client_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/edgeinfer/edgeinfer/agent/server"
	"github.com/edgeinfer/edgeinfer/api"
	"github.com/edgeinfer/edgeinfer/client"
	"github.com/edgeinfer/edgeinfer/internal/apitest"
)

// fake is the fake agent every test and example talks to, over a real
// socket that $EDGEINFER_SOCKET names, so the zero Client finds it.
var fake = apitest.New()

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "eiclient")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	sock := filepath.Join(dir, "edgeinfer.sock")
	ln, err := server.Listen(sock, 0, "")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- server.Serve(ctx, ln, fake, server.Options{Version: "test"}) }()
	os.Setenv(api.SocketEnv, sock)
	code := m.Run()
	cancel()
	if err := <-done; err != nil {
		fmt.Fprintln(os.Stderr, "Serve:", err)
		return 1
	}
	return code
}

func TestInfer(t *testing.T) {
	var c client.Client
	ctx := context.Background()
	x := client.Float32Tensor("x", []int64{1, 3}, []float32{1, 2, 3.5})
	for _, tc := range []struct {
		name  string
		infer func(context.Context, string, []client.Tensor, ...client.InferOption) (*client.Result, error)
		opts  []client.InferOption
		want  map[string]string // output name -> values
		cache string
	}{
		{"binary", c.Infer, nil, map[string]string{"y": "[2 4 7]", "sum": "[6.5]"}, "miss"},
		{"binary, one output", c.Infer, []client.InferOption{client.Outputs("sum")}, map[string]string{"sum": "[6.5]"}, "miss"},
		{"JSON", c.InferJSON, nil, map[string]string{"y": "[2 4 7]", "sum": "[6.5]"}, "miss"},
		{"JSON, one output, no cache", c.InferJSON, []client.InferOption{client.Outputs("y"), client.NoCache()}, map[string]string{"y": "[2 4 7]"}, "off"},
		{"binary, version and id", c.Infer, []client.InferOption{client.Version("1"), client.RequestID("r7")}, map[string]string{"y": "[2 4 7]", "sum": "[6.5]"}, "miss"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := tc.infer(ctx, "double", []client.Tensor{x}, tc.opts...)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Outputs) != len(tc.want) {
				t.Errorf("%d outputs, want %d", len(res.Outputs), len(tc.want))
			}
			for name, want := range tc.want {
				o, ok := res.Output(name)
				if !ok {
					t.Errorf("no output %q", name)
					continue
				}
				v, err := o.Values()
				if err != nil || fmt.Sprint(v) != want || o.Datatype != "FP32" {
					t.Errorf("output %s: %s %v, %v; want FP32 %s", name, o.Datatype, v, err, want)
				}
			}
			if res.Model != "double" || res.Version != "1" || res.Cache != tc.cache {
				t.Errorf("model %q version %q cache %q", res.Model, res.Version, res.Cache)
			}
			if res.Queue != 250*time.Microsecond || res.Compute != 1250*time.Microsecond || res.Batch != 1 {
				t.Errorf("queue %s compute %s batch %d", res.Queue, res.Compute, res.Batch)
			}
		})
	}
	if res, err := c.Infer(ctx, "double", []client.Tensor{x}, client.RequestID("r7")); err != nil || res.ID != "r7" {
		t.Errorf("id %q, %v", res.ID, err)
	}
}

func TestErrors(t *testing.T) {
	var c client.Client
	ctx := context.Background()
	notModel := filepath.Join(t.TempDir(), "text.tflite")
	if err := os.WriteFile(notModel, []byte("not a model"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		call   func() error
		status int
		want   string
	}{
		{"unknown model", func() error { _, err := c.Model(ctx, "nope"); return err }, 404, `agent: no such model: "nope"`},
		{"wrong dtype", func() error {
			_, err := c.Infer(ctx, "double", []client.Tensor{{Name: "x", Datatype: "INT8", Shape: []int64{1, 3}, Data: []byte{1, 2, 3}}})
			return err
		}, 400, `input "x": dtype int8, the model takes float32`},
		{"short binary", func() error {
			_, err := c.Infer(ctx, "double", []client.Tensor{{Name: "x", Datatype: "FP32", Shape: []int64{1, 3}, Data: make([]byte, 8)}})
			return err
		}, 400, `binary input "x": binary_data_size is 8 but shape [1,3] of FP32 needs 12 bytes`},
		{"queue full", func() error {
			_, err := c.InferJSON(ctx, "full", []client.Tensor{{Name: "b", Datatype: "UINT8", Shape: []int64{1, 4}, Data: []byte{1, 2, 3, 4}}})
			return err
		}, 503, "agent: queue full"},
		{"version", func() error {
			_, err := c.Infer(ctx, "double", nil, client.Version("9"))
			return err
		}, 404, `model "double" has no version "9"`},
		{"install fails", func() error { _, err := c.Install(ctx, "m", notModel); return err }, 422, "agent: invalid model"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			var e *client.Error
			if !errors.As(err, &e) || e.Status != tc.status || !strings.Contains(e.Message, tc.want) {
				t.Errorf("err = %v, want an *Error %d with %q", err, tc.status, tc.want)
			}
		})
	}
	t.Run("no agent", func(t *testing.T) {
		c := client.Client{Socket: filepath.Join(t.TempDir(), "none.sock")}
		err := c.Live(ctx)
		if err == nil || !strings.Contains(err.Error(), "agent at "+c.Socket) || !strings.Contains(err.Error(), "is the agent running?") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("timeout", func(t *testing.T) {
		c := client.Client{Timeout: 50 * time.Millisecond}
		_, err := c.Infer(ctx, "slow", []client.Tensor{{Name: "b", Datatype: "UINT8", Shape: []int64{1, 4}, Data: []byte{1, 2, 3, 4}}})
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("err = %v, want a deadline", err)
		}
	})
}

func TestHealthAndModels(t *testing.T) {
	var c client.Client
	ctx := context.Background()
	if err := c.Live(ctx); err != nil {
		t.Error(err)
	}
	if err := c.Ready(ctx); err != nil {
		t.Error(err)
	}
	fake.SetReady(false)
	var e *client.Error
	if err := c.Ready(ctx); !errors.As(err, &e) || e.Status != 503 {
		t.Errorf("not ready: %v", err)
	}
	fake.SetReady(true)
	md, err := c.Server(ctx)
	if err != nil || md.Name != "edgeinfer" || md.Version != "test" || len(md.Extensions) != 1 {
		t.Errorf("server %+v, %v", md, err)
	}
	list, err := c.Models(ctx)
	if err != nil || len(list) < 6 || list[0].Name != "broken" || list[0].State != "failed" {
		t.Errorf("models %+v, %v", list, err)
	}
	m, err := c.Model(ctx, "double")
	if err != nil || m.Platform != "tflite" || m.Inputs[0].Datatype != "FP32" || len(m.Outputs) != 2 {
		t.Errorf("model %+v, %v", m, err)
	}
	p := filepath.Join(t.TempDir(), "model.tflite")
	if err := os.WriteFile(p, []byte("....TFL3"), 0o644); err != nil {
		t.Fatal(err)
	}
	st, err := c.Install(ctx, "new", p)
	if err != nil || st.Name != "new" || st.Version != "8" {
		t.Errorf("install %+v, %v", st, err)
	}
}
