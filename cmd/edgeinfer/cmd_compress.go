package main

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"

	"github.com/edgeinfer/edgeinfer/runtime"
	"github.com/edgeinfer/edgeinfer/runtime/tflite"
)

func init() {
	addCommands(command{"compress", "store a model's float32 weights as float16", cmdCompress})
}

func cmdCompress(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newFlags("compress", "compress IN.tflite -o OUT.tflite --to fp16 [--samples N] [--seed S]", `
Compress rewrites a model smaller. --to fp16 stores every float32 constant
tensor (weights, biases) as float16 with a DEQUANTIZE operator in front, as
TensorFlow's converter writes float16 models; TFLite and edgeinfer turn
them back into float32 at load, so activations stay float32. Metadata,
signatures and associated files are kept. It prints the sizes before and
after, and the agreement of the new model with the original on --samples
seeded random inputs (uniform in [-1, 1) for floats): mean and max
absolute difference per output. It refuses, with the reason, a model it
cannot rewrite faithfully (no float32 weights, sparse tensors, operator
options it does not know).`, `
edgeinfer compress mobilenet.tflite -o mobilenet_fp16.tflite --to fp16`)
	out := f.String("o", "", "the compressed model to write")
	to := f.String("to", "", "the compression: fp16")
	samples := f.Int("samples", 4, "random inputs to measure agreement on")
	seed := f.Uint("seed", 1, "seed of the random inputs")
	pos, err := f.parse(args, stdout, 1, 1)
	if err != nil {
		return helpDone(err)
	}
	switch {
	case *out == "":
		return usagef("missing -o OUT.tflite")
	case *to != "fp16":
		return usagef("--to %q: want fp16", *to)
	case *samples < 1:
		return usagef("--samples %d: want at least 1", *samples)
	}
	in, err := os.ReadFile(pos[0])
	if err != nil {
		return err
	}
	small, err := tflite.CompressFP16(in)
	if err != nil {
		return fmt.Errorf("%s: %w", pos[0], err)
	}
	diffs, err := agreement(ctx, in, small, *samples, uint32(*seed))
	if err != nil {
		return err
	}
	if err := os.WriteFile(*out, small, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %d bytes -> %s: %d bytes (%.1f%%)\n", pos[0], len(in), *out, len(small), 100*float64(len(small))/float64(len(in)))
	fmt.Fprintf(stdout, "agreement on %d random inputs (seed %d):\n", *samples, *seed)
	for _, d := range diffs {
		fmt.Fprintf(stdout, "  output %d %s: mean |diff| %.3g, max |diff| %.3g\n", d.index, d.name, d.mean, d.max)
	}
	return nil
}

type outputDiff struct {
	index     int
	name      string
	mean, max float64
}

// agreement runs both models on the same seeded random inputs and returns
// the absolute differences of their outputs, as float64 values.
func agreement(ctx context.Context, a, b []byte, samples int, seed uint32) ([]outputDiff, error) {
	ma, err := tflite.Load(a)
	if err != nil {
		return nil, fmt.Errorf("original: %w", err)
	}
	defer ma.Close()
	mb, err := tflite.Load(b)
	if err != nil {
		return nil, fmt.Errorf("compressed: %w", err)
	}
	defer mb.Close()
	infos := ma.Inputs()
	outs := ma.Outputs()
	diffs := make([]outputDiff, len(outs))
	counts := make([]int, len(outs))
	rng := newXorshift32(seed)
	for range samples {
		inputs := make([][]byte, len(infos))
		for i, info := range infos {
			inputs[i] = make([]byte, info.ByteSize())
			fillRandom(inputs[i], info.DType, rng)
		}
		ra, err := ma.Run(ctx, runtime.Options{}, inputs)
		if err != nil {
			return nil, fmt.Errorf("original: %w", err)
		}
		rb, err := mb.Run(ctx, runtime.Options{}, inputs)
		if err != nil {
			return nil, fmt.Errorf("compressed: %w", err)
		}
		for k, info := range outs {
			x, y := values(ra[k], info), values(rb[k], info)
			for i := range x {
				d := math.Abs(x[i] - y[i])
				diffs[k].mean += d
				diffs[k].max = max(diffs[k].max, d)
			}
			counts[k] += len(x)
		}
	}
	for k, info := range outs {
		diffs[k].index, diffs[k].name = k, info.Name
		if counts[k] > 0 {
			diffs[k].mean /= float64(counts[k])
		}
	}
	return diffs, nil
}

// values decodes a tensor's elements as float64: floats as they are,
// integers as their stored values.
func values(b []byte, info runtime.TensorInfo) []float64 {
	le := binary.LittleEndian
	n := info.NumElements()
	out := make([]float64, 0, n)
	for i := range n {
		switch info.DType {
		case runtime.Float32:
			out = append(out, float64(math.Float32frombits(le.Uint32(b[4*i:]))))
		case runtime.Int32:
			out = append(out, float64(int32(le.Uint32(b[4*i:]))))
		case runtime.Int64:
			out = append(out, float64(int64(le.Uint64(b[8*i:]))))
		case runtime.Int8:
			out = append(out, float64(int8(b[i])))
		case runtime.UInt8:
			out = append(out, float64(b[i]))
		default:
			return nil
		}
	}
	return out
}
