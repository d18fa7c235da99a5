package agent

import (
	"context"
	"testing"

	"github.com/edgeinfer/edgeinfer/runtime"
)

// BenchmarkInfer measures the agent's cost per request around the run of
// the smallest model, with the result cache off: binding the inputs,
// queueing, the run itself, copying the outputs out.
func BenchmarkInfer(b *testing.B) {
	a, _ := newAgent(b, testConfig(b, map[string]ModelConfig{tinyModel: {Cache: ptr(false)}}))
	st, err := a.Model(tinyModel)
	if err != nil {
		b.Fatal(err)
	}
	in := st.Inputs[0]
	for _, bc := range []struct {
		name string
		req  *Request
	}{
		{"by-name", &Request{Model: tinyModel, Inputs: []Tensor{{Name: in.Name, DType: runtime.Float32, Shape: in.Shape, Data: make([]byte, 4)}}}},
		{"by-position", &Request{Model: tinyModel, Inputs: []Tensor{{DType: runtime.Float32, Shape: in.Shape, Data: make([]byte, 4)}}}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := a.Infer(context.Background(), bc.req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
