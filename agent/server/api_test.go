package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/edgeinfer/edgeinfer/api"
	"github.com/edgeinfer/edgeinfer/internal/apitest"
)

func TestHealthAndMetadata(t *testing.T) {
	fb := apitest.New()
	s := serve(t, fb, Options{Version: "1.2.3"})
	for _, tc := range []struct {
		path   string
		status int
		golden string // compare the body with testdata/<golden>
		want   string // or check that the body contains this
	}{
		{"/v2/health/live", 200, "", `"live": true`},
		{"/v2/health/ready", 200, "", `"ready": true`},
		{"/v2", 200, "server_metadata.json", ""},
		{"/v2/models/double", 200, "model_metadata.json", ""},
		{"/v2/models/double/versions/1", 200, "model_metadata.json", ""},
		{"/v2/models/double/versions/7", 404, "", `model \"double\" has no version \"7\" (active: \"1\")`},
		{"/v2/models/nope", 404, "", `agent: no such model: \"nope\"`},
		{"/v2/models/double/ready", 200, "", `"ready": true`},
		{"/v2/models/double/versions/1/ready", 200, "", `"ready": true`},
		{"/v2/models/broken/ready", 503, "", `model \"broken\" is failed: tflite: model.tflite: runtime: invalid model`},
		{"/v2/models/nope/ready", 404, "", `no such model`},
		{"/v1/models", 200, "models.json", ""},
		{"/metrics", 200, "", `edgeinfer_requests_total{model="double"} 10`},
		{"/v3/what", 404, "", `GET /v3/what: no such endpoint`},
	} {
		t.Run(strings.TrimPrefix(tc.path, "/"), func(t *testing.T) {
			a := s.get(t, tc.path)
			if a.status != tc.status {
				t.Errorf("status %d, want %d: %s", a.status, tc.status, a.body)
			}
			if tc.golden != "" {
				golden(t, tc.golden, a.body)
			} else if !strings.Contains(string(a.body), tc.want) {
				t.Errorf("body %s lacks %s", a.body, tc.want)
			}
			ct := a.header.Get("Content-Type")
			if tc.path == "/metrics" {
				if ct != "text/plain; version=0.0.4; charset=utf-8" {
					t.Errorf("Content-Type %q", ct)
				}
			} else if ct != "application/json" {
				t.Errorf("Content-Type %q, want application/json", ct)
			}
		})
	}
	fb.SetReady(false)
	if a := s.get(t, "/v2/health/ready"); a.status != 503 || !strings.Contains(a.errMsg(), "not ready") {
		t.Errorf("not ready: %d %s", a.status, a.body)
	}
	if a := s.do(t, "DELETE", "/v1/models", nil, nil); a.status != 405 || !strings.Contains(a.errMsg(), "DELETE /v1/models: method not allowed (use [GET])") {
		t.Errorf("DELETE: %d %s", a.status, a.body)
	}
}

// inferJSON is a JSON request to model "double" (input x FP32[1,3]).
func inferJSON(data string, extra string) []byte {
	return []byte(`{"id": "r1", "inputs": [{"name": "x", "shape": [1, 3], "datatype": "FP32", "data": ` + data + `}]` + extra + `}`)
}

// binaryBody builds a binary-extension body: the JSON header, then raw.
func binaryBody(header string, raw ...[]byte) (map[string]string, []byte) {
	body := append([]byte(header), bytes.Join(raw, nil)...)
	return map[string]string{api.HeaderInferenceLength: strconv.Itoa(len(header))}, body
}

func TestInferJSON(t *testing.T) {
	fb := apitest.New()
	s := serve(t, fb, Options{})
	for _, tc := range []struct {
		name    string
		body    []byte
		header  map[string]string
		outputs string // the expected "outputs" JSON
		cache   string
	}{
		{"flat", inferJSON("[1, 2, 3.5]", ""), nil,
			`[{"name":"y","datatype":"FP32","shape":[1,3],"data":[2,4,7]},{"name":"sum","datatype":"FP32","shape":[1],"data":[6.5]}]`, "miss"},
		{"nested", inferJSON("[[1, 2, 3.5]]", ""), nil,
			`[{"name":"y","datatype":"FP32","shape":[1,3],"data":[2,4,7]},{"name":"sum","datatype":"FP32","shape":[1],"data":[6.5]}]`, "miss"},
		{"one output", inferJSON("[1, 2, 3]", `, "outputs": [{"name": "sum"}]`), nil,
			`[{"name":"sum","datatype":"FP32","shape":[1],"data":[6]}]`, "miss"},
		{"no-cache header", inferJSON("[1, 2, 3]", `, "outputs": [{"name": "sum"}]`), map[string]string{"Cache-Control": "no-cache"},
			`[{"name":"sum","datatype":"FP32","shape":[1],"data":[6]}]`, "off"},
		{"cache parameter false", inferJSON("[1, 2, 3]", `, "outputs": [{"name": "sum"}], "parameters": {"cache": false}`), nil,
			`[{"name":"sum","datatype":"FP32","shape":[1],"data":[6]}]`, "off"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := s.do(t, "POST", "/v2/models/double/infer", tc.header, tc.body)
			if a.status != 200 {
				t.Fatalf("status %d: %s", a.status, a.body)
			}
			var r struct {
				ModelName    string `json:"model_name"`
				ModelVersion string `json:"model_version"`
				ID           string
				Outputs      json.RawMessage
			}
			if err := json.Unmarshal(a.body, &r); err != nil {
				t.Fatalf("%v: %s", err, a.body)
			}
			if r.ModelName != "double" || r.ModelVersion != "1" || r.ID != "r1" {
				t.Errorf("model %q version %q id %q", r.ModelName, r.ModelVersion, r.ID)
			}
			if string(r.Outputs) != tc.outputs {
				t.Errorf("outputs %s\nwant    %s", r.Outputs, tc.outputs)
			}
			if got := a.header.Get(api.HeaderCache); got != tc.cache {
				t.Errorf("%s %q, want %q", api.HeaderCache, got, tc.cache)
			}
			if got := a.header.Get("Server-Timing"); got != "queue;dur=0.250, compute;dur=1.250, batch;desc=1" {
				t.Errorf("Server-Timing %q", got)
			}
			if a.header.Get("Content-Type") != "application/json" || a.header.Get(api.HeaderInferenceLength) != "" {
				t.Errorf("a JSON answer has Content-Type %q and %s %q", a.header.Get("Content-Type"), api.HeaderInferenceLength, a.header.Get(api.HeaderInferenceLength))
			}
			if req := fb.Last(); req.NoCache != (tc.cache == "off") {
				t.Errorf("NoCache %v with cache %s", req.NoCache, tc.cache)
			}
		})
	}
	t.Run("versioned path", func(t *testing.T) {
		a := s.do(t, "POST", "/v2/models/double/versions/1/infer", nil, inferJSON("[1,2,3]", ""))
		if a.status != 200 || fb.Last().Version != "1" {
			t.Errorf("status %d, version %q: %s", a.status, fb.Last().Version, a.body)
		}
	})
}

func TestInferBinary(t *testing.T) {
	s := serve(t, apitest.New(), Options{})
	for _, tc := range []struct {
		name   string
		header string
		raw    [][]byte
		binary []string // outputs expected in binary, in order
		json   string   // output expected as JSON data
	}{
		{"all outputs binary", `{"inputs":[{"name":"x","shape":[1,3],"datatype":"FP32","parameters":{"binary_data_size":12}}],"parameters":{"binary_data_output":true}}`,
			[][]byte{apitest.Float32Bytes(1, 2, 3)}, []string{"y", "sum"}, ""},
		{"one output binary", `{"inputs":[{"name":"x","shape":[1,3],"datatype":"FP32","parameters":{"binary_data_size":12}}],"outputs":[{"name":"y","parameters":{"binary_data":true}},{"name":"sum"}]}`,
			[][]byte{apitest.Float32Bytes(1, 2, 3)}, []string{"y"}, `[6]`},
		{"binary in, JSON out", `{"inputs":[{"name":"x","shape":[1,3],"datatype":"FP32","parameters":{"binary_data_size":12}}],"outputs":[{"name":"sum"}]}`,
			[][]byte{apitest.Float32Bytes(1, 2, 3)}, nil, `[6]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hdr, body := binaryBody(tc.header, tc.raw...)
			a := s.do(t, "POST", "/v2/models/double/infer", hdr, body)
			if a.status != 200 {
				t.Fatalf("status %d: %s", a.status, a.body)
			}
			js := a.body
			if len(tc.binary) > 0 {
				n, err := strconv.Atoi(a.header.Get(api.HeaderInferenceLength))
				if err != nil || n > len(a.body) {
					t.Fatalf("%s %q for a %d-byte body", api.HeaderInferenceLength, a.header.Get(api.HeaderInferenceLength), len(a.body))
				}
				if ct := a.header.Get("Content-Type"); ct != "application/octet-stream" {
					t.Errorf("Content-Type %q", ct)
				}
				js = a.body[:n]
			}
			var r api.InferResponse
			if err := json.Unmarshal(js, &r); err != nil {
				t.Fatalf("%v: %s", err, js)
			}
			want := map[string][]byte{"y": apitest.Float32Bytes(2, 4, 6), "sum": apitest.Float32Bytes(6)}
			off := len(js)
			var gotBinary []string
			for _, o := range r.Outputs {
				if o.Parameters != nil && o.Parameters.BinaryDataSize != nil {
					size := int(*o.Parameters.BinaryDataSize)
					if got := a.body[off : off+size]; !bytes.Equal(got, want[o.Name]) {
						t.Errorf("binary output %s: %v, want %v", o.Name, got, want[o.Name])
					}
					off += size
					gotBinary = append(gotBinary, o.Name)
				} else if string(o.Data) != tc.json {
					t.Errorf("output %s data %s, want %s", o.Name, o.Data, tc.json)
				}
			}
			if off != len(a.body) {
				t.Errorf("%d bytes after the binary outputs", len(a.body)-off)
			}
			if fmt.Sprint(gotBinary) != fmt.Sprint(tc.binary) {
				t.Errorf("binary outputs %v, want %v", gotBinary, tc.binary)
			}
		})
	}
}

// faultCases are requests the API refuses, each with its status and
// message; they also seed FuzzDecodeInfer.
var faultCases = []struct {
	name   string
	model  string
	header string // the JSON; with raw != nil it is the binary extension's header
	raw    []byte
	status int
	want   string
}{
	{"wrong dtype", "double", `{"inputs":[{"name":"x","shape":[1,3],"datatype":"FP16","data":[1,2,3]}]}`, nil, 400,
		`model "double": runtime: bad input: input "x": dtype float16, the model takes float32`},
	{"unknown dtype", "double", `{"inputs":[{"name":"x","shape":[1,3],"datatype":"FLOAT","data":[1,2,3]}]}`, nil, 400,
		`input "x": unknown datatype "FLOAT"`},
	{"wrong shape", "double", `{"inputs":[{"name":"x","shape":[3,1],"datatype":"FP32","data":[1,2,3]}]}`, nil, 400,
		`input "x": shape [3,1], the model takes [1,3]`},
	{"too few elements", "double", `{"inputs":[{"name":"x","shape":[1,3],"datatype":"FP32","data":[1,2]}]}`, nil, 400,
		`input "x": shape [1,3] has 3 elements but data has 2`},
	{"too many elements", "double", `{"inputs":[{"name":"x","shape":[1,3],"datatype":"FP32","data":[[1,2],[3,4]]}]}`, nil, 400,
		`input "x": shape [1,3] has 3 elements but data has 4`},
	{"value out of range", "bytes", `{"inputs":[{"name":"b","shape":[1,4],"datatype":"UINT8","data":[1,2,300,4]}]}`, nil, 400,
		`input "b": element 2: 300 is out of range for UINT8 [0, 255]`},
	{"string data", "bytes", `{"inputs":[{"name":"b","shape":[1,4],"datatype":"UINT8","data":["a","b","c","d"]}]}`, nil, 400,
		`input "b": element 0 is a string, not a number`},
	{"no data", "bytes", `{"inputs":[{"name":"b","shape":[1,4],"datatype":"UINT8"}]}`, nil, 400,
		`input "b": no data: give "data" or parameters.binary_data_size`},
	{"unknown input", "double", `{"inputs":[{"name":"z","shape":[1,3],"datatype":"FP32","data":[1,2,3]}]}`, nil, 400,
		`input "z": the model has no such input (it takes "x" float32[1,3])`},
	{"input twice", "double", `{"inputs":[{"name":"x","shape":[1,3],"datatype":"FP32","data":[1,2,3]},{"name":"x","shape":[1,3],"datatype":"FP32","data":[1,2,3]}]}`, nil, 400,
		`input "x": given twice`},
	{"unnamed among named", "double", `{"inputs":[{"name":"x","shape":[1,3],"datatype":"FP32","data":[1,2,3]},{"shape":[1,3],"datatype":"FP32","data":[1,2,3]}]}`, nil, 400,
		`input 1: has no name while others have one: name every input or none`},
	{"negative dimension", "double", `{"inputs":[{"name":"x","shape":[1,-3],"datatype":"FP32","data":[1,2,3]}]}`, nil, 400,
		`input "x": shape [1,-3]: dimension 1 is -3, not in 0..`},
	{"no inputs", "double", `{"inputs":[]}`, nil, 400, `the request has no inputs; model "double" takes "x" FP32[1,3]`},
	{"unknown output", "double", `{"inputs":[{"name":"x","shape":[1,3],"datatype":"FP32","data":[1,2,3]}],"outputs":[{"name":"q"}]}`, nil, 400,
		`output "q": model "double" has no such output (it gives "y" FP32[1,3], "sum" FP32[1])`},
	{"bad JSON", "double", `{"inputs":[{"name":"x",`, nil, 400, `request JSON: unexpected end of JSON input`},
	{"shape of strings", "double", `{"inputs":[{"name":"x","shape":["a"],"datatype":"FP32","data":[1]}]}`, nil, 400, `request JSON: json: cannot unmarshal string`},
	{"truncated binary body", "bytes", `{"inputs":[{"name":"b","shape":[1,4],"datatype":"UINT8","parameters":{"binary_data_size":4}}]}`, []byte{1, 2}, 400,
		`binary input "b": body ends at byte 96, binary_data_size says 4 more from byte 94`},
	{"wrong binary size", "bytes", `{"inputs":[{"name":"b","shape":[1,4],"datatype":"UINT8","parameters":{"binary_data_size":3}}]}`, []byte{1, 2, 3}, 400,
		`binary input "b": binary_data_size is 3 but shape [1,4] of UINT8 needs 4 bytes`},
	{"bytes after binary", "bytes", `{"inputs":[{"name":"b","shape":[1,4],"datatype":"UINT8","parameters":{"binary_data_size":4}}]}`, []byte{1, 2, 3, 4, 5}, 400,
		`the body has 1 bytes after the last binary input`},
	{"binary without header", "bytes", `{"inputs":[{"name":"b","shape":[1,4],"datatype":"UINT8","parameters":{"binary_data_size":4}}]}`, nil, 400,
		`binary input "b": parameters.binary_data_size is set but the request has no Inference-Header-Content-Length header`},
	{"unknown model", "nope", `{"inputs":[]}`, nil, 404, `agent: no such model: "nope"`},
	{"queue full", "full", `{"inputs":[{"name":"b","shape":[1,4],"datatype":"UINT8","data":[1,2,3,4]}]}`, nil, 503,
		`agent: queue full: model "full" has 64 requests waiting`},
}

func TestInferFaults(t *testing.T) {
	s := serve(t, apitest.New(), Options{})
	for _, tc := range faultCases {
		t.Run(tc.name, func(t *testing.T) {
			var a answer
			if tc.raw != nil {
				hdr, body := binaryBody(tc.header, tc.raw)
				a = s.do(t, "POST", "/v2/models/"+tc.model+"/infer", hdr, body)
			} else {
				a = s.do(t, "POST", "/v2/models/"+tc.model+"/infer", nil, []byte(tc.header))
			}
			if a.status != tc.status || !strings.Contains(a.errMsg(), tc.want) {
				t.Errorf("status %d %s\nwant   %d with %q", a.status, a.body, tc.status, tc.want)
			}
			if tc.status == 503 && a.header.Get("Retry-After") != "1" {
				t.Errorf("503 without Retry-After")
			}
		})
	}
	t.Run("header length beyond the body", func(t *testing.T) {
		a := s.do(t, "POST", "/v2/models/bytes/infer", map[string]string{api.HeaderInferenceLength: "500"}, []byte(`{}`))
		if a.status != 400 || !strings.Contains(a.errMsg(), "Inference-Header-Content-Length is 500 but the body has only 2 bytes") {
			t.Errorf("%d %s", a.status, a.body)
		}
	})
	if a := s.get(t, "/v2/health/live"); a.status != 200 {
		t.Errorf("after the faults, live answers %d", a.status)
	}
}

func TestInferDeadline(t *testing.T) {
	s := serve(t, apitest.New(), Options{RequestTimeout: 50 * time.Millisecond})
	a := s.do(t, "POST", "/v2/models/slow/infer", nil, []byte(`{"inputs":[{"name":"b","shape":[1,4],"datatype":"UINT8","data":[1,2,3,4]}]}`))
	if a.status != 504 || !strings.Contains(a.errMsg(), `model "slow": context deadline exceeded`) {
		t.Errorf("%d %s", a.status, a.body)
	}
}

func TestOriginRefused(t *testing.T) {
	s := serve(t, apitest.New(), Options{})
	for _, path := range []string{"/v2/health/live", "/v1/models"} {
		a := s.do(t, "GET", path, map[string]string{"Origin": "http://evil.example"}, nil)
		if a.status != 403 || !strings.Contains(a.errMsg(), "requests with an Origin header are refused: browsers must not reach the agent's socket") {
			t.Errorf("%s: %d %s", path, a.status, a.body)
		}
	}
}

func TestBodyLimit(t *testing.T) {
	s := serve(t, apitest.New(), Options{Config: Config{MaxBodyBytes: 1 << 20}})
	big := inferJSON("["+strings.Repeat("1,", 1<<19)+"1]", "")
	a := s.do(t, "POST", "/v2/models/double/infer", nil, big)
	if a.status != 413 || !strings.Contains(a.errMsg(), "request body is larger than the limit of 1 MiB (1048576 bytes)") {
		t.Errorf("with Content-Length: %d %s", a.status, a.body)
	}
	// Without Content-Length (chunked), the limit trips while reading.
	req, _ := http.NewRequest("POST", "http://edgeinfer/v2/models/double/infer", io.MultiReader(bytes.NewReader(big)))
	resp, err := s.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 413 || !strings.Contains(string(b), "larger than the limit of 1 MiB") {
		t.Errorf("chunked: %d %s", resp.StatusCode, b)
	}
	if a := s.get(t, "/v2/health/live"); a.status != 200 {
		t.Errorf("after the oversized bodies, live answers %d", a.status)
	}
}

// TestSlowClient: a client that stalls in its headers, or in its body, is
// cut by the read timeouts while another client is served.
func TestSlowClient(t *testing.T) {
	s := serve(t, apitest.New(), Options{Config: Config{ReadHeaderTimeout: 300 * time.Millisecond, ReadTimeout: 600 * time.Millisecond}})
	for _, tc := range []struct{ name, partial string }{
		{"half a header", "POST /v2/models/bytes/infer HTTP/1.1\r\nHost: edgeinfer\r\nContent-Le"},
		{"half a body", "POST /v2/models/bytes/infer HTTP/1.1\r\nHost: edgeinfer\r\nContent-Length: 100\r\n\r\n{\"inputs\""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := net.Dial("unix", s.sock)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if _, err := io.WriteString(c, tc.partial); err != nil {
				t.Fatal(err)
			}
			// Another client is served while this one stalls.
			if a := s.get(t, "/v2/health/live"); a.status != 200 {
				t.Errorf("live answers %d while a client stalls", a.status)
			}
			// The server cuts the stalled connection: reading ends with EOF
			// (maybe after an error answer), long before our own deadline.
			c.SetReadDeadline(time.Now().Add(60 * time.Second))
			start := time.Now()
			rest, err := io.ReadAll(c)
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				t.Fatalf("the server kept the stalled connection open for %s", time.Since(start))
			}
			if len(rest) > 0 && !strings.HasPrefix(string(rest), "HTTP/1.1 4") {
				t.Errorf("the stalled client got %q", rest)
			}
		})
	}
}

// TestServeDrains: when Serve's context ends, a request in flight is
// answered, new connections are refused, the socket file is removed and
// Serve returns nil.
func TestServeDrains(t *testing.T) {
	fb := apitest.New()
	fb.Release = make(chan struct{})
	s := serve(t, fb, Options{})
	got := make(chan answer, 1)
	go func() {
		got <- s.do(t, "POST", "/v2/models/slow/infer", nil, []byte(`{"inputs":[{"name":"b","shape":[1,4],"datatype":"UINT8","data":[1,2,3,4]}]}`))
	}()
	waitFor(t, "the slow request to reach the backend", func() bool { return fb.Last() != nil })
	stopped := make(chan error, 1)
	go func() { stopped <- s.stop() }()
	waitFor(t, "the socket to stop accepting", func() bool {
		c, err := net.Dial("unix", s.sock)
		if err == nil {
			c.Close()
		}
		return err != nil
	})
	select {
	case err := <-stopped:
		t.Fatalf("Serve returned (%v) with a request in flight", err)
	default:
	}
	close(fb.Release)
	if a := <-got; a.status != 200 {
		t.Errorf("the request in flight got %d: %s", a.status, a.body)
	}
	if err := <-stopped; err != nil {
		t.Errorf("Serve: %v", err)
	}
	if _, err := os.Lstat(s.sock); !os.IsNotExist(err) {
		t.Errorf("the socket file is still there: %v", err)
	}
}
