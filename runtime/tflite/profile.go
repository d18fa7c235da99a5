package tflite

import (
	"context"
	"fmt"
	"time"

	"github.com/edgeinfer/edgeinfer/runtime"
)

// OpInfo describes one operator a Session runs, in run order.
type OpInfo struct {
	// Index is the operator's index in the model file's subgraph.
	Index int
	// Name is the builtin name ("CONV_2D") or CUSTOM:<code>, followed by
	// the operators the graph rewrites folded into it ("CONV_2D+PAD",
	// "ADD+PAD+RELU").
	Name string
	// Inputs and Outputs describe its tensors; absent optional inputs are
	// left out.
	Inputs, Outputs []runtime.TensorInfo
}

// Operators describes the operators a Session runs, in run order
// (constant operators folded at load are not among them).
func (m *Model) Operators() []OpInfo {
	ops := make([]OpInfo, len(m.nodes))
	for k, n := range m.nodes {
		var ins []int
		for _, t := range n.inputs {
			if t >= 0 {
				ins = append(ins, t)
			}
		}
		ops[k] = OpInfo{Index: n.index, Name: n.opName(), Inputs: m.infos(ins), Outputs: m.infos(n.outputs)}
	}
	return ops
}

// RunProfiled runs the model like Run and adds the wall time of operator k
// (in the order of Operators) to times[k]. times must have one element per
// operator. It allocates nothing; the clock reads add about a tenth of a
// microsecond per operator.
func (s *Session) RunProfiled(ctx context.Context, times []time.Duration) error {
	if len(times) != len(s.steps) {
		return fmt.Errorf("%w: RunProfiled: %d times for %d operators", runtime.ErrInput, len(times), len(s.steps))
	}
	return s.run(ctx, times)
}
