package tflite

import (
	"fmt"

	"github.com/edgeinfer/edgeinfer/runtime"
)

// maxBatch bounds OpenBatch's n: a larger batch multiplies the arena past
// what a board holds, and the scheduler never forms one.
const maxBatch = 1024

// OpenBatch maps the model at path and re-shapes its graph to run n inputs
// at once: every tensor computed at run time whose first dimension is 1
// (the batch dimension of a model stored for one input) gets n there, and
// every operator is prepared again for the new shapes, so a model whose
// operators cannot take the larger batch is refused with the operator that
// could not. Constant shapes of RESHAPE that name batch 1 are read as n.
//
// An operator can accept the shape yet mix rows of the batch (a RESHAPE of
// the batch dimension into another one, say), so a caller should compare a
// batched run with single runs before trusting it; the agent does.
func OpenBatch(path string, n int) (*Model, error) {
	if n < 1 || n > maxBatch {
		return nil, fmt.Errorf("tflite: %s: batch size %d is outside 1..%d", path, n, maxBatch)
	}
	b, unmap, err := mapFile(path)
	if err != nil {
		return nil, fmt.Errorf("tflite: %w", err)
	}
	m, err := load(b, n)
	if err != nil {
		unmap()
		return nil, fmt.Errorf("tflite: %s: batch %d: %w", path, n, err)
	}
	m.unmap = unmap
	return m, nil
}

// Batch is the batch size the model was opened for: n for OpenBatch(path,
// n) with n > 1, otherwise 1.
func (m *Model) Batch() int { return max(m.batch, 1) }

// rebatch gives every run-time tensor with a leading 1 the batch size n.
func (m *Model) rebatch(n int) error {
	for _, x := range m.inputs {
		t := m.tensors[x]
		if len(t.shape) == 0 || t.shape[0] != 1 {
			return fmt.Errorf("%w: input %s has no batch dimension of 1 to grow", runtime.ErrUnsupported, t)
		}
	}
	for _, t := range m.tensors {
		if t.variable {
			return fmt.Errorf("%w: tensor %s is a variable (state kept between runs), which a batch cannot share", runtime.ErrUnsupported, t)
		}
	}
	for _, t := range m.tensors {
		if t.isConst() || len(t.shape) == 0 || t.shape[0] != 1 {
			continue
		}
		if t.numElements() > maxTensorBytes/n {
			return invalid("tensor %s is too large for batch %d", t, n)
		}
		t.shape = append([]int{n}, t.shape[1:]...)
	}
	m.batch = n
	return nil
}
