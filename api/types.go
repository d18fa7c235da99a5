package api

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// HTTP headers of the protocol.
const (
	// HeaderInferenceLength is the binary tensor extension's header: the
	// byte length of the JSON part of a request or response body; the
	// binary tensors follow it.
	HeaderInferenceLength = "Inference-Header-Content-Length"
	// HeaderCache tells whether the result cache answered: hit, miss or off.
	HeaderCache = "X-Edgeinfer-Cache"
)

// ExtensionBinary is the name of the binary tensor extension in
// ServerMetadata.Extensions.
const ExtensionBinary = "binary_tensor_data"

// ServerMetadata is the body of GET /v2.
type ServerMetadata struct {
	Name       string   `json:"name"`
	Version    string   `json:"version"`
	Extensions []string `json:"extensions"`
}

// ModelMetadata is the body of GET /v2/models/{name}.
type ModelMetadata struct {
	Name     string           `json:"name"`
	Versions []string         `json:"versions"`
	Platform string           `json:"platform"`
	Inputs   []TensorMetadata `json:"inputs"`
	Outputs  []TensorMetadata `json:"outputs"`
}

// TensorMetadata describes one input or output of a model.
type TensorMetadata struct {
	Name     string  `json:"name"`
	Datatype string  `json:"datatype"`
	Shape    []int64 `json:"shape"`
}

// Limits of the small fields of a request: an id longer than MaxIDBytes,
// or a parameters object longer than MaxParametersBytes, is refused.
const (
	MaxIDBytes         = 256
	MaxParametersBytes = 4096
)

// Parameters are the request and tensor parameters the agent understands;
// others are ignored. Their JSON object may take at most
// MaxParametersBytes.
type Parameters struct {
	// BinaryDataSize, on an input or output, is the byte size of its
	// tensor in the binary part of the body.
	BinaryDataSize *int64 `json:"binary_data_size,omitempty"`
	// BinaryData, on a requested output, asks for it in binary.
	BinaryData bool `json:"binary_data,omitempty"`
	// BinaryDataOutput, on a request, asks for every output in binary.
	BinaryDataOutput bool `json:"binary_data_output,omitempty"`
	// Cache false, on a request, bypasses the result cache.
	Cache *bool `json:"cache,omitempty"`
	// SequenceID, SequenceStart and SequenceEnd, on a request to a
	// stateful model, place it in a stream as Triton's sequence batcher
	// does: start opens the stream (fresh state), end closes it.
	SequenceID    SequenceID `json:"sequence_id,omitempty"`
	SequenceStart bool       `json:"sequence_start,omitempty"`
	SequenceEnd   bool       `json:"sequence_end,omitempty"`
	// ContentType, on a BYTES input, is the media type of the encoded
	// file it carries (one of MediaTypes): the agent decodes and prepares
	// it as the model says and answers with Decoded.
	ContentType string `json:"content_type,omitempty"`
	// TopK, on a request with an encoded input, is how many classes the
	// answer lists (default 5); Mask asks for a segmentation's mask.
	TopK int  `json:"top_k,omitempty"`
	Mask bool `json:"mask,omitempty"`
}

// MaxSequenceIDBytes bounds a sequence id.
const MaxSequenceIDBytes = 128

// SequenceID is a stream's id: a JSON string or unsigned integer (both as
// Triton takes them), kept as text.
type SequenceID string

// UnmarshalJSON takes a string or an unsigned integer.
func (s *SequenceID) UnmarshalJSON(b []byte) error {
	var str string
	if err := json.Unmarshal(b, &str); err == nil {
		*s = SequenceID(str)
		return nil
	}
	var n uint64
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("sequence_id: %s is neither a string nor an unsigned integer", b)
	}
	*s = SequenceID(strconv.FormatUint(n, 10))
	return nil
}

// UnmarshalJSON refuses a parameters object over MaxParametersBytes, then
// decodes it.
func (p *Parameters) UnmarshalJSON(b []byte) error {
	if len(b) > MaxParametersBytes {
		return fmt.Errorf("parameters take %d bytes, more than the limit of %d", len(b), MaxParametersBytes)
	}
	type plain Parameters
	return json.Unmarshal(b, (*plain)(p))
}

// InferRequest is the JSON of POST /v2/models/{name}/infer.
type InferRequest struct {
	ID         string          `json:"id,omitempty"`
	Parameters *Parameters     `json:"parameters,omitempty"`
	Inputs     []RequestInput  `json:"inputs"`
	Outputs    []RequestOutput `json:"outputs,omitempty"`
}

// RequestInput is one input tensor of a request. Data is the flat
// row-major list of elements (a nested list is accepted too); it is absent
// when Parameters.BinaryDataSize puts the tensor in the binary part.
type RequestInput struct {
	Name       string      `json:"name"`
	Shape      []int64     `json:"shape"`
	Datatype   string      `json:"datatype"`
	Parameters *Parameters `json:"parameters,omitempty"`
	Data       RawData     `json:"data,omitempty"`
}

// RequestOutput names an output the request wants.
type RequestOutput struct {
	Name       string      `json:"name"`
	Parameters *Parameters `json:"parameters,omitempty"`
}

// InferResponse is the JSON of an inference's answer.
type InferResponse struct {
	ModelName    string           `json:"model_name"`
	ModelVersion string           `json:"model_version,omitempty"`
	ID           string           `json:"id,omitempty"`
	Outputs      []ResponseOutput `json:"outputs"`
	// Decoded answers a request that sent an encoded image or WAV file.
	Decoded *Decoded `json:"decoded,omitempty"`
}

// ResponseOutput is one output tensor of a response: Data holds the flat
// row-major list, or Parameters.BinaryDataSize the size of its bytes in
// the binary part.
type ResponseOutput struct {
	Name       string      `json:"name"`
	Datatype   string      `json:"datatype"`
	Shape      []int64     `json:"shape"`
	Parameters *Parameters `json:"parameters,omitempty"`
	Data       RawData     `json:"data,omitempty"`
}

// RawData is a tensor's JSON data, kept as text until its dtype is known.
// It is a byte slice so that a missing "data" is empty.
type RawData []byte

// MarshalJSON writes the data as it is.
func (d RawData) MarshalJSON() ([]byte, error) {
	if len(d) == 0 {
		return []byte("null"), nil
	}
	return d, nil
}

// UnmarshalJSON keeps a copy of the data's text.
func (d *RawData) UnmarshalJSON(b []byte) error {
	*d = append((*d)[:0], b...)
	return nil
}

// ModelStatus is one element of GET /v1/models and the answer of
// POST /v1/models/{name}.
type ModelStatus struct {
	Name        string    `json:"name"`
	Version     string    `json:"version"`
	Digest      string    `json:"digest"`
	State       string    `json:"state"`
	Error       string    `json:"error,omitempty"`
	Queue       int       `json:"queue"`
	QueueCap    int       `json:"queue_cap"`
	Sessions    int       `json:"sessions"`
	MaxBatch    int       `json:"max_batch"`
	Resizable   bool      `json:"resizable,omitempty"`
	Stateful    bool      `json:"stateful,omitempty"`
	Streams     int       `json:"streams,omitempty"`
	Requests    uint64    `json:"requests"`
	Errors      uint64    `json:"errors"`
	CacheHits   uint64    `json:"cache_hits"`
	CacheMisses uint64    `json:"cache_misses"`
	P50MS       float64   `json:"p50_ms"`
	P99MS       float64   `json:"p99_ms"`
	LoadedAt    time.Time `json:"loaded_at"`
	OTA         string    `json:"ota,omitempty"`
}

// InstallRequest is the body of POST /v1/models/{name}. FD true says that
// the model file's open descriptor comes with the request (SCM_RIGHTS on
// the socket), so the agent reads it with the caller's rights. Path, the
// former install by path, is refused.
type InstallRequest struct {
	FD   bool   `json:"fd"`
	Path string `json:"path,omitempty"`
}

// ErrorBody is the body of every error answer.
type ErrorBody struct {
	Error string `json:"error"`
}
