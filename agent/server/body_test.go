package server

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/edgeinfer/edgeinfer/internal/apitest"
	"github.com/edgeinfer/edgeinfer/runtime"
)

func TestModelBodyLimit(t *testing.T) {
	for _, tc := range []struct {
		inputs []runtime.TensorInfo
		want   int64
	}{
		{nil, 64 << 10},
		{[]runtime.TensorInfo{{DType: runtime.UInt8, Shape: []int{1, 4}}}, 4*8 + 4*8/4 + 64<<10},
		{[]runtime.TensorInfo{{DType: runtime.Float32, Shape: []int{1, 257, 257, 3}}}, 198147*32 + 198147*32/4 + 64<<10},
		{[]runtime.TensorInfo{{DType: runtime.Float32, Shape: []int{1, 3}}, {DType: runtime.Int32, Shape: []int{2}}}, 96 + 32 + 128/4 + 64<<10},
	} {
		if got := modelBodyLimit(tc.inputs); got != tc.want {
			t.Errorf("%v: %d, want %d", tc.inputs, got, tc.want)
		}
	}
}

// TestDerivedBodyLimit: without MaxBodyBytes, an inference body over what
// the model's inputs can take as JSON gets 413 at once (with or without
// Content-Length), while the largest genuine JSON request passes.
func TestDerivedBodyLimit(t *testing.T) {
	s := serve(t, apitest.New(), Options{})
	limit := modelBodyLimit([]runtime.TensorInfo{{DType: runtime.Float32, Shape: []int{1, 3}}})
	pad := strings.Repeat(" ", int(limit))
	a := s.do(t, "POST", "/v2/models/double/infer", nil, inferJSON("[1,2,3"+pad+"]", ""))
	if a.status != 413 || !strings.Contains(a.errMsg(), "request body is larger than the limit of 65656 bytes") {
		t.Errorf("padded body: %d %s", a.status, a.body)
	}
	req, _ := http.NewRequest("POST", "http://edgeinfer/v2/models/double/infer", io.MultiReader(bytes.NewReader(inferJSON("[1,2,3"+pad+"]", ""))))
	resp, err := s.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 413 {
		t.Errorf("chunked padded body: %d %s", resp.StatusCode, b)
	}
	longest := "[-3.4028234663852886e+38, -3.4028234663852886e+38, -3.4028234663852886e+38]"
	if a := s.do(t, "POST", "/v2/models/double/infer", nil, inferJSON(longest, "")); a.status != 200 {
		t.Errorf("the longest genuine body: %d %s", a.status, a.body)
	}
	a = s.do(t, "POST", "/v1/models/x", nil, bytes.Repeat([]byte(" "), smallBodyBytes+1))
	if a.status != 413 && a.status != 403 {
		t.Errorf("a 1 MiB + 1 install body: %d %s", a.status, a.body)
	}
}

// TestBodiesInFlightBounded: while one request holds the budget of body
// bytes in flight, another that does not fit waits, then gets 503 with
// Retry-After; once the first is answered, the next one is served.
func TestBodiesInFlightBounded(t *testing.T) {
	fb := apitest.New()
	fb.Release = make(chan struct{})
	body := []byte(`{"inputs": [{"name": "b", "shape": [1, 4], "datatype": "UINT8", "data": [1, 2, 3, 4]}]}`)
	s := serve(t, fb, Options{Config: Config{MaxInflightBodyBytes: int64(len(body)) * bodyCost}, BodyWait: 50 * time.Millisecond})
	first := make(chan answer, 1)
	go func() { first <- s.do(t, "POST", "/v2/models/slow/infer", nil, body) }()
	waitFor(t, "the first request to reach the model", func() bool { return fb.Last() != nil })
	a := s.do(t, "POST", "/v2/models/bytes/infer", nil, body)
	if a.status != 503 || a.header.Get("Retry-After") == "" || !strings.Contains(a.errMsg(), "max_inflight_body_bytes") {
		t.Errorf("a request over the budget: %d %v %s", a.status, a.header, a.body)
	}
	if a := s.get(t, "/v2/health/live"); a.status != 200 {
		t.Errorf("a request without a body: %d", a.status)
	}
	close(fb.Release)
	if a := <-first; a.status != 200 {
		t.Errorf("the first request: %d %s", a.status, a.body)
	}
	if a := s.do(t, "POST", "/v2/models/bytes/infer", nil, body); a.status != 200 {
		t.Errorf("after the first was answered: %d %s", a.status, a.body)
	}
}

// TestDuplicateOutputsAndLongIDs: an output named twice, an id over
// api.MaxIDBytes and parameters over api.MaxParametersBytes are 400s.
func TestDuplicateOutputsAndLongIDs(t *testing.T) {
	s := serve(t, apitest.New(), Options{})
	for _, tc := range []struct{ name, extra, want string }{
		{"duplicate outputs", `, "outputs": [{"name": "y"}, {"name": "sum"}, {"name": "y"}]`, `output "y" is asked for twice`},
		{"long id", `, "id": "` + strings.Repeat("i", 257) + `"`, "request id: 257 bytes, more than the limit of 256"},
		{"long parameters", `, "parameters": {"x": "` + strings.Repeat("p", 5000) + `"}`, "parameters take 5009 bytes, more than the limit of 4096"},
	} {
		body := []byte(`{"inputs": [{"name": "x", "shape": [1, 3], "datatype": "FP32", "data": [1, 2, 3]}]` + tc.extra + `}`)
		if a := s.do(t, "POST", "/v2/models/double/infer", nil, body); a.status != 400 || !strings.Contains(a.errMsg(), tc.want) {
			t.Errorf("%s: %d %s, want 400 saying %q", tc.name, a.status, a.body, tc.want)
		}
	}
}
