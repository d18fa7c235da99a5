package client

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/edgeinfer/edgeinfer/api"
)

// Tensor is one named tensor: its protocol datatype ("FP32", "UINT8",
// ...), shape, and raw bytes, little-endian and row-major.
type Tensor struct {
	Name     string
	Datatype string
	Shape    []int64
	Data     []byte
}

// Float32Tensor makes an FP32 tensor of values.
func Float32Tensor(name string, shape []int64, values []float32) Tensor {
	var b []byte
	for _, v := range values {
		b = appendFloat32(b, v)
	}
	return Tensor{Name: name, Datatype: "FP32", Shape: shape, Data: b}
}

// Values returns the tensor's elements as float64s, whatever its datatype.
func (t Tensor) Values() ([]float64, error) {
	dt, err := api.ParseDatatype(t.Datatype)
	if err != nil {
		return nil, fmt.Errorf("tensor %q: %w", t.Name, err)
	}
	v, err := api.Values(dt, t.Data)
	if err != nil {
		return nil, fmt.Errorf("tensor %q: %w", t.Name, err)
	}
	return v, nil
}

// Result is the answer to an inference.
type Result struct {
	Model, Version, ID string
	// Outputs are in the model's order, or the order asked for.
	Outputs []Tensor
	// Cache is "hit", "miss" or "off": how the agent's result cache took
	// part.
	Cache string
	// Queue and Compute are the agent's own times: waiting for a session,
	// and running the model; Batch is how many requests ran together.
	Queue, Compute time.Duration
	Batch          int
}

// Output returns the output of that name.
func (r *Result) Output(name string) (Tensor, bool) {
	for _, t := range r.Outputs {
		if t.Name == name {
			return t, true
		}
	}
	return Tensor{}, false
}

// InferOption changes one inference request.
type InferOption func(*inferOptions)

type inferOptions struct {
	outputs []string
	noCache bool
	version string
	id      string
	seq     *api.Parameters
	topK    int
	mask    bool
}

// Outputs asks for these outputs only, in this order.
func Outputs(names ...string) InferOption {
	return func(o *inferOptions) { o.outputs = names }
}

// NoCache bypasses the agent's result cache.
func NoCache() InferOption {
	return func(o *inferOptions) { o.noCache = true }
}

// Version runs the request only if this version of the model is active.
func Version(v string) InferOption {
	return func(o *inferOptions) { o.version = v }
}

// RequestID sets the request's id, which the answer echoes.
func RequestID(id string) InferOption {
	return func(o *inferOptions) { o.id = id }
}

// TopK asks InferMedia for the k best classes (the agent's default is 5).
func TopK(k int) InferOption {
	return func(o *inferOptions) { o.topK = k }
}

// Mask asks InferMedia for a segmentation model's mask as a PNG
// (Decoded.MaskPNG).
func Mask() InferOption {
	return func(o *inferOptions) { o.mask = true }
}

// Sequence places the request in stream id of a stateful model (the
// parameters sequence_id, sequence_start, sequence_end): start opens the
// stream with fresh state on a session the agent pins to it; end closes it
// after this request. The agent answers 409 when every session is pinned.
func Sequence(id string, start, end bool) InferOption {
	return func(o *inferOptions) {
		o.seq = &api.Parameters{SequenceID: api.SequenceID(id), SequenceStart: start, SequenceEnd: end}
	}
}

// Infer runs model name on inputs, sending and receiving tensors with the
// binary tensor extension (no text conversion of the data).
func (c *Client) Infer(ctx context.Context, name string, inputs []Tensor, opts ...InferOption) (*Result, error) {
	return c.infer(ctx, name, inputs, true, opts)
}

// InferJSON is Infer with the tensors written as JSON lists both ways, the
// protocol's plain form.
func (c *Client) InferJSON(ctx context.Context, name string, inputs []Tensor, opts ...InferOption) (*Result, error) {
	return c.infer(ctx, name, inputs, false, opts)
}

func (c *Client) infer(ctx context.Context, name string, inputs []Tensor, binary bool, opts []InferOption) (*Result, error) {
	var o inferOptions
	for _, opt := range opts {
		opt(&o)
	}
	req := api.InferRequest{ID: o.id, Inputs: make([]api.RequestInput, len(inputs))}
	if o.noCache {
		no := false
		req.Parameters = &api.Parameters{Cache: &no}
	}
	if o.seq != nil {
		if req.Parameters == nil {
			req.Parameters = &api.Parameters{}
		}
		req.Parameters.SequenceID, req.Parameters.SequenceStart, req.Parameters.SequenceEnd = o.seq.SequenceID, o.seq.SequenceStart, o.seq.SequenceEnd
	}
	if binary && len(o.outputs) == 0 {
		if req.Parameters == nil {
			req.Parameters = &api.Parameters{}
		}
		req.Parameters.BinaryDataOutput = true
	}
	for _, name := range o.outputs {
		out := api.RequestOutput{Name: name}
		if binary {
			out.Parameters = &api.Parameters{BinaryData: true}
		}
		req.Outputs = append(req.Outputs, out)
	}
	var raw [][]byte
	size := 0
	for i, t := range inputs {
		in := api.RequestInput{Name: t.Name, Shape: t.Shape, Datatype: t.Datatype}
		if binary {
			n := int64(len(t.Data))
			in.Parameters = &api.Parameters{BinaryDataSize: &n}
			raw = append(raw, t.Data)
			size += len(t.Data)
		} else {
			dt, err := api.ParseDatatype(t.Datatype)
			if err != nil {
				return nil, fmt.Errorf("input %q: %w", t.Name, err)
			}
			if in.Data, err = api.EncodeData(dt, t.Data); err != nil {
				return nil, fmt.Errorf("input %q: %w", t.Name, err)
			}
		}
		req.Inputs[i] = in
	}
	js, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	header := http.Header{"Content-Type": {"application/json"}}
	body := js
	if binary {
		header = http.Header{
			"Content-Type":            {"application/octet-stream"},
			api.HeaderInferenceLength: {strconv.Itoa(len(js))},
		}
		body = make([]byte, 0, len(js)+size)
		body = append(body, js...)
		for _, r := range raw {
			body = append(body, r...)
		}
	}
	path := "/v2/models/" + url.PathEscape(name)
	if o.version != "" {
		path += "/versions/" + url.PathEscape(o.version)
	}
	resp, b, err := c.do(ctx, http.MethodPost, path+"/infer", header, body)
	if err != nil {
		return nil, err
	}
	res, err := decodeResult(resp.Header, b)
	if err != nil {
		return nil, fmt.Errorf("agent: the answer of model %q: %w", name, err)
	}
	return res, nil
}

// decodeResult decodes an inference answer, JSON or binary.
func decodeResult(h http.Header, body []byte) (*Result, error) {
	js, bin := body, []byte(nil)
	if v := h.Get(api.HeaderInferenceLength); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > len(body) {
			return nil, fmt.Errorf("%s %q does not fit a %d-byte body", api.HeaderInferenceLength, v, len(body))
		}
		js, bin = body[:n], body[n:]
	}
	var ir api.InferResponse
	if err := json.Unmarshal(js, &ir); err != nil {
		return nil, err
	}
	res := &Result{Model: ir.ModelName, Version: ir.ModelVersion, ID: ir.ID, Cache: h.Get(api.HeaderCache)}
	res.Queue, res.Compute, res.Batch = serverTiming(h.Get("Server-Timing"))
	off := 0
	for _, o := range ir.Outputs {
		t := Tensor{Name: o.Name, Datatype: o.Datatype, Shape: o.Shape}
		dt, err := api.ParseDatatype(o.Datatype)
		if err != nil {
			return nil, fmt.Errorf("output %q: %w", o.Name, err)
		}
		count, ok := elements(o.Shape)
		if !ok || dt.Size() == 0 {
			return nil, fmt.Errorf("output %q: cannot hold shape %s of %s", o.Name, api.FormatShape(o.Shape), o.Datatype)
		}
		if o.Parameters != nil && o.Parameters.BinaryDataSize != nil {
			n := *o.Parameters.BinaryDataSize
			if n < 0 || int64(len(bin)-off) < n {
				return nil, fmt.Errorf("output %q: binary_data_size %d but %d bytes are left", o.Name, n, len(bin)-off)
			}
			if int(n) != count*dt.Size() {
				return nil, fmt.Errorf("output %q: binary_data_size %d, but shape %s of %s takes %d bytes", o.Name, n, api.FormatShape(o.Shape), o.Datatype, count*dt.Size())
			}
			t.Data = bin[off : off+int(n)]
			off += int(n)
		} else {
			data, got, err := api.DecodeData(dt, o.Data, count)
			if err != nil {
				return nil, fmt.Errorf("output %q: %w", o.Name, err)
			}
			if got != count {
				return nil, fmt.Errorf("output %q: shape %s has %d elements but data has %d", o.Name, api.FormatShape(o.Shape), count, got)
			}
			t.Data = data
		}
		res.Outputs = append(res.Outputs, t)
	}
	return res, nil
}

// elements is the element count of a shape; false for a negative or
// absurdly large one.
func elements(shape []int64) (int, bool) {
	n := int64(1)
	for _, d := range shape {
		if d < 0 || d > 0 && n > (1<<40)/d {
			return 0, false
		}
		n *= d
	}
	return int(n), true
}

// serverTiming reads the agent's Server-Timing header:
// "queue;dur=0.250, compute;dur=1.250, batch;desc=1".
func serverTiming(v string) (queue, compute time.Duration, batch int) {
	for _, part := range strings.Split(v, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		key, val, _ := strings.Cut(params, "=")
		switch {
		case key == "dur" && (name == "queue" || name == "compute"):
			ms, err := strconv.ParseFloat(val, 64)
			if err != nil {
				continue
			}
			d := time.Duration(ms * float64(time.Millisecond))
			if name == "queue" {
				queue = d
			} else {
				compute = d
			}
		case key == "desc" && name == "batch":
			batch, _ = strconv.Atoi(val)
		}
	}
	return queue, compute, batch
}

func appendFloat32(b []byte, v float32) []byte {
	return binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
}
