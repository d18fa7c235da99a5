package agent

import (
	"context"
	"encoding/binary"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/runtime"
)

// panicModel wraps a real model: its sessions panic when the first input
// starts with the float32 trigger, as a kernel bug would.
type panicModel struct{ runtime.Model }

const trigger = 12345

func (m panicModel) NewSession(o runtime.Options) (runtime.Session, error) {
	s, err := m.Model.NewSession(o)
	return panicSession{s}, err
}

type panicSession struct{ runtime.Session }

func (s panicSession) Run(ctx context.Context) error {
	if math.Float32frombits(binary.LittleEndian.Uint32(s.Input(0))) == trigger {
		panic("kernel bug: index out of range")
	}
	return s.Session.Run(ctx)
}

func sine(x float32) *Request {
	return &Request{Model: tinyModel, Inputs: []Tensor{{DType: runtime.Float32, Shape: []int{1, 1}, Data: binary.LittleEndian.AppendUint32(nil, math.Float32bits(x))}}}
}

// TestRunPanicFailsTheRequestNotTheDaemon: a run that panics fails its
// request with an error that says so; the next request is answered; after
// panicLimit panics in a row the version is marked failed and refuses
// requests, while the other models keep serving.
func TestRunPanicFailsTheRequestNotTheDaemon(t *testing.T) {
	orig := openModel
	openModel = func(path string) (runtime.Model, error) {
		m, err := orig(path)
		if err != nil || !strings.Contains(path, tinyModel) {
			return m, err
		}
		return panicModel{m}, nil
	}
	t.Cleanup(func() { openModel = orig })
	a, _ := newAgent(t, testConfig(t, map[string]ModelConfig{tinyModel: {}, quantModel: {}}))
	ctx := context.Background()

	_, err := a.Infer(ctx, sine(trigger))
	if err == nil || !strings.Contains(err.Error(), "panic: kernel bug") {
		t.Fatalf("a panicking run: %v, want an error naming the panic", err)
	}
	for _, target := range []error{ErrBadRequest, ErrNotReady, ErrQueueFull, ErrNoModel} {
		if errors.Is(err, target) {
			t.Errorf("a panicking run is %v; want an internal error (500)", target)
		}
	}
	if _, err := a.Infer(ctx, sine(1)); err != nil {
		t.Fatalf("the request after a panic: %v", err)
	}
	for range panicLimit {
		a.Infer(ctx, sine(trigger))
	}
	_, err = a.Infer(ctx, sine(1))
	if !errors.Is(err, ErrNotReady) || !strings.Contains(err.Error(), "panicked") {
		t.Fatalf("after %d panics in a row: %v, want the model marked failed", panicLimit, err)
	}
	if st, _ := a.Model(tinyModel); st.State != StateFailed || !strings.Contains(st.Error, "panicked") {
		t.Errorf("status %s %q, want failed with the reason", st.State, st.Error)
	}
	in, _ := caseData(t, quantModel)
	if _, err := a.Infer(ctx, &Request{Model: quantModel, Inputs: []Tensor{{DType: runtime.UInt8, Shape: []int{1, 224, 224, 3}, Data: in}}}); err != nil {
		t.Errorf("another model after the panics: %v", err)
	}
}
