package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/edgeinfer/edgeinfer/api"
)

// InferMedia sends an encoded image or WAV file (contentType one of
// api.MediaTypes; "" names it from the file's first bytes) to model name,
// which the agent prepares as the model's metadata or configuration says,
// and returns what the model's outputs say: classes, detections, segments
// or landmarks. Options TopK, Mask, NoCache, Version and RequestID apply.
func (c *Client) InferMedia(ctx context.Context, name, contentType string, data []byte, opts ...InferOption) (*api.Decoded, error) {
	var o inferOptions
	for _, opt := range opts {
		opt(&o)
	}
	if contentType == "" {
		if contentType = api.SniffMediaType(data); contentType == "" {
			return nil, fmt.Errorf("the file is none of %s (by its first bytes)", strings.Join(api.MediaTypes, ", "))
		}
	}
	if o.topK < 0 {
		return nil, fmt.Errorf("top K %d is negative", o.topK)
	}
	n := int64(len(data))
	req := api.InferRequest{ID: o.id, Inputs: []api.RequestInput{{
		Name: "file", Datatype: api.DatatypeBytes, Shape: []int64{1},
		Parameters: &api.Parameters{ContentType: contentType, BinaryDataSize: &n},
	}}}
	if o.topK > 0 || o.mask || o.noCache {
		req.Parameters = &api.Parameters{TopK: o.topK, Mask: o.mask}
		if o.noCache {
			no := false
			req.Parameters.Cache = &no
		}
	}
	js, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	header := http.Header{
		"Content-Type":            {"application/octet-stream"},
		api.HeaderInferenceLength: {strconv.Itoa(len(js))},
	}
	body := append(js[:len(js):len(js)], data...)
	path := "/v2/models/" + url.PathEscape(name)
	if o.version != "" {
		path += "/versions/" + url.PathEscape(o.version)
	}
	_, b, err := c.do(ctx, http.MethodPost, path+"/infer", header, body)
	if err != nil {
		return nil, err
	}
	var ir api.InferResponse
	if err := json.Unmarshal(b, &ir); err != nil {
		return nil, fmt.Errorf("agent: the answer of model %q: %w", name, err)
	}
	if ir.Decoded == nil {
		return nil, fmt.Errorf("agent: the answer of model %q has no decoded result", name)
	}
	return ir.Decoded, nil
}
