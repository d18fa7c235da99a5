package tflite

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/edgeinfer/edgeinfer/internal/sharedtest"
	"github.com/edgeinfer/edgeinfer/runtime"
)

// TestRunProfiled runs a real model with and without timing: the outputs
// agree, every operator gets a time, and the timed run allocates nothing.
func TestRunProfiled(t *testing.T) {
	m, err := Open(filepath.Join(sharedtest.Dir(t), "conformance", "tiny_resnet8_int8", "model.tflite"))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	ops := m.Operators()
	if len(ops) == 0 || ops[0].Name != "CONV_2D" || len(ops[0].Inputs) != 3 || len(ops[0].Outputs) != 1 {
		t.Fatalf("first operator %+v, want CONV_2D with input, filter, bias and one output", ops[0])
	}
	if got, want := ops[0].Inputs[0].Shape, m.Inputs()[0].Shape; !equalInts(got, want) {
		t.Errorf("first operator's input shape %v, model input %v", got, want)
	}
	rs := mustSession(t, m, runtime.Options{})
	defer rs.Close()
	s := rs.(*Session)
	for i := range s.Input(0) {
		s.Input(0)[i] = byte(i * 7)
	}
	ctx := context.Background()
	if err := s.Run(ctx); err != nil {
		t.Fatal(err)
	}
	want := bytes.Clone(s.Output(0))
	times := make([]time.Duration, len(ops))
	if err := s.RunProfiled(ctx, times); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(s.Output(0), want) {
		t.Error("profiled run gave other outputs")
	}
	var total time.Duration
	for _, d := range times {
		total += d
	}
	if total <= 0 {
		t.Errorf("operator times %v sum to %v", times, total)
	}
	if a := testing.AllocsPerRun(5, func() {
		if err := s.RunProfiled(ctx, times); err != nil {
			t.Fatal(err)
		}
	}); a != 0 {
		t.Errorf("RunProfiled allocates %v times per run", a)
	}
	if err := s.RunProfiled(ctx, times[1:]); !errors.Is(err, runtime.ErrInput) {
		t.Errorf("short times slice: err %v, want ErrInput", err)
	}
}
