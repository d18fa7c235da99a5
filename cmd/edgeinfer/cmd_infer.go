package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/edgeinfer/edgeinfer/api"
	"github.com/edgeinfer/edgeinfer/client"
)

func cmdInfer(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newFlags("infer", "infer NAME (--input FILE [--input FILE ...] | --image FILE | --audio FILE [--mask OUT.png]) [--socket PATH] [--output-dir DIR] [--json] [--no-cache] [--top K] [--sequence-id ID [--sequence-start] [--sequence-end]]", `
Infer sends one inference request for the model NAME to the running agent
over its Unix socket and prints the answer.

Each --input FILE is either raw tensor bytes or a JSON tensor file. Raw files
are matched to the model's inputs in order (the inputs not given by JSON
files), and their dtype and shape come from the model's metadata; a file of
the wrong size is refused with the size the input needs. A JSON tensor file
(name ending in .json, or content starting with "{") is a KServe v2 request
body, {"inputs": [{"name", "datatype", "shape", "data"}, ...]}, or one
tensor object {"name": "x", "datatype": "FP32", "shape": [1, 3],
"data": [1, 2, 3]}; data is the flat row-major list, or a nested list.
A JSON tensor's shape is sent as given: a model whose inputs resize (its
status says resizable) runs on another shape of the same rank.

--image FILE (JPEG, PNG or BMP) or --audio FILE (WAV) sends the encoded
file instead of tensors, its content type named by its first bytes, not
its name: the agent prepares it as the model's metadata (or its media:
configuration) says and answers with what the outputs say, printed as run
--image prints it: the --top K classes with their scores, detections as
boxes (and keypoints) in the image's pixels, a segmentation's classes by
share (--mask OUT.png writes its mask), or landmarks; --json prints the
decoded answer as JSON.

For a stateful model (its status says stateful), --sequence-id ID puts the
request in that stream: --sequence-start opens it with fresh state on a
session the agent pins to it, --sequence-end closes it after this request.
Without --sequence-id a stateful model runs the request on fresh state.

Tensors travel with the binary tensor extension (--json: as JSON lists). It
prints the model's version, the round-trip latency, whether the agent's
result cache answered (hit, miss, or off), the agent's queue and compute
times, then each output: name, datatype and shape, and for a
classifier-like [1,N] output the --top K highest values with their indexes,
otherwise its first values. --output-dir writes each output's raw bytes to
DIR/out_NAME.bin (characters other than letters, digits, "-", "_" and "."
in NAME become "_"). --json prints the KServe v2 response JSON instead.

The socket is --socket, else $EDGEINFER_SOCKET, else the agent's default
(/run/edgeinfer/edgeinfer.sock for root, $XDG_RUNTIME_DIR/edgeinfer/ or
/tmp/edgeinfer-UID/ for other users).`, `
edgeinfer infer mobilenet --input cat_224x224x3.bin --top 5
edgeinfer infer mobilenet --image cat.jpg --top 3
edgeinfer infer deeplab --image street.png --mask mask.png
edgeinfer infer sine --input x.json --json
# x.json: {"name": "x", "datatype": "FP32", "shape": [1, 1], "data": [1.57]}`)
	var inputs stringList
	f.Var(&inputs, "input", "tensor `FILE`: raw bytes for the next model input, or a JSON tensor file (repeat)")
	socket := f.String("socket", "", "the agent's socket `PATH` (default $EDGEINFER_SOCKET or the agent's default)")
	outDir := f.String("output-dir", "", "write each output's raw bytes to `DIR`/out_NAME.bin")
	asJSON := f.Bool("json", false, "send tensors as JSON and print the KServe v2 response JSON")
	noCache := f.Bool("no-cache", false, "bypass the agent's result cache")
	top := f.Int("top", 5, "how many of the highest values of a [1,N] output to print (0: print the first values)")
	timeout := f.Duration("timeout", time.Minute, "give up after this long")
	seqID := f.String("sequence-id", "", "run the request in the stream `ID` of a stateful model")
	seqStart := f.Bool("sequence-start", false, "open the stream (fresh state) with this request")
	seqEnd := f.Bool("sequence-end", false, "close the stream after this request")
	image := f.String("image", "", "send an image `FILE` (JPEG, PNG, BMP) for the agent to prepare and decode")
	audio := f.String("audio", "", "send a WAV `FILE` for the agent to prepare and decode")
	mask := f.String("mask", "", "write a segmentation model's mask as a PNG `FILE` (with --image)")
	pos, err := f.parse(args, stdout, 1, 1)
	if err != nil {
		return helpDone(err)
	}
	file := *image + *audio
	switch {
	case *image != "" && *audio != "":
		return usagef("give --image or --audio, not both")
	case file != "" && (len(inputs) > 0 || *outDir != "" || *seqID != ""):
		return usagef("--image and --audio take the place of --input, --output-dir and --sequence-id")
	case file == "" && *mask != "":
		return usagef("--mask needs --image")
	case file == "" && len(inputs) == 0:
		return usagef("at least one --input (or --image or --audio) is required")
	case *top < 0:
		return usagef("--top must not be negative")
	case *seqID == "" && (*seqStart || *seqEnd):
		return usagef("--sequence-start and --sequence-end need --sequence-id")
	}
	name := pos[0]
	c := &client.Client{Socket: *socket, Timeout: *timeout}
	if file != "" {
		return inferFile(ctx, c, name, file, *top, *mask, *asJSON, *noCache, stdout)
	}
	md, err := c.Model(ctx, name)
	if err != nil {
		return err
	}
	tensors, err := readTensors(md, inputs)
	if err != nil {
		return err
	}
	var opts []client.InferOption
	if *noCache {
		opts = append(opts, client.NoCache())
	}
	if *seqID != "" {
		opts = append(opts, client.Sequence(*seqID, *seqStart, *seqEnd))
	}
	infer := c.Infer
	if *asJSON {
		infer = c.InferJSON
	}
	start := time.Now()
	res, err := infer(ctx, name, tensors, opts...)
	if err != nil {
		return err
	}
	took := time.Since(start)
	if *outDir != "" {
		if err := writeOutputs(*outDir, res.Outputs); err != nil {
			return err
		}
	}
	if *asJSON {
		return printResponseJSON(stdout, res)
	}
	fmt.Fprintf(stdout, "%s version %s: %s round trip, cache %s, queue %s, compute %s, batch %d\n",
		res.Model, res.Version, ms(took), res.Cache, ms(res.Queue), ms(res.Compute), res.Batch)
	for _, o := range res.Outputs {
		if err := printOutput(stdout, o, *top); err != nil {
			return err
		}
	}
	if *outDir != "" {
		for _, o := range res.Outputs {
			fmt.Fprintf(stdout, "wrote %s\n", outputPath(*outDir, o.Name))
		}
	}
	return nil
}

// readTensors reads the --input files: JSON tensor files by name, raw
// files for the remaining model inputs in order.
func readTensors(md *api.ModelMetadata, files []string) ([]client.Tensor, error) {
	var tensors []client.Tensor
	var raw []string
	given := map[string]bool{}
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("input: %w", err)
		}
		if !isJSONFile(file, b) {
			raw = append(raw, file)
			continue
		}
		ts, err := jsonTensors(file, b)
		if err != nil {
			return nil, err
		}
		for _, t := range ts {
			given[t.Name] = true
		}
		tensors = append(tensors, ts...)
	}
	var free []api.TensorMetadata
	for _, in := range md.Inputs {
		if !given[in.Name] {
			free = append(free, in)
		}
	}
	if len(raw) == 0 {
		return tensors, nil
	}
	if len(raw) != len(free) {
		var want []string
		for i, in := range free {
			want = append(want, fmt.Sprintf("input %d: %q %s%s (%d bytes)", i, in.Name, in.Datatype, api.FormatShape(in.Shape), byteSize(in)))
		}
		return nil, fmt.Errorf("model %q has %d inputs not given by JSON files, and %d raw files were given; it wants, in order:\n\t%s",
			md.Name, len(free), len(raw), strings.Join(want, "\n\t"))
	}
	for i, file := range raw {
		in := free[i]
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("input: %w", err)
		}
		if want := byteSize(in); len(b) != want {
			return nil, fmt.Errorf("%s holds %d bytes, but input %q (%s%s) needs %d bytes (%d elements of %s)",
				file, len(b), in.Name, in.Datatype, api.FormatShape(in.Shape), want, elements(in.Shape), in.Datatype)
		}
		tensors = append(tensors, client.Tensor{Name: in.Name, Datatype: in.Datatype, Shape: in.Shape, Data: b})
	}
	return tensors, nil
}

func isJSONFile(name string, b []byte) bool {
	if strings.EqualFold(filepath.Ext(name), ".json") {
		return true
	}
	s := strings.TrimLeft(string(b[:min(len(b), 64)]), " \t\r\n")
	return strings.HasPrefix(s, "{") && json.Valid(b)
}

// jsonTensors reads a KServe v2 request body or a single tensor object.
func jsonTensors(file string, b []byte) ([]client.Tensor, error) {
	var doc struct {
		Inputs *[]api.RequestInput `json:"inputs"`
		api.RequestInput
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	ins := []api.RequestInput{doc.RequestInput}
	switch {
	case doc.Inputs != nil:
		ins = *doc.Inputs
	case doc.Name == "":
		return nil, fmt.Errorf(`%s: neither a KServe v2 request ({"inputs": [...]}) nor a tensor with a name ({"name", "datatype", "shape", "data"})`, file)
	}
	out := make([]client.Tensor, len(ins))
	for i, in := range ins {
		dt, err := api.ParseDatatype(in.Datatype)
		if err != nil {
			return nil, fmt.Errorf("%s: input %q: %w", file, in.Name, err)
		}
		n := elements(in.Shape)
		if n < 0 {
			return nil, fmt.Errorf("%s: input %q: shape %s is not a tensor's shape", file, in.Name, api.FormatShape(in.Shape))
		}
		data, count, err := api.DecodeData(dt, in.Data, n)
		if err != nil {
			return nil, fmt.Errorf("%s: input %q: %w", file, in.Name, err)
		}
		if count != n {
			return nil, fmt.Errorf("%s: input %q: shape %s has %d elements but data has %d", file, in.Name, api.FormatShape(in.Shape), n, count)
		}
		out[i] = client.Tensor{Name: in.Name, Datatype: api.Datatype(dt), Shape: in.Shape, Data: data}
	}
	return out, nil
}

// elements is the element count of a shape, or -1 for a negative or
// absurdly large one.
func elements(shape []int64) int {
	n := int64(1)
	for _, d := range shape {
		if d < 0 || d > 0 && n > (1<<40)/d {
			return -1
		}
		n *= d
	}
	return int(n)
}

func byteSize(t api.TensorMetadata) int {
	dt, err := api.ParseDatatype(t.Datatype)
	if err != nil {
		return 0
	}
	return elements(t.Shape) * dt.Size()
}

// printOutput prints one output: the top K of a [1,N] output, else its
// first values.
func printOutput(w io.Writer, o client.Tensor, top int) error {
	v, err := o.Values()
	if err != nil {
		return err
	}
	head := fmt.Sprintf("%s %s%s", o.Name, o.Datatype, api.FormatShape(o.Shape))
	if top > 0 && len(o.Shape) == 2 && o.Shape[0] == 1 && o.Shape[1] > 1 {
		idx := make([]int, len(v))
		for i := range idx {
			idx[i] = i
		}
		slices.SortStableFunc(idx, func(a, b int) int {
			switch {
			case v[a] > v[b]:
				return -1
			case v[a] < v[b]:
				return 1
			}
			return 0
		})
		k := min(top, len(idx))
		fmt.Fprintf(w, "%s, top %d:\n", head, k)
		for _, i := range idx[:k] {
			fmt.Fprintf(w, "  %6d  %s\n", i, num(v[i]))
		}
		return nil
	}
	const first = 10
	parts := make([]string, 0, first)
	for _, x := range v[:min(first, len(v))] {
		parts = append(parts, num(x))
	}
	more := ""
	if len(v) > first {
		more = fmt.Sprintf(" ... (%d values)", len(v))
	}
	fmt.Fprintf(w, "%s: %s%s\n", head, strings.Join(parts, " "), more)
	return nil
}

func num(x float64) string { return strconv.FormatFloat(x, 'g', 6, 64) }

// outputPath is DIR/out_NAME.bin with NAME made safe for a file name.
func outputPath(dir, name string) string {
	safe := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.' {
			return r
		}
		return '_'
	}, name)
	return filepath.Join(dir, "out_"+safe+".bin")
}

func writeOutputs(dir string, outs []client.Tensor) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("output directory: %w", err)
	}
	for _, o := range outs {
		if err := os.WriteFile(outputPath(dir, o.Name), o.Data, 0o644); err != nil {
			return fmt.Errorf("output %q: %w", o.Name, err)
		}
	}
	return nil
}

// printResponseJSON prints the result as the protocol's response JSON.
func printResponseJSON(w io.Writer, res *client.Result) error {
	ir := api.InferResponse{ModelName: res.Model, ModelVersion: res.Version, ID: res.ID, Outputs: make([]api.ResponseOutput, len(res.Outputs))}
	for i, o := range res.Outputs {
		dt, err := api.ParseDatatype(o.Datatype)
		if err != nil {
			return fmt.Errorf("output %q: %w", o.Name, err)
		}
		data, err := api.EncodeData(dt, o.Data)
		if err != nil {
			return fmt.Errorf("output %q: %w", o.Name, err)
		}
		ir.Outputs[i] = api.ResponseOutput{Name: o.Name, Datatype: o.Datatype, Shape: o.Shape, Data: data}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(ir)
}

// inferFile sends an encoded image or WAV file to model name and prints
// the decoded answer as run --image does.
func inferFile(ctx context.Context, c *client.Client, name, file string, top int, mask string, asJSON, noCache bool, stdout io.Writer) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	ct := api.SniffMediaType(data)
	if ct == "" {
		return fmt.Errorf("%s: not a JPEG, PNG, BMP or WAV file (by its first bytes)", file)
	}
	opts := []client.InferOption{client.TopK(top)}
	if mask != "" {
		opts = append(opts, client.Mask())
	}
	if noCache {
		opts = append(opts, client.NoCache())
	}
	start := time.Now()
	d, err := c.InferMedia(ctx, name, ct, data, opts...)
	if err != nil {
		return err
	}
	took := time.Since(start)
	if mask != "" {
		if err := os.WriteFile(mask, d.MaskPNG, 0o644); err != nil {
			return fmt.Errorf("--mask: %w", err)
		}
	}
	windows := ""
	if d.Windows > 1 {
		windows = fmt.Sprintf(" (%d windows, scores averaged)", d.Windows)
	}
	return printDecoded(stdout, d, asJSON, mask, fmt.Sprintf("%s: %s, %s in %s round trip%s", file, name, d.Kind, ms(took), windows))
}
