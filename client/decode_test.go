package client

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/edgeinfer/edgeinfer/api"
)

// FuzzDecodeResult feeds arbitrary answers to the response decoder: it
// must return an error or outputs whose bytes fit their shapes.
func FuzzDecodeResult(f *testing.F) {
	js := `{"model_name":"double","model_version":"1","outputs":[{"name":"y","datatype":"FP32","shape":[1,3],"parameters":{"binary_data_size":12}},{"name":"sum","datatype":"FP32","shape":[1],"data":[6]}]}`
	f.Add([]byte(js+"\x00\x00\x80\x3f\x00\x00\x00\x40\x00\x00\x40\x40"), len(js))
	f.Add([]byte(`{"model_name":"m","outputs":[{"name":"b","datatype":"UINT8","shape":[2],"data":[1,255]}]}`), -1)
	f.Add([]byte(`{"model_name":"m","outputs":[{"name":"b","datatype":"UINT8","shape":[2],"data":[1]}]}`), -1)
	f.Add([]byte(`{"outputs":[{"name":"b","datatype":"FP16","shape":[1],"parameters":{"binary_data_size":-1}}]}`), 80)
	f.Fuzz(func(t *testing.T, body []byte, headerLen int) {
		h := http.Header{api.HeaderCache: {"hit"}, "Server-Timing": {"queue;dur=0.1, compute;dur=x, batch;desc=2"}}
		if headerLen >= 0 {
			h.Set(api.HeaderInferenceLength, strconv.Itoa(headerLen))
		}
		res, err := decodeResult(h, body)
		if err != nil {
			return
		}
		for _, o := range res.Outputs {
			dt, err := api.ParseDatatype(o.Datatype)
			if err != nil {
				t.Fatalf("output %q with datatype %q accepted", o.Name, o.Datatype)
			}
			n, _ := elements(o.Shape)
			if len(o.Data) != n*dt.Size() {
				t.Fatalf("output %q: %d bytes for shape %v of %s", o.Name, len(o.Data), o.Shape, o.Datatype)
			}
		}
	})
}

func TestServerTiming(t *testing.T) {
	q, c, b := serverTiming("queue;dur=0.250, compute;dur=1.5, batch;desc=4")
	if q.Microseconds() != 250 || c.Microseconds() != 1500 || b != 4 {
		t.Errorf("queue %s compute %s batch %d", q, c, b)
	}
	if q, c, b := serverTiming("garbage;;, queue;dur=x"); q != 0 || c != 0 || b != 0 {
		t.Errorf("garbage read as %s %s %d", q, c, b)
	}
}
