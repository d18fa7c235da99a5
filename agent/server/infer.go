package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/edgeinfer/edgeinfer/agent"
	"github.com/edgeinfer/edgeinfer/api"
	"github.com/edgeinfer/edgeinfer/runtime"
)

// infer is POST /v2/models/{name}[/versions/{v}]/infer.
func (h *handler) infer(w http.ResponseWriter, r *http.Request) error {
	st, err := h.model(r)
	if err != nil {
		return err
	}
	headerLen := -1
	if v := r.Header.Get(api.HeaderInferenceLength); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return badRequest("%s: %q is not a byte count", api.HeaderInferenceLength, v)
		}
		headerLen = n
	}
	limit := modelBodyLimit(st.Inputs)
	if headerLen >= 0 && h.b.TakesMedia(st.Name) {
		limit = max(limit, h.o.MaxMediaBytes)
	}
	if h.o.MaxBodyBytes > 0 {
		limit = h.o.MaxBodyBytes
	}
	body, release, err := h.readBody(r, limit)
	if err != nil {
		return err
	}
	defer release()
	ctx := r.Context()
	if h.o.RequestTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, h.o.RequestTimeout)
		defer cancel()
	}
	js := body
	if headerLen >= 0 && headerLen <= len(body) {
		js = body[:headerLen]
	}
	if isMedia(js) {
		mreq, id, err := decodeMedia(body, headerLen, st)
		if err != nil {
			return err
		}
		return h.inferMedia(ctx, w, r, mreq, id)
	}
	req, out, err := decodeInfer(body, headerLen, st, limit)
	if err != nil {
		return err
	}
	req.Version = r.PathValue("version")
	req.Caller = caller(r)
	if strings.Contains(strings.ToLower(r.Header.Get("Cache-Control")), "no-cache") {
		req.NoCache = true
	}
	resp, err := h.b.Infer(ctx, req)
	if err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) && !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, agent.ErrDeadline) {
			err = fmt.Errorf("model %q: the request's deadline of %s passed: %w (%w)", st.Name, h.o.RequestTimeout, context.DeadlineExceeded, err)
		}
		return err
	}
	return writeInferResponse(w, resp, out)
}

// caller names who asks, for the result cache: the peer's uid.
func caller(r *http.Request) string {
	if p, ok := r.Context().Value(peerKey{}).(peer); ok && p.err == nil {
		return "uid:" + strconv.Itoa(p.uid)
	}
	return "unknown"
}

// outputPlan is how the answer carries each output.
type outputPlan struct {
	// limit is the sum of the byte sizes of the model's outputs: no answer
	// carries more tensor bytes.
	limit     int
	id        string
	binaryAll bool
	binary    map[string]bool
}

// decodeInfer decodes an inference request body (JSON, or JSON followed
// by binary tensors when headerLen >= 0): each input's element count and
// value ranges against its own datatype and shape, then the inputs against
// the model with runtime.BindInputs (name, datatype, shape, size; a
// resizable model takes other shapes of the same rank, whose bytes must
// fit in bodyCap). The request's inputs come out in model order. Its
// errors are 400s naming the tensor and what is wrong.
func decodeInfer(body []byte, headerLen int, st agent.ModelStatus, bodyCap int64) (*agent.Request, outputPlan, error) {
	plan := outputPlan{limit: outputBytes(st.Outputs)}
	js, bin := body, []byte(nil)
	if headerLen >= 0 {
		if headerLen > len(body) {
			return nil, plan, badRequest("%s is %d but the body has only %d bytes", api.HeaderInferenceLength, headerLen, len(body))
		}
		js, bin = body[:headerLen], body[headerLen:]
	}
	var ir api.InferRequest
	if err := json.Unmarshal(js, &ir); err != nil {
		return nil, plan, badRequest("request JSON: %v", err)
	}
	if len(ir.Inputs) == 0 {
		return nil, plan, badRequest("the request has no inputs; model %q takes %s", st.Name, tensorList(st.Inputs))
	}
	// One allocation holds the inputs as given and as bound.
	n := len(ir.Inputs)
	tensors := make([]agent.Tensor, n+len(st.Inputs))
	given, bound := tensors[:n:n], tensors[n:]
	off := headerLen
	for k, in := range ir.Inputs {
		t, err := decodeInput(in, body, &off, headerLen >= 0, bodyCap)
		if err != nil {
			return nil, plan, err
		}
		given[k] = t
	}
	req := &agent.Request{Model: st.Name}
	if err := runtime.BindInputs(bound, st.Inputs, given, st.Resizable); err != nil {
		return nil, plan, &statusError{http.StatusBadRequest, fmt.Errorf("model %q: %w", st.Name, err)}
	}
	req.Inputs = bound
	scale := 1
	for i, t := range bound {
		if stored := st.Inputs[i].NumElements(); stored > 0 {
			n := runtime.TensorInfo{Shape: t.Shape}.NumElements()
			scale = max(scale, (n+stored-1)/stored)
		}
	}
	if headerLen >= 0 && off < len(body) {
		return nil, plan, badRequest("the body has %d bytes after the last binary input (binary part: %d bytes)", len(body)-off, len(bin))
	}
	plan.limit *= scale
	if p := ir.Parameters; p != nil {
		plan.binaryAll = p.BinaryDataOutput
		if p.Cache != nil && !*p.Cache {
			req.NoCache = true
		}
		seq, err := sequence(p, st)
		if err != nil {
			return nil, plan, err
		}
		req.Sequence = seq
	}
	if len(ir.ID) > api.MaxIDBytes {
		return nil, plan, badRequest("request id: %d bytes, more than the limit of %d", len(ir.ID), api.MaxIDBytes)
	}
	plan.id = ir.ID
	plan.binary = map[string]bool{}
	for _, o := range ir.Outputs {
		if _, ok := findTensor(st.Outputs, o.Name); !ok {
			return nil, plan, badRequest("output %q: model %q has no such output (it gives %s)", o.Name, st.Name, tensorList(st.Outputs))
		}
		if slices.Contains(req.Outputs, o.Name) {
			return nil, plan, badRequest("output %q is asked for twice", o.Name)
		}
		req.Outputs = append(req.Outputs, o.Name)
		if o.Parameters != nil && o.Parameters.BinaryData {
			plan.binary[o.Name] = true
		}
	}
	return req, plan, nil
}

// requestShape is the shape a request gives an input of dtype dt, within
// what a body of bodyCap bytes can carry (the binary form, the smallest,
// must fit in it). Whether the model takes it is runtime.BindInputs' to say.
func requestShape(in api.RequestInput, dt runtime.DType, bodyCap int64) ([]int, error) {
	limit := bodyCap / int64(max(dt.Size(), 1))
	shape := make([]int, len(in.Shape))
	n := int64(1)
	for k, d := range in.Shape {
		if d < 0 || d > limit {
			return nil, badRequest("input %q: shape %s: dimension %d is %d, not in 0..%d", in.Name, api.FormatShape(in.Shape), k, d, limit)
		}
		n *= d
		if n > limit {
			return nil, badRequest("input %q: shape %s has more than %d elements, the most a request body of %d bytes can carry", in.Name, api.FormatShape(in.Shape), limit, bodyCap)
		}
		shape[k] = int(d)
	}
	return shape, nil
}

// sequence reads the stream parameters of a request: nil without a
// sequence id; start or end without one is refused, as is a sequence id
// for a model that keeps no state.
func sequence(p *api.Parameters, st agent.ModelStatus) (*agent.Sequence, error) {
	if p.SequenceID == "" {
		if p.SequenceStart || p.SequenceEnd {
			return nil, badRequest("parameters: sequence_start and sequence_end need a sequence_id")
		}
		return nil, nil
	}
	if !st.Stateful {
		return nil, badRequest("parameters.sequence_id: model %q keeps no state between runs; send its requests without one", st.Name)
	}
	if len(p.SequenceID) > api.MaxSequenceIDBytes {
		return nil, badRequest("parameters.sequence_id: %d bytes, more than the limit of %d", len(p.SequenceID), api.MaxSequenceIDBytes)
	}
	return &agent.Sequence{ID: string(p.SequenceID), Start: p.SequenceStart, End: p.SequenceEnd}, nil
}

// decodeInput decodes one request input as it describes itself (datatype,
// shape) and returns it with its raw bytes, from the JSON data or the
// binary part at *off. The data must fill the shape; whether the model
// takes the tensor is runtime.BindInputs' to say.
func decodeInput(in api.RequestInput, body []byte, off *int, binary bool, bodyCap int64) (agent.Tensor, error) {
	dt, err := api.ParseDatatype(in.Datatype)
	if err != nil {
		return agent.Tensor{}, badRequest("input %q: %v", in.Name, err)
	}
	shape, err := requestShape(in, dt, bodyCap)
	if err != nil {
		return agent.Tensor{}, err
	}
	t := agent.Tensor{Name: in.Name, DType: dt, Shape: shape}
	n := runtime.TensorInfo{Shape: shape}.NumElements()
	size := n * dt.Size()
	if in.Parameters != nil && in.Parameters.BinaryDataSize != nil {
		bs := *in.Parameters.BinaryDataSize
		switch {
		case !binary:
			return t, badRequest("binary input %q: parameters.binary_data_size is set but the request has no %s header", in.Name, api.HeaderInferenceLength)
		case len(in.Data) > 0:
			return t, badRequest("binary input %q: has both data and parameters.binary_data_size", in.Name)
		case bs != int64(size):
			return t, badRequest("binary input %q: binary_data_size is %d but shape %s of %s needs %d bytes", in.Name, bs, api.FormatShape(in.Shape), api.Datatype(dt), size)
		case int64(len(body)-*off) < bs:
			return t, badRequest("binary input %q: body ends at byte %d, binary_data_size says %d more from byte %d", in.Name, len(body), bs, *off)
		}
		t.Data = body[*off : *off+size]
		*off += size
		return t, nil
	}
	raw, count, err := api.DecodeData(dt, in.Data, n)
	if err != nil {
		return t, badRequest("input %q: %v", in.Name, err)
	}
	if count != n {
		return t, badRequest("input %q: shape %s has %d elements but data has %d", in.Name, api.FormatShape(in.Shape), n, count)
	}
	t.Data = raw
	return t, nil
}

// outputBytes is the sum of the byte sizes of outputs.
func outputBytes(outputs []runtime.TensorInfo) int {
	n := 0
	for _, o := range outputs {
		n += o.ByteSize()
	}
	return n
}

func findTensor(infos []runtime.TensorInfo, name string) (runtime.TensorInfo, bool) {
	for _, t := range infos {
		if t.Name == name {
			return t, true
		}
	}
	return runtime.TensorInfo{}, false
}

// tensorList renders tensors as `"a" FP32[1,3], "b" INT8[2]`.
func tensorList(infos []runtime.TensorInfo) string {
	parts := make([]string, len(infos))
	for i, t := range infos {
		parts[i] = fmt.Sprintf("%q %s%s", t.Name, api.Datatype(t.DType), api.FormatShape(api.Shape(t.Shape)))
	}
	return strings.Join(parts, ", ")
}

// writeInferResponse writes the answer: JSON, followed by the binary
// outputs when the request asked for any. The JSON is written in pieces
// (the envelope, then each output's metadata and data) so that a large
// output's text is never copied.
func writeInferResponse(w http.ResponseWriter, resp *agent.Response, plan outputPlan) error {
	total := 0
	for _, t := range resp.Outputs {
		total += len(t.Data)
	}
	if total > plan.limit {
		return fmt.Errorf("model %q: the answer holds %d bytes of tensors, more than the model's %d bytes of outputs", resp.Model, total, plan.limit)
	}
	head, err := json.Marshal(api.InferResponse{ModelName: resp.Model, ModelVersion: resp.Version, ID: plan.id})
	if err != nil {
		return fmt.Errorf("encoding the response: %w", err)
	}
	// head ends with `"outputs":null}`: the outputs go in its place.
	head = append(bytes.TrimSuffix(head, []byte("null}")), '[')
	parts := [][]byte{head}
	var bin [][]byte
	binLen := 0
	for i, t := range resp.Outputs {
		o := api.ResponseOutput{Name: t.Name, Datatype: api.Datatype(t.DType), Shape: api.Shape(t.Shape)}
		var data []byte
		if plan.binaryAll || plan.binary[t.Name] {
			size := int64(len(t.Data))
			o.Parameters = &api.Parameters{BinaryDataSize: &size}
			bin = append(bin, t.Data)
			binLen += len(t.Data)
		} else if data, err = api.EncodeData(t.DType, t.Data); err != nil {
			return fmt.Errorf("output %q: %w", t.Name, err)
		}
		meta, err := json.Marshal(o)
		if err != nil {
			return fmt.Errorf("encoding the response: %w", err)
		}
		if i > 0 {
			parts = append(parts, []byte(","))
		}
		if data == nil {
			parts = append(parts, meta)
			continue
		}
		// Data is the last field: meta's closing brace makes room for it.
		parts = append(parts, append(meta[:len(meta)-1], `,"data":`...), data, []byte("}"))
	}
	parts = append(parts, []byte("]}\n"))
	jsLen := 0
	for _, p := range parts {
		jsLen += len(p)
	}
	hdr := w.Header()
	hdr.Set(api.HeaderCache, string(resp.Cache))
	hdr.Set("Server-Timing", fmt.Sprintf("queue;dur=%.3f, compute;dur=%.3f, batch;desc=%d", millis(resp.Queue), millis(resp.Compute), resp.Batch))
	if len(bin) > 0 {
		hdr.Set("Content-Type", "application/octet-stream")
		hdr.Set(api.HeaderInferenceLength, strconv.Itoa(jsLen))
	} else {
		hdr.Set("Content-Type", "application/json")
	}
	hdr.Set("Content-Length", strconv.Itoa(jsLen+binLen))
	w.WriteHeader(http.StatusOK)
	for _, p := range append(parts, bin...) {
		if _, err := w.Write(p); err != nil {
			return nil // the caller went away; the status is sent
		}
	}
	return nil
}
