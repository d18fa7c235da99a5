package tflite

import (
	"context"
	"fmt"
	"testing"

	"github.com/edgeinfer/edgeinfer/runtime"
)

// addChainModel is x -> ADD c -> ADD c -> ... -> y: n float ADDs of width
// w, each too small for its arithmetic to show.
func addChainModel(n, w int) testModel {
	c := make([]float32, w)
	tm := testModel{tensors: []testTensor{
		{name: "x", typ: tensorFloat32, shape: []int32{1, int32(w)}},
		{name: "c", typ: tensorFloat32, shape: []int32{1, int32(w)}, data: f32bytes(c...)},
	}, inputs: []int32{0}}
	prev := int32(0)
	for i := range n {
		tm.tensors = append(tm.tensors, testTensor{name: fmt.Sprint("h", i), typ: tensorFloat32, shape: []int32{1, int32(w)}})
		cur := int32(len(tm.tensors) - 1)
		tm.ops = append(tm.ops, testOp{builtin: 0, ins: []int32{prev, 1}, outs: []int32{cur}})
		prev = cur
	}
	tm.outputs = []int32{prev}
	return tm
}

// BenchmarkOperatorOverhead measures the fixed cost of an operator (the
// run loop, the step's closures, the kernel's own setup) on chains of 200
// operators whose arithmetic is a few values: ns/operator is nearly all
// overhead. go test -run '^$' -bench OperatorOverhead ./runtime/tflite
func BenchmarkOperatorOverhead(b *testing.B) {
	const ops = 200
	for _, tc := range []struct {
		name string
		tm   testModel
	}{
		{"ADD_f32x4", addChainModel(ops, 4)},
		{"FULLY_CONNECTED_f32x4", chainModel(ops, 4)},
	} {
		for _, threads := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/threads=%d", tc.name, threads), func(b *testing.B) {
				m, err := Load(tc.tm.bytes())
				if err != nil {
					b.Fatal(err)
				}
				s, err := m.NewSession(runtime.Options{Threads: threads})
				if err != nil {
					b.Fatal(err)
				}
				defer s.Close()
				ctx := context.Background()
				b.ReportAllocs()
				for b.Loop() {
					if err := s.Run(ctx); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*ops), "ns/operator")
			})
		}
	}
}
