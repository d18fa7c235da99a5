package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/edgeinfer/edgeinfer/agent"
	"github.com/edgeinfer/edgeinfer/api"
	"github.com/edgeinfer/edgeinfer/client"
	"github.com/edgeinfer/edgeinfer/internal/sharedtest"
	"github.com/edgeinfer/edgeinfer/platforms"
	_ "github.com/edgeinfer/edgeinfer/runtime/tflite" // the real agent of these tests serves TFLite files
	"github.com/edgeinfer/edgeinfer/store"
)

// The conformance models the end-to-end test serves. The quantized
// MobileNet's reference output came from the real TFLite and the engine
// reproduces it bit for bit; hello_world is float, compared within its
// tolerance.
const (
	e2eQuant = "tfls_mobilenet_v1_025_224_quant" // uint8 [1,224,224,3] -> uint8 [1,1001]
	e2eFloat = "tflm_hello_world_float"          // float32 [1,1] -> float32 [1,1]
)

// conformanceCase returns a model's path and case_0's input 0 and
// reference output 0.
func conformanceCase(t *testing.T, model string) (path string, in, out []byte) {
	t.Helper()
	dir := filepath.Join(sharedtest.Dir(t), "conformance", model)
	in, err := os.ReadFile(filepath.Join(dir, "case_0", "in_0.bin"))
	if err != nil {
		t.Fatal(err)
	}
	if out, err = os.ReadFile(filepath.Join(dir, "case_0", "out_0.bin")); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, "model.tflite"), in, out
}

// TestEndToEnd runs the real agent (real models, real state file) behind
// Listen and Serve, and talks to it with the client over the socket.
func TestEndToEnd(t *testing.T) {
	quantPath, quantIn, quantOut := conformanceCase(t, e2eQuant)
	floatPath, floatIn, floatOut := conformanceCase(t, e2eFloat)
	on := true
	cfg := agent.Config{DataDir: t.TempDir(), Models: map[string]agent.ModelConfig{
		"mobilenet": {Path: quantPath, Cache: &on},
		"sine":      {Path: floatPath},
	}}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	cfg = cfg.Resolve(platforms.Defaults{Threads: 1, Sessions: 1, CacheBytes: 1 << 20})
	st, err := store.Open(filepath.Join(cfg.DataDir, "edgeinfer.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	a, err := agent.New(context.Background(), agent.Options{Config: cfg, Store: st})
	if err != nil {
		st.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		a.Close(context.Background())
		st.Close()
	})
	sock := filepath.Join(socketDir(t), "edgeinfer.sock")
	ln, err := Listen(sock, 0, "")
	if err != nil {
		t.Fatal(err)
	}
	serveOn(t, ln, a, Options{Version: "e2e"})
	c := &client.Client{Socket: sock}
	ctx := context.Background()

	if err := c.Ready(ctx); err != nil {
		t.Fatalf("not ready: %v", err)
	}
	md, err := c.Model(ctx, "mobilenet")
	if err != nil {
		t.Fatal(err)
	}
	if md.Platform != "tflite" || len(md.Inputs) != 1 || md.Inputs[0].Datatype != "UINT8" || api.FormatShape(md.Inputs[0].Shape) != "[1,224,224,3]" ||
		len(md.Outputs) != 1 || api.FormatShape(md.Outputs[0].Shape) != "[1,1001]" {
		t.Fatalf("metadata %+v", md)
	}
	image := client.Tensor{Name: md.Inputs[0].Name, Datatype: "UINT8", Shape: md.Inputs[0].Shape, Data: quantIn}

	t.Run("binary inference matches the reference", func(t *testing.T) {
		res, err := c.Infer(ctx, "mobilenet", []client.Tensor{image}, client.NoCache())
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Outputs) != 1 || !bytes.Equal(res.Outputs[0].Data, quantOut) {
			t.Fatalf("the output differs from the real TFLite's reference")
		}
		if res.Cache != "off" || res.Compute <= 0 || res.Version != md.Versions[0] {
			t.Errorf("cache %s compute %s version %s", res.Cache, res.Compute, res.Version)
		}
	})
	t.Run("JSON inference within tolerance", func(t *testing.T) {
		sm, err := c.Model(ctx, "sine")
		if err != nil {
			t.Fatal(err)
		}
		x := client.Tensor{Name: sm.Inputs[0].Name, Datatype: "FP32", Shape: sm.Inputs[0].Shape, Data: floatIn}
		res, err := c.InferJSON(ctx, "sine", []client.Tensor{x})
		if err != nil {
			t.Fatal(err)
		}
		got, _ := res.Outputs[0].Values()
		want, _ := (client.Tensor{Datatype: "FP32", Data: floatOut}).Values()
		if len(got) != 1 || math.Abs(got[0]-want[0]) > 1e-5+1.09e-4*math.Abs(want[0]) {
			t.Errorf("sine(x) = %v, reference %v", got, want)
		}
	})
	t.Run("result cache answers through the socket", func(t *testing.T) {
		first, err := c.Infer(ctx, "mobilenet", []client.Tensor{image})
		if err != nil {
			t.Fatal(err)
		}
		if first.Cache != "miss" && first.Cache != "hit" {
			t.Fatalf("cache %q", first.Cache)
		}
		// Cache writes are batched off the request path: poll for the hit.
		waitFor(t, "a cache hit", func() bool {
			res, err := c.Infer(ctx, "mobilenet", []client.Tensor{image})
			if err != nil {
				t.Fatal(err)
			}
			if res.Cache == "hit" && !bytes.Equal(res.Outputs[0].Data, quantOut) {
				t.Fatal("the cached answer differs from the reference")
			}
			return res.Cache == "hit"
		})
	})
	t.Run("bad input", func(t *testing.T) {
		bad := image
		bad.Datatype = "INT8"
		_, err := c.Infer(ctx, "mobilenet", []client.Tensor{bad})
		var e *client.Error
		if !errors.As(err, &e) || e.Status != 400 || !strings.Contains(e.Message, `input "input": dtype int8, the model takes uint8`) {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("install and list", func(t *testing.T) {
		s, err := c.Install(ctx, "mobilenet-copy", quantPath)
		if err != nil {
			t.Fatal(err)
		}
		if s.State != agent.StateReady || len(s.Digest) != 64 {
			t.Errorf("installed %+v", s)
		}
		res, err := c.Infer(ctx, "mobilenet-copy", []client.Tensor{image})
		if err != nil || !bytes.Equal(res.Outputs[0].Data, quantOut) {
			t.Errorf("the installed copy: %v", err)
		}
		list, err := c.Models(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, m := range list {
			names = append(names, m.Name)
		}
		if strings.Join(names, ",") != "mobilenet,mobilenet-copy,sine" {
			t.Errorf("models %v", names)
		}
		_, err = c.Install(ctx, "sine", filepath.Join(sharedtest.Dir(t), "conformance", "README.md"))
		var e *client.Error
		if !errors.As(err, &e) || e.Status != 422 {
			t.Errorf("installing a non-model: %v", err)
		}
	})
	t.Run("metrics", func(t *testing.T) {
		s := &server{sock: sock, hc: unixClient(sock)}
		m := s.get(t, "/metrics")
		if m.status != 200 || !bytes.Contains(m.body, []byte("mobilenet")) {
			t.Errorf("/metrics %d:\n%s", m.status, m.body)
		}
		var list []map[string]any
		if err := json.Unmarshal(s.get(t, "/v1/models").body, &list); err != nil || len(list) != 3 {
			t.Errorf("/v1/models: %v", err)
		}
	})
}

// syncBuffer is a bytes.Buffer safe for a logger and a test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestWriteTimeoutCutsAStalledReader asks the real agent for deeplab's
// 5.5 MB answer and never reads it: once the socket's buffers are full, the
// write deadline cuts the connection, and other clients are served all the
// while.
func TestWriteTimeoutCutsAStalledReader(t *testing.T) {
	dir := filepath.Join(sharedtest.Dir(t), "conformance", "tfls_deeplabv3_float")
	cfg := agent.Config{DataDir: t.TempDir(), Models: map[string]agent.ModelConfig{"seg": {Path: filepath.Join(dir, "model.tflite")}}}
	cfg = cfg.Resolve(platforms.Defaults{Threads: 1, Sessions: 2, CacheBytes: 1 << 20})
	a, err := agent.New(context.Background(), agent.Options{Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close(context.Background()) })
	sock := filepath.Join(socketDir(t), "edgeinfer.sock")
	ln, err := Listen(sock, 0, "")
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	serveOn(t, ln, a, Options{Config: Config{WriteTimeout: 300 * time.Millisecond}, Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})

	hdr := `{"inputs":[{"name":"sub_7","shape":[1,257,257,3],"datatype":"FP32","parameters":{"binary_data_size":792588}}],"parameters":{"binary_data_output":true}}`
	conn, err := net.Dial("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	req := fmt.Sprintf("POST /v2/models/seg/infer HTTP/1.1\r\nHost: edgeinfer\r\nContent-Type: application/octet-stream\r\nInference-Header-Content-Length: %d\r\nContent-Length: %d\r\n\r\n%s",
		len(hdr), len(hdr)+792588, hdr)
	if _, err := io.WriteString(conn, req); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Write(make([]byte, 792588)); err != nil {
		t.Fatal(err)
	}
	// The stalled reader does not stop others.
	c := &client.Client{Socket: sock}
	if _, err := c.Model(context.Background(), "seg"); err != nil {
		t.Fatalf("another client while one stalls: %v", err)
	}
	// The server logs the request once its writing ended: cut by the
	// write deadline. Then read: the answer ends early.
	waitFor(t, "the server to give up writing the answer", func() bool {
		return strings.Contains(logs.String(), "path=/v2/models/seg/infer")
	})
	conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	got, err := io.ReadAll(conn)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatal("the connection stayed open: the write deadline did not cut it")
	}
	if len(got) >= 5548116 {
		t.Fatalf("read %d bytes: the whole answer arrived, the test did not stall the writer", len(got))
	}
	t.Logf("the stalled reader got %d of about 5.5 MB before the cut", len(got))
}
