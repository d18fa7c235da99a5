package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/edgeinfer/edgeinfer/runtime"
	"github.com/edgeinfer/edgeinfer/runtime/tflite"
)

func cmdRun(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newFlags("run", "run MODEL.tflite --input IN_0.bin [--input IN_1.bin ...] [--shape D0,D1,... ...] --output-dir DIR [--threads N]\n       edgeinfer run MODEL.tflite --image FILE|--audio FILE.wav [--top K] [--mask OUT.png] [--json]", `
Run loads a TensorFlow Lite model, reads one raw tensor file per model
input (in the model's input order), runs the model once and writes one raw
tensor file per output, out_0.bin, out_1.bin, ... in the model's output
order, into the output directory (created if missing). Tensor files are the
tensor's bytes with no header: little-endian, row-major, exactly
elements x element-size bytes. It prints one line: the model, its operator
count, the run's latency and each output written with its dtype and shape.

--shape gives the inputs other shapes than the model stores (a batch or a
sequence length where the model allows it: dimensions its shape_signature
marks -1, or any its operators accept), one per input in order; the
outputs then take the shapes the graph computes.

With --image (JPEG, PNG, BMP) or --audio (WAV), run prepares the file as
the model's TFLite metadata says (image size, normalization; audio sample
rate, windows of the input's length, scores averaged over the windows),
runs the model and prints what its outputs say: the top classes with the
labels of the metadata, detections in the image's pixels, the classes of a
segmentation (--mask writes it as a PNG) or landmarks. For models without
metadata give --mean and --std (float image inputs).

Use "edgeinfer inspect MODEL" to see the inputs a model expects.`, `
edgeinfer run model.tflite --input in_0.bin --output-dir out
# model.tflite: 3 operators, ran in 0.004 ms; out/out_0.bin (StatefulPartitionedCall:0 float32[1,1])
edgeinfer run model.tflite --shape 4,1 --input batch_of_4.bin --output-dir out
edgeinfer run mobilenet_v1_025_224_quant.tflite --image cat.jpg --top 3
# cat.jpg: mobilenet_v1_025_224_quant.tflite, classification in 1.502 ms
#    0.633  Egyptian cat
#    0.230  tabby
#    0.129  tiger cat`)
	var inputs stringList
	f.Var(&inputs, "input", "raw tensor `file` for the next model input (repeat once per input)")
	outDir := f.String("output-dir", "", "`directory` to write out_0.bin, out_1.bin, ... into")
	threads := f.Int("threads", 1, "goroutines the heavy operators split their work across")
	var shapeFlags stringList
	f.Var(&shapeFlags, "shape", "`dims` of the next input, comma-separated (repeat once per input)")
	var mf mediaFlags
	mf.add(f)
	pos, err := f.parse(args, stdout, 1, 1)
	if err != nil {
		return helpDone(err)
	}
	if mf.on() {
		if len(inputs) > 0 || *outDir != "" || len(shapeFlags) > 0 {
			return usagef("--image and --audio take the place of --input, --output-dir and --shape")
		}
		if *threads < 1 {
			return usagef("--threads must be at least 1, not %d", *threads)
		}
		m, err := openModel(pos[0])
		if err != nil {
			return err
		}
		defer m.Close()
		return runMedia(ctx, pos[0], m, &mf, *threads, stdout)
	}
	if *outDir == "" {
		return usagef("--output-dir is required")
	}
	if *threads < 1 {
		return usagef("--threads must be at least 1, not %d", *threads)
	}
	path := pos[0]
	m, err := openModel(path)
	if err != nil {
		return err
	}
	defer m.Close()
	shapes, err := parseShapes(shapeFlags, len(m.Inputs()))
	if err != nil {
		return err
	}
	s, err := m.NewSession(runtime.Options{Threads: *threads})
	if err != nil {
		return fmt.Errorf("%s: new session: %w", path, err)
	}
	defer s.Close()
	ins, outs := m.Inputs(), m.Outputs()
	if shapes != nil {
		r := s.(runtime.Resizer)
		if err := r.ResizeInputs(shapes); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		ins, outs = r.Inputs(), r.Outputs()
	}
	data, err := readInputs(ins, inputs)
	if err != nil {
		return err
	}
	if err := runtime.SetInputs(s, ins, data); err != nil {
		return err
	}
	start := time.Now()
	if err := s.Run(ctx); err != nil {
		return fmt.Errorf("%s: run: %w", path, err)
	}
	took := time.Since(start)
	if err := os.MkdirAll(*outDir, 0o755); err != nil {
		return fmt.Errorf("output directory: %w", err)
	}
	var written []string
	for i, info := range outs {
		name := filepath.Join(*outDir, fmt.Sprintf("out_%d.bin", i))
		if err := os.WriteFile(name, s.Output(i), 0o644); err != nil {
			return fmt.Errorf("write output %d: %w", i, err)
		}
		written = append(written, fmt.Sprintf("%s (%s)", name, info))
	}
	fmt.Fprintf(stdout, "%s: %d operators, ran in %s; %s\n", path, opTotal(m.OpCounts()), ms(took), strings.Join(written, ", "))
	return nil
}

// parseShapes reads one --shape per input ("1,40,28"), or none.
func parseShapes(flags []string, inputs int) ([][]int, error) {
	if len(flags) == 0 {
		return nil, nil
	}
	if len(flags) != inputs {
		return nil, usagef("--shape given %d times; the model has %d inputs (give one per input, in order)", len(flags), inputs)
	}
	shapes := make([][]int, len(flags))
	for i, f := range flags {
		for _, d := range strings.Split(f, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(d))
			if err != nil || n < 1 {
				return nil, usagef("--shape %q: dimensions must be positive integers", f)
			}
			shapes[i] = append(shapes[i], n)
		}
	}
	return shapes, nil
}

// openModel opens a model, saying which file when it does not exist.
func openModel(path string) (*tflite.Model, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	return tflite.Open(path)
}

// readInputs reads one tensor file per model input and checks its size, so
// the error can name both the file and the input it was meant for.
func readInputs(infos []runtime.TensorInfo, files []string) ([][]byte, error) {
	if len(files) != len(infos) {
		var want []string
		for i, in := range infos {
			want = append(want, fmt.Sprintf("input %d: %s (%d bytes)", i, in, in.ByteSize()))
		}
		return nil, fmt.Errorf("the model takes %d inputs, %d given with --input; it wants, in order:\n\t%s",
			len(infos), len(files), strings.Join(want, "\n\t"))
	}
	data := make([][]byte, len(files))
	for i, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("input %d: %w", i, err)
		}
		if want := infos[i].ByteSize(); len(b) != want {
			return nil, fmt.Errorf("input %d: %s holds %d bytes, but input %d (%s) needs %d bytes (%d elements of %s, %d bytes each)",
				i, name, len(b), i, infos[i], want, infos[i].NumElements(), infos[i].DType, infos[i].DType.Size())
		}
		data[i] = b
	}
	return data, nil
}

func opTotal(counts map[string]int) int {
	n := 0
	for _, c := range counts {
		n += c
	}
	return n
}

// ms formats a duration in milliseconds with three decimals.
func ms(d time.Duration) string {
	return fmt.Sprintf("%.3f ms", float64(d)/float64(time.Millisecond))
}
