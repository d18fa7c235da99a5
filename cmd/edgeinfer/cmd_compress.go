package main

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"strings"

	"github.com/edgeinfer/edgeinfer/media/calibset"
	"github.com/edgeinfer/edgeinfer/runtime"
	"github.com/edgeinfer/edgeinfer/runtime/tflite"
	"github.com/edgeinfer/edgeinfer/runtime/tflite/metadata"
)

func init() {
	addCommands(command{"compress", "make a model smaller: float16 weights, int8 weights, or full int8", cmdCompress})
}

func cmdCompress(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newFlags("compress", "compress IN.tflite -o OUT.tflite --to fp16|int8-weights|int8 [--calibration DIR] [--mean M] [--std S] [--int8-io] [--samples N] [--seed S]", `
Compress rewrites a float32 model smaller, as TensorFlow's converter would.

--to fp16 stores every float32 constant tensor (weights, biases) as
float16 with a DEQUANTIZE operator in front; activations stay float32.

--to int8-weights is dynamic-range quantization: the float32 weights of
FULLY_CONNECTED (one scale), CONV_2D and DEPTHWISE_CONV_2D (one scale per
output channel) with at least 1024 elements become int8, and those
operators run hybrid (activations quantized on the fly). Biases and small
weights stay float32.

--to int8 is full-integer quantization: int8 per-channel weights, int32
biases, and int8 activations whose ranges come from running the float
model on the calibration set in --calibration DIR. The model keeps float32
inputs and outputs (QUANTIZE and DEQUANTIZE at its edges) unless
--int8-io. An operator it cannot quantize is refused by name and index.

DIR holds one sample per file: .bin or .raw files with the raw tensors of
all inputs one after another, or .png/.jpg/.jpeg/.bmp images for a model
with one image input, resized to it and normalized as the model's
metadata says, or as --mean and --std say (comma-separated, one value or
one per channel). Metadata, signatures and associated files are kept.

It prints the sizes before and after and the agreement of the new model
with the original: top-1 agreement, mean and max absolute difference per
output, on the calibration set when given, otherwise on --samples seeded
random inputs (uniform in [-1, 1) for floats).`, `
edgeinfer compress mobilenet.tflite -o mobilenet_fp16.tflite --to fp16
edgeinfer compress mobilenet.tflite -o mobilenet_w8.tflite --to int8-weights
edgeinfer compress mobilenet.tflite -o mobilenet_int8.tflite --to int8 --calibration photos/`)
	out := f.String("o", "", "the compressed model to write")
	to := f.String("to", "", "the compression: fp16, int8-weights or int8")
	calib := f.String("calibration", "", "folder of sample inputs (tensor files or images); required for --to int8")
	meanFlag := f.String("mean", "", "image normalization mean, e.g. 127.5 or 123.7,116.3,103.5 (default: the model's metadata)")
	stdFlag := f.String("std", "", "image normalization std (default: the model's metadata)")
	intIO := f.Bool("int8-io", false, "with --to int8: int8 inputs and outputs, no QUANTIZE/DEQUANTIZE at the edges")
	samples := f.Int("samples", 4, "random inputs to measure agreement on, without --calibration")
	seed := f.Uint("seed", 1, "seed of the random inputs")
	pos, err := f.parse(args, stdout, 1, 1)
	if err != nil {
		return helpDone(err)
	}
	switch {
	case *out == "":
		return usagef("missing -o OUT.tflite")
	case *to != "fp16" && *to != "int8-weights" && *to != "int8":
		return usagef("--to %q: want fp16, int8-weights or int8", *to)
	case *to == "int8" && *calib == "":
		return usagef("--to int8 needs --calibration DIR (sample inputs to observe the activations' ranges)")
	case *intIO && *to != "int8":
		return usagef("--int8-io goes with --to int8")
	case *samples < 1:
		return usagef("--samples %d: want at least 1", *samples)
	}
	mean, err := parseFloats("mean", *meanFlag)
	if err != nil {
		return err
	}
	std, err := parseFloats("std", *stdFlag)
	if err != nil {
		return err
	}
	in, err := os.ReadFile(pos[0])
	if err != nil {
		return err
	}
	var set []calibset.Sample
	if *calib != "" {
		set, err = readCalibration(in, pos[0], *calib, mean, std, stderr)
		if err != nil {
			return err
		}
	}
	var small []byte
	switch *to {
	case "fp16":
		small, err = tflite.CompressFP16(in)
	case "int8-weights":
		var n int
		small, n, err = tflite.QuantizeWeights(in)
		if err == nil {
			fmt.Fprintf(stdout, "%d weight tensors stored as int8\n", n)
		}
	case "int8":
		inputs := make([][][]byte, len(set))
		for i, s := range set {
			inputs[i] = s.Inputs
		}
		small, _, err = tflite.QuantizeInt8(ctx, in, inputs, tflite.Int8Options{IntIO: *intIO})
	}
	if err != nil {
		return fmt.Errorf("%s: %w", pos[0], err)
	}
	var diffs []outputDiff
	var what string
	if set != nil {
		inputs := make([][][]byte, len(set))
		for i, s := range set {
			inputs[i] = s.Inputs
		}
		diffs, err = agreement(ctx, in, small, inputs)
		what = fmt.Sprintf("the %d samples of %s", len(set), *calib)
	} else {
		var inputs [][][]byte
		inputs, err = randomInputs(in, *samples, uint32(*seed))
		if err == nil {
			diffs, err = agreement(ctx, in, small, inputs)
		}
		what = fmt.Sprintf("%d random inputs (seed %d)", *samples, *seed)
	}
	if err != nil {
		return err
	}
	if err := os.WriteFile(*out, small, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %d bytes -> %s: %d bytes (%.1f%%)\n", pos[0], len(in), *out, len(small), 100*float64(len(small))/float64(len(in)))
	fmt.Fprintf(stdout, "agreement on %s:\n", what)
	for _, d := range diffs {
		fmt.Fprintf(stdout, "  output %d %s: top-1 %d/%d, mean |diff| %.3g, max |diff| %.3g\n", d.index, d.name, d.top1, d.samples, d.mean, d.max)
	}
	return nil
}

// readCalibration reads the calibration folder for the model, images
// normalized by --mean/--std or else by the model's metadata.
func readCalibration(model []byte, name, dir string, mean, std []float32, stderr io.Writer) ([]calibset.Sample, error) {
	m, err := tflite.Load(model)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	inputs := m.Inputs()
	m.Close()
	norm := calibset.Normalization{Mean: mean, Std: std}
	if mean == nil && std == nil {
		md, err := metadata.Read(model)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if md != nil && len(md.Inputs) > 0 && md.Inputs[0].Normalization != nil {
			norm = calibset.Normalization{Mean: md.Inputs[0].Normalization.Mean, Std: md.Inputs[0].Normalization.Std}
		}
	}
	set, err := calibset.Read(dir, inputs, norm)
	if err != nil {
		return nil, err
	}
	if norm.Mean == nil && norm.Std == nil && len(inputs) == 1 && inputs[0].DType == runtime.Float32 {
		for _, s := range set {
			if !strings.HasSuffix(s.File, ".bin") && !strings.HasSuffix(s.File, ".raw") {
				fmt.Fprintf(stderr, "compress: %s has no normalization in its metadata: images are given as pixels in [0, 255] (set --mean and --std)\n", name)
				break
			}
		}
	}
	return set, nil
}

// randomInputs returns samples of seeded random inputs for the model.
func randomInputs(model []byte, samples int, seed uint32) ([][][]byte, error) {
	m, err := tflite.Load(model)
	if err != nil {
		return nil, fmt.Errorf("original: %w", err)
	}
	defer m.Close()
	rng := newXorshift32(seed)
	out := make([][][]byte, samples)
	for s := range out {
		for _, info := range m.Inputs() {
			b := make([]byte, info.ByteSize())
			fillRandom(b, info.DType, rng)
			out[s] = append(out[s], b)
		}
	}
	return out, nil
}

type outputDiff struct {
	index         int
	name          string
	mean, max     float64
	top1, samples int
}

// agreement runs both models on the same inputs (given for the original;
// quantized for a compressed model with int8 inputs) and compares their
// outputs as real values: top-1 agreement and absolute differences.
func agreement(ctx context.Context, a, b []byte, inputs [][][]byte) ([]outputDiff, error) {
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
	outsA, outsB, insB := ma.Outputs(), mb.Outputs(), mb.Inputs()
	diffs := make([]outputDiff, len(outsA))
	counts := make([]int, len(outsA))
	for _, in := range inputs {
		ra, err := ma.Run(ctx, runtime.Options{}, in)
		if err != nil {
			return nil, fmt.Errorf("original: %w", err)
		}
		inB := make([][]byte, len(in))
		for i := range in {
			inB[i] = requantize(in[i], ma.Inputs()[i], insB[i])
		}
		rb, err := mb.Run(ctx, runtime.Options{}, inB)
		if err != nil {
			return nil, fmt.Errorf("compressed: %w", err)
		}
		for k, info := range outsA {
			x, y := values(ra[k], info), values(rb[k], outsB[k])
			if len(x) != len(y) {
				continue
			}
			for i := range x {
				d := math.Abs(x[i] - y[i])
				diffs[k].mean += d
				diffs[k].max = max(diffs[k].max, d)
			}
			if len(x) > 0 && argmax(x) == argmax(y) {
				diffs[k].top1++
			}
			diffs[k].samples++
			counts[k] += len(x)
		}
	}
	for k, info := range outsA {
		diffs[k].index, diffs[k].name = k, info.Name
		if counts[k] > 0 {
			diffs[k].mean /= float64(counts[k])
		}
	}
	return diffs, nil
}

// requantize turns a float32 input into the int8 the compressed model
// takes, when it takes int8 where the original takes float32.
func requantize(b []byte, from, to runtime.TensorInfo) []byte {
	if from.DType != runtime.Float32 || to.DType != runtime.Int8 || to.Quant == nil || len(to.Quant.Scale) == 0 || len(to.Quant.ZeroPoint) == 0 {
		return b
	}
	s, zp := float64(to.Quant.Scale[0]), float64(to.Quant.ZeroPoint[0])
	out := make([]byte, len(b)/4)
	for i := range out {
		v := float64(math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:])))
		out[i] = byte(int8(min(127, max(-128, math.Round(v/s)+zp))))
	}
	return out
}

func argmax(x []float64) int {
	best := 0
	for i, v := range x {
		if v > x[best] {
			best = i
		}
	}
	return best
}

// values decodes a tensor's elements as real values: floats as they are,
// quantized integers dequantized, other integers as their stored values.
func values(b []byte, info runtime.TensorInfo) []float64 {
	le := binary.LittleEndian
	n := info.NumElements()
	scale, zp := 1.0, 0.0
	if q := info.Quant; q != nil && len(q.Scale) == 1 && len(q.ZeroPoint) == 1 && (info.DType == runtime.Int8 || info.DType == runtime.UInt8) {
		scale, zp = float64(q.Scale[0]), float64(q.ZeroPoint[0])
	}
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
			out = append(out, scale*(float64(int8(b[i]))-zp))
		case runtime.UInt8:
			out = append(out, scale*(float64(b[i])-zp))
		default:
			return nil
		}
	}
	return out
}
