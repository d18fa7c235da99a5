package server

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/api"
	"github.com/edgeinfer/edgeinfer/internal/apitest"
)

// mediaHeader is the JSON part of a request sending an encoded file of n
// bytes as the BYTES input "image".
func mediaHeader(contentType string, n int, extra string) string {
	return fmt.Sprintf(`{"id":"m1","inputs":[{"name":"image","shape":[1],"datatype":"BYTES","parameters":{"binary_data_size":%d,"content_type":%q}}]%s}`, n, contentType, extra)
}

func TestInferMediaRequests(t *testing.T) {
	fb := apitest.New()
	s := serve(t, fb, Options{Config: Config{MaxMediaBytes: 1 << 20}})
	file := bytes.Repeat([]byte{0xFF, 0xD8, 0xFF}, 1000) // 3000 bytes
	prefixed := binary.LittleEndian.AppendUint32(nil, uint32(len(file)))
	prefixed = append(prefixed, file...)
	for _, tc := range []struct {
		name string
		raw  []byte
		want int // the file's size the backend got
	}{
		{"raw bytes", file, 3000},
		{"with Triton's length prefix", prefixed, 3000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, body := binaryBody(mediaHeader("image/jpeg", len(tc.raw), `,"parameters":{"top_k":3,"mask":true,"cache":false}`), tc.raw)
			a := s.do(t, "POST", "/v2/models/classify/infer", h, body)
			if a.status != 200 {
				t.Fatalf("status %d: %s", a.status, a.body)
			}
			var r api.InferResponse
			if err := json.Unmarshal(a.body, &r); err != nil {
				t.Fatal(err)
			}
			if r.ID != "m1" || r.Decoded == nil || r.Decoded.Kind != "classification" || len(r.Decoded.Classes) != 1 || r.Decoded.Classes[0].Label != "image/jpeg" {
				t.Errorf("answer %s", a.body)
			}
			m := fb.LastMedia()
			if len(m.Data) != tc.want || m.TopK != 3 || !m.Mask || !m.NoCache || m.Caller == "" {
				t.Errorf("the backend got %d bytes, top_k %d, mask %v, no-cache %v, caller %q", len(m.Data), m.TopK, m.Mask, m.NoCache, m.Caller)
			}
			if a.header.Get("Server-Timing") != "queue;dur=0.250, compute;dur=1.250" {
				t.Errorf("Server-Timing %q", a.header.Get("Server-Timing"))
			}
		})
	}

	big := make([]byte, 2<<20)
	for _, tc := range []struct {
		name   string
		model  string
		header map[string]string
		body   []byte
		status int
		want   string
	}{
		{"JSON data", "classify", nil, []byte(`{"inputs":[{"name":"image","shape":[1],"datatype":"BYTES","parameters":{"content_type":"image/png"},"data":["abc"]}]}`), 400, "binary part of the body"},
		{"two inputs", "classify", nil, nil, 400, "exactly one input"},
		{"no content type", "classify", nil, nil, 400, "content_type parameter"},
		{"size mismatch", "classify", nil, nil, 400, "binary_data_size is 10 but the binary part has 3000 bytes"},
		{"top_k", "classify", nil, nil, 400, "top_k 5000 is outside 0..1000"},
		{"a model that takes no files", "double", nil, nil, 400, "takes no encoded files"},
		{"over MaxMediaBytes", "classify", nil, nil, 413, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, body := tc.header, tc.body
			switch tc.name {
			case "two inputs":
				hdr := `{"inputs":[{"name":"a","shape":[1],"datatype":"BYTES","parameters":{"binary_data_size":1,"content_type":"image/png"}},{"name":"b","shape":[1],"datatype":"BYTES","parameters":{"binary_data_size":1,"content_type":"image/png"}}]}`
				h, body = binaryBody(hdr, []byte{1, 2})
			case "no content type":
				h, body = binaryBody(`{"inputs":[{"name":"image","shape":[1],"datatype":"BYTES","parameters":{"binary_data_size":3000}}]}`, file)
			case "size mismatch":
				h, body = binaryBody(mediaHeader("image/png", 10, ""), file)
			case "top_k":
				h, body = binaryBody(mediaHeader("image/png", len(file), `,"parameters":{"top_k":5000}`), file)
			case "a model that takes no files":
				h, body = binaryBody(mediaHeader("image/png", len(file), ""), file)
			case "over MaxMediaBytes":
				h, body = binaryBody(mediaHeader("image/png", len(big), ""), big)
			}
			a := s.do(t, "POST", "/v2/models/"+tc.model+"/infer", h, body)
			if a.status != tc.status || !strings.Contains(a.errMsg(), tc.want) {
				t.Errorf("status %d, %s; want %d saying %q", a.status, a.body, tc.status, tc.want)
			}
		})
	}
}

// FuzzDecodeMedia: no request body makes decodeMedia panic, and what it
// accepts hands the backend bytes from inside the body's binary part.
func FuzzDecodeMedia(f *testing.F) {
	file := []byte("\x89PNG....")
	hdr := mediaHeader("image/png", len(file), `,"parameters":{"top_k":2}`)
	f.Add(append([]byte(hdr), file...), len(hdr))
	hdr = mediaHeader("audio/wav", len(file)+4, "")
	f.Add(append(append([]byte(hdr), binary.LittleEndian.AppendUint32(nil, uint32(len(file)))...), file...), len(hdr))
	f.Add([]byte(`{"inputs":[{"name":"image","datatype":"BYTES","parameters":{"binary_data_size":-1,"content_type":"x"}}]}`), 99)
	fake := apitest.New()
	f.Fuzz(func(t *testing.T, body []byte, headerLen int) {
		st, _ := fake.Model("classify")
		req, _, err := decodeMedia(body, headerLen, st)
		if err != nil {
			return
		}
		if headerLen < 0 || headerLen > len(body) || len(req.Data) > len(body)-headerLen || req.ContentType == "" {
			t.Fatalf("accepted %d bytes of data from a %d-byte body with a %d-byte header", len(req.Data), len(body), headerLen)
		}
	})
}

func TestIsMedia(t *testing.T) {
	for _, c := range []struct {
		name, js string
		want     bool
	}{
		{"bytes input", `{"inputs":[{"name":"image","datatype":"BYTES","shape":[1],"parameters":{"content_type":"image/png","binary_data_size":3}}]}`, true},
		{"tensor input", `{"inputs":[{"name":"x","datatype":"FP32","shape":[1],"data":[1]}]}`, false},
		{"input named BYTES", `{"inputs":[{"name":"BYTES","datatype":"FP32","shape":[1],"data":[1]}]}`, false},
		{"id BYTES", `{"id":"BYTES","inputs":[{"name":"x","datatype":"UINT8","shape":[1],"data":[1]}]}`, false},
		{"second input bytes", `{"inputs":[{"name":"x","datatype":"FP32","shape":[1],"data":[1]},{"name":"f","datatype":"BYTES","shape":[1]}]}`, true},
		{"broken JSON", `{"inputs":[{"datatype":"BYTES"`, false},
	} {
		if got := isMedia([]byte(c.js)); got != c.want {
			t.Errorf("%s: isMedia = %v, want %v", c.name, got, c.want)
		}
	}
}
