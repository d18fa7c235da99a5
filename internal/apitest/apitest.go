// Package apitest is a fake agent for tests of code that talks to the
// socket API (agent/server, client, the command line): a Backend with canned
// models that answer deterministically. Tests serve it with api.Listen and
// api.Serve on a real socket. It is imported by tests only.
package apitest

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/edgeinfer/edgeinfer/agent"
	"github.com/edgeinfer/edgeinfer/api"
	"github.com/edgeinfer/edgeinfer/runtime"
)

// Backend is the fake agent. Its models:
//
//   - "double": input x FP32[1,3]; outputs y FP32[1,3] = 2x and sum FP32[1].
//   - "classify": input image UINT8[1,4]; output scores FP32[1,10], where
//     scores[i] = ((3i + sum of image) mod 10) / 10, a permutation of 0..0.9.
//     Sent an encoded file (InferMedia), it answers one class whose index
//     is the file's size mod 10, labelled with its content type.
//   - "bytes": echoes its input b UINT8[1,4].
//   - "full": answers agent.ErrQueueFull.
//   - "slow": echoes like bytes once Release is closed, or fails when the
//     request's context ends first.
//   - "broken": its last load failed; no working version.
//
// Install accepts a file holding "TFL3" (a model's identifier) as a copy of
// "bytes" whose version is the file's size, and refuses others with
// agent.ErrInvalidModel.
type Backend struct {
	// Release, when not nil, holds model "slow" until it is closed.
	Release chan struct{}

	mu       sync.Mutex
	models   map[string]agent.ModelStatus
	notReady bool
	last     *agent.Request
	media    *agent.MediaRequest
}

// LoadedAt is the LoadedAt of every fake model.
var LoadedAt = time.Date(2026, 11, 28, 3, 0, 0, 0, time.UTC)

// New returns a fake agent that is ready.
func New() *Backend {
	f32 := func(name string, shape ...int) runtime.TensorInfo {
		return runtime.TensorInfo{Name: name, DType: runtime.Float32, Shape: shape}
	}
	u8 := func(name string) []runtime.TensorInfo {
		return []runtime.TensorInfo{{Name: name, DType: runtime.UInt8, Shape: []int{1, 4}}}
	}
	model := func(name, digest string, in, out []runtime.TensorInfo) agent.ModelStatus {
		return agent.ModelStatus{Name: name, Version: "1", Digest: strings.Repeat(digest, 32), State: agent.StateReady, Backend: "tflite",
			Inputs: in, Outputs: out, Sessions: 2, QueueCap: 64, MaxBatch: 1, LoadedAt: LoadedAt}
	}
	double := model("double", "ab", []runtime.TensorInfo{f32("x", 1, 3)}, []runtime.TensorInfo{f32("y", 1, 3), f32("sum", 1)})
	double.Requests, double.Errors, double.CacheHits, double.CacheMisses = 10, 1, 3, 7
	double.P50, double.P99, double.Queue, double.MaxBatch = 1500*time.Microsecond, 12*time.Millisecond, 2, 8
	full := model("full", "ef", u8("b"), u8("b"))
	full.Queue = 64
	broken := model("broken", "23", u8("b"), u8("b"))
	broken.State, broken.Error = agent.StateFailed, "tflite: model.tflite: runtime: invalid model"
	m := map[string]agent.ModelStatus{}
	for _, st := range []agent.ModelStatus{
		double, full, broken,
		model("classify", "45", u8("image"), []runtime.TensorInfo{f32("scores", 1, 10)}),
		model("bytes", "cd", u8("b"), u8("b")),
		model("slow", "01", u8("b"), u8("b")),
	} {
		m[st.Name] = st
	}
	return &Backend{models: m}
}

// SetReady sets what Ready answers.
func (f *Backend) SetReady(ready bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.notReady = !ready
}

// Last returns the last request Infer got.
func (f *Backend) Last() *agent.Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.last
}

// Models lists the models by name.
func (f *Backend) Models() []agent.ModelStatus {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []agent.ModelStatus
	for _, st := range f.models {
		out = append(out, st)
	}
	slices.SortFunc(out, func(a, b agent.ModelStatus) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// Model returns one model's status.
func (f *Backend) Model(name string) (agent.ModelStatus, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	st, ok := f.models[name]
	if !ok {
		return st, fmt.Errorf("%w: %q", agent.ErrNoModel, name)
	}
	return st, nil
}

// Ready is true unless SetReady(false) was called.
func (f *Backend) Ready() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return !f.notReady
}

// WritePrometheus writes one counter.
func (f *Backend) WritePrometheus(w io.Writer) {
	fmt.Fprintf(w, "# TYPE edgeinfer_requests_total counter\nedgeinfer_requests_total{model=\"double\"} 10\n")
}

// Install installs a copy of "bytes" from a file holding "TFL3".
func (f *Backend) Install(ctx context.Context, name string, file *os.File) (agent.ModelStatus, error) {
	b, err := io.ReadAll(io.NewSectionReader(file, 0, 1<<20))
	if err != nil || !bytes.Contains(b, []byte("TFL3")) {
		return agent.ModelStatus{}, fmt.Errorf("%w: not a TFLite model", agent.ErrInvalidModel)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	st := f.models["bytes"]
	st.Name, st.Path, st.Version = name, "", fmt.Sprint(len(b))
	f.models[name] = st
	return st, nil
}

// Infer answers as the model's description says. The answer's Cache is
// miss, or off for requests with NoCache; Queue is 0.25 ms and Compute
// 1.25 ms.
func (f *Backend) Infer(ctx context.Context, req *agent.Request) (*agent.Response, error) {
	f.mu.Lock()
	f.last = req
	st, ok := f.models[req.Model]
	f.mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("%w: %q", agent.ErrNoModel, req.Model)
	}
	resp := &agent.Response{Model: req.Model, Version: st.Version, Cache: agent.CacheMiss, Queue: 250 * time.Microsecond, Compute: 1250 * time.Microsecond, Batch: 1}
	if req.NoCache {
		resp.Cache = agent.CacheOff
	}
	outs := []agent.Tensor{req.Inputs[0]}
	switch req.Model {
	case "full":
		return nil, fmt.Errorf("%w: model %q has 64 requests waiting", agent.ErrQueueFull, req.Model)
	case "broken":
		return nil, fmt.Errorf("%w: model %q: %s", agent.ErrNotReady, req.Model, st.Error)
	case "slow":
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("model %q: %w", req.Model, ctx.Err())
		case <-f.Release:
		}
	case "double":
		x := Float32s(req.Inputs[0].Data)
		y, sum := make([]float32, len(x)), float32(0)
		for i, v := range x {
			y[i], sum = 2*v, sum+v
		}
		outs = []agent.Tensor{
			{Name: "y", DType: runtime.Float32, Shape: []int{1, 3}, Data: Float32Bytes(y...)},
			{Name: "sum", DType: runtime.Float32, Shape: []int{1}, Data: Float32Bytes(sum)},
		}
	case "classify":
		sum := 0
		for _, b := range req.Inputs[0].Data {
			sum += int(b)
		}
		scores := make([]float32, 10)
		for i := range scores {
			scores[i] = float32((3*i+sum)%10) / 10
		}
		outs = []agent.Tensor{{Name: "scores", DType: runtime.Float32, Shape: []int{1, 10}, Data: Float32Bytes(scores...)}}
	}
	if len(req.Outputs) > 0 {
		var sel []agent.Tensor
		for _, name := range req.Outputs {
			for _, o := range outs {
				if o.Name == name {
					sel = append(sel, o)
				}
			}
		}
		outs = sel
	}
	resp.Outputs = outs
	return resp, nil
}

// Float32s reads little-endian float32s.
func Float32s(b []byte) []float32 {
	out := make([]float32, len(b)/4)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return out
}

// Float32Bytes writes float32s little-endian.
func Float32Bytes(v ...float32) []byte {
	var b []byte
	for _, f := range v {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(f))
	}
	return b
}

// TakesMedia is true for model "classify".
func (b *Backend) TakesMedia(model string) bool { return model == "classify" }

// InferMedia answers model "classify" with one class (the file's size mod
// 10, labelled with its content type); other models refuse encoded files.
func (b *Backend) InferMedia(ctx context.Context, req *agent.MediaRequest) (*agent.MediaResponse, error) {
	b.mu.Lock()
	st, ok := b.models[req.Model]
	b.media = req
	b.mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("%w: %q", agent.ErrNoModel, req.Model)
	}
	if req.Model != "classify" {
		return nil, fmt.Errorf("%w: model %s takes no encoded files", agent.ErrBadRequest, req.Model)
	}
	resp := &agent.MediaResponse{Model: st.Name, Version: st.Version, Queue: 250 * time.Microsecond, Compute: 1250 * time.Microsecond}
	resp.Decoded.Kind = "classification"
	resp.Decoded.Classes = []api.Class{{Index: len(req.Data) % 10, Label: req.ContentType, Score: 1}}
	return resp, nil
}

// LastMedia returns the last encoded-file request InferMedia received.
func (b *Backend) LastMedia() *agent.MediaRequest {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.media
}
