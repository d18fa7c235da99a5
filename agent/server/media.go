package server

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/edgeinfer/edgeinfer/agent"
	"github.com/edgeinfer/edgeinfer/api"
)

// isMedia reports whether a request's JSON part has an input of datatype
// BYTES: the request carries an encoded file, not tensors. Only a request
// whose JSON holds the string "BYTES" somewhere (an input's datatype, or
// any name or id) is parsed for its datatypes; tensor requests, whose
// JSON may hold large data arrays, are not parsed twice. JSON that does
// not parse is not media: decodeInfer reports what is wrong with it.
func isMedia(js []byte) bool {
	if !bytes.Contains(js, []byte(`"`+api.DatatypeBytes+`"`)) {
		return false
	}
	var ir struct {
		Inputs []struct {
			Datatype string `json:"datatype"`
		} `json:"inputs"`
	}
	if json.Unmarshal(js, &ir) != nil {
		return false
	}
	for _, in := range ir.Inputs {
		if in.Datatype == api.DatatypeBytes {
			return true
		}
	}
	return false
}

// decodeMedia decodes a request that sends one encoded file as a BYTES
// input in the binary part (its bytes as they are, or with the 4-byte
// little-endian length prefix of Triton's BYTES elements), with the
// file's content type in the input's parameters.
func decodeMedia(body []byte, headerLen int, st agent.ModelStatus) (*agent.MediaRequest, string, error) {
	if headerLen < 0 {
		return nil, "", badRequest("an encoded file goes in the binary part of the body: send it with the %s header and the input's binary_data_size", api.HeaderInferenceLength)
	}
	if headerLen > len(body) {
		return nil, "", badRequest("%s is %d but the body has only %d bytes", api.HeaderInferenceLength, headerLen, len(body))
	}
	var ir api.InferRequest
	if err := json.Unmarshal(body[:headerLen], &ir); err != nil {
		return nil, "", badRequest("request JSON: %v", err)
	}
	if len(ir.Inputs) != 1 {
		return nil, "", badRequest("a request with an encoded file has exactly one input, not %d", len(ir.Inputs))
	}
	in := ir.Inputs[0]
	if in.Datatype != api.DatatypeBytes || in.Parameters == nil || in.Parameters.ContentType == "" {
		return nil, "", badRequest("input %q: an encoded file is a %s input with its content_type parameter (%s)", in.Name, api.DatatypeBytes, strings.Join(api.MediaTypes, ", "))
	}
	if in.Parameters.BinaryDataSize == nil || len(in.Data) != 0 {
		return nil, "", badRequest("input %q: the encoded file goes in the binary part (binary_data_size), not in JSON data", in.Name)
	}
	if n := *in.Parameters.BinaryDataSize; n < 0 || n != int64(len(body)-headerLen) {
		return nil, "", badRequest("input %q: binary_data_size is %d but the binary part has %d bytes", in.Name, n, len(body)-headerLen)
	}
	if len(ir.ID) > api.MaxIDBytes {
		return nil, "", badRequest("request id: %d bytes, more than the limit of %d", len(ir.ID), api.MaxIDBytes)
	}
	data := body[headerLen:]
	if len(data) >= 4 && int(binary.LittleEndian.Uint32(data)) == len(data)-4 {
		data = data[4:]
	}
	req := &agent.MediaRequest{Model: st.Name, ContentType: in.Parameters.ContentType, Data: data}
	if p := ir.Parameters; p != nil {
		if p.TopK < 0 || p.TopK > 1000 {
			return nil, "", badRequest("top_k %d is outside 0..1000", p.TopK)
		}
		req.TopK, req.Mask = p.TopK, p.Mask
		if p.Cache != nil && !*p.Cache {
			req.NoCache = true
		}
	}
	return req, ir.ID, nil
}

// inferMedia answers a request that sent an encoded file with what the
// model's outputs say (api.Decoded).
func (h *handler) inferMedia(ctx context.Context, w http.ResponseWriter, r *http.Request, req *agent.MediaRequest, id string) error {
	req.Version = r.PathValue("version")
	req.Caller = caller(r)
	if strings.Contains(strings.ToLower(r.Header.Get("Cache-Control")), "no-cache") {
		req.NoCache = true
	}
	resp, err := h.b.InferMedia(ctx, req)
	if err != nil {
		return err
	}
	body, err := json.Marshal(api.InferResponse{ModelName: resp.Model, ModelVersion: resp.Version, ID: id, Outputs: []api.ResponseOutput{}, Decoded: &resp.Decoded})
	if err != nil {
		return fmt.Errorf("encoding the response: %w", err)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.Header().Set("Server-Timing", fmt.Sprintf("queue;dur=%.3f, compute;dur=%.3f", millis(resp.Queue), millis(resp.Compute)))
	_, err = w.Write(body)
	return err
}
