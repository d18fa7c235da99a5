package agent

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/edgeinfer/edgeinfer/internal/sharedtest"
	"github.com/edgeinfer/edgeinfer/runtime"
)

// lstmAgent serves the stateful mnist LSTM of conformance2 on n sessions.
func lstmAgent(t *testing.T, n int) (*Agent, []byte) {
	t.Helper()
	dir := filepath.Join(sharedtest.Dir(t), "conformance2", "tflm_mnist_lstm_float")
	in, err := os.ReadFile(filepath.Join(dir, "case_0", "in_0.bin"))
	if err != nil {
		t.Fatal(err)
	}
	a, _ := newAgent(t, testConfig(t, map[string]ModelConfig{"lstm": {Path: filepath.Join(dir, "model.tflite"), Sessions: n, MaxBatch: 4, Cache: ptr(true)}}))
	st, err := a.Model("lstm")
	if err != nil {
		t.Fatal(err)
	}
	if !st.Stateful || !st.Resizable || st.MaxBatch != 1 {
		t.Fatalf("status %+v: want stateful, resizable, no batching", st)
	}
	return a, in
}

func lstmRequest(in []byte, seq *Sequence) *Request {
	return &Request{Model: "lstm", Inputs: []Tensor{{DType: runtime.Float32, Shape: []int{1, 28, 28}, Data: in}}, Sequence: seq}
}

// TestStreamsOpenConcurrently opens eight streams at once on two
// sessions: exactly two open, the others get ErrConflict, and once they
// end every session serves again. Run with -race.
func TestStreamsOpenConcurrently(t *testing.T) {
	a, in := lstmAgent(t, 2)
	ctx := context.Background()
	errs := make([]error, 8)
	var wg sync.WaitGroup
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = a.Infer(ctx, lstmRequest(in, &Sequence{ID: fmt.Sprint(i), Start: true}))
		}()
	}
	wg.Wait()
	var open []int
	for i, err := range errs {
		switch {
		case err == nil:
			open = append(open, i)
		case !errors.Is(err, ErrConflict):
			t.Errorf("stream %d: %v, want ErrConflict or success", i, err)
		}
	}
	if len(open) != 2 {
		t.Fatalf("%d streams opened on 2 sessions: %v", len(open), errs)
	}
	if st, _ := a.Model("lstm"); st.Streams != 2 {
		t.Errorf("status: %d streams", st.Streams)
	}
	for _, i := range open {
		if _, err := a.Infer(ctx, lstmRequest(in, &Sequence{ID: fmt.Sprint(i), End: true})); err != nil {
			t.Fatal(err)
		}
	}
	for range 2 {
		resp, err := a.Infer(ctx, lstmRequest(in, nil))
		if err != nil || resp.Cache != CacheOff {
			t.Fatalf("after the streams ended: %v, cache %v (want off for a stateful model)", err, resp.Cache)
		}
	}
}

// TestStreamRequestsSerialize sends one stream's requests from several
// goroutines: they run one at a time on its session (the race detector
// watches), and the stream ends with the last.
func TestStreamRequestsSerialize(t *testing.T) {
	a, in := lstmAgent(t, 1)
	ctx := context.Background()
	if _, err := a.Infer(ctx, lstmRequest(in, &Sequence{ID: "s", Start: true})); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := a.Infer(ctx, lstmRequest(in, &Sequence{ID: "s"})); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if _, err := a.Infer(ctx, lstmRequest(in, &Sequence{ID: "s", End: true})); err != nil {
		t.Fatal(err)
	}
	if st, _ := a.Model("lstm"); st.Streams != 0 {
		t.Errorf("%d streams open after the end", st.Streams)
	}
	if _, err := a.Infer(ctx, lstmRequest(in, &Sequence{ID: "s"})); !errors.Is(err, ErrBadRequest) {
		t.Errorf("a request after the end: %v, want ErrBadRequest", err)
	}
}

// TestRequestShapeOnPool gives the (stateless) hello_world model three
// rows instead of one: a worker's session resizes, each row answers what
// it answers alone, and the session goes back to one row after. A
// sequence id is refused for a model without state.
func TestRequestShapeOnPool(t *testing.T) {
	a, _ := newAgent(t, testConfig(t, map[string]ModelConfig{tinyModel: {Cache: ptr(true)}}))
	ctx := context.Background()
	xs := []float32{0.5, 1.5, 3}
	req := func(shape []int, xs ...float32) *Request {
		b := make([]byte, 4*len(xs))
		for i, x := range xs {
			putFloat32(b[4*i:], x)
		}
		return &Request{Model: tinyModel, Inputs: []Tensor{{DType: runtime.Float32, Shape: shape, Data: b}}}
	}
	three, err := a.Infer(ctx, req([]int{3, 1}, xs...))
	if err != nil {
		t.Fatal(err)
	}
	if out := three.Outputs[0]; fmt.Sprint(out.Shape) != "[3 1]" || len(out.Data) != 12 || three.Cache != CacheOff {
		t.Fatalf("3 rows: shape %v, %d bytes, cache %s", out.Shape, len(out.Data), three.Cache)
	}
	for i, x := range xs {
		one, err := a.Infer(ctx, req([]int{1, 1}, x))
		if err != nil {
			t.Fatal(err)
		}
		if got, want := three.Outputs[0].Data[4*i:4*i+4], one.Outputs[0].Data; string(got) != string(want) || fmt.Sprint(one.Outputs[0].Shape) != "[1 1]" {
			t.Errorf("row %d: %v, alone %v %v", i, got, one.Outputs[0].Shape, want)
		}
	}
	if _, err := a.Infer(ctx, req([]int{3}, xs...)); !errors.Is(err, ErrBadRequest) {
		t.Errorf("rank 1: %v, want ErrBadRequest", err)
	}
	r := req([]int{1, 1}, 1)
	r.Sequence = &Sequence{ID: "x", Start: true}
	if _, err := a.Infer(ctx, r); !errors.Is(err, ErrBadRequest) {
		t.Errorf("a sequence id for a stateless model: %v, want ErrBadRequest", err)
	}
}
