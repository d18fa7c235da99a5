package agent

import (
	"context"
	"fmt"

	"github.com/edgeinfer/edgeinfer/runtime"
)

// SmokeCheck returns a load Check that runs a candidate version on inputs
// before it serves: they are bound to the model's inputs as a request's are
// (runtime.BindInputs: by name, or by position when unnamed; dtype, shape
// and size checked), and compare judges the outputs, all of them in model
// order with the model's names, dtypes and shapes. A binding error or
// compare's error refuses the version.
func SmokeCheck(inputs []Tensor, compare func(outputs []Tensor) error) Check {
	return func(ctx context.Context, ins, outs []runtime.TensorInfo, run Runner) error {
		bound := make([]Tensor, len(ins))
		if err := runtime.BindInputs(bound, ins, inputs, false); err != nil {
			return err
		}
		data := make([][]byte, len(bound))
		for i, t := range bound {
			data[i] = t.Data
		}
		got, err := run(ctx, data)
		if err != nil {
			return fmt.Errorf("run: %w", err)
		}
		tensors := make([]Tensor, len(got))
		for i, b := range got {
			tensors[i] = Tensor{Name: outs[i].Name, DType: outs[i].DType, Shape: outs[i].Shape, Data: b}
		}
		return compare(tensors)
	}
}
