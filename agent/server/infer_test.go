package server

import (
	"errors"
	"net/http"
	"testing"

	"github.com/edgeinfer/edgeinfer/api"
	"github.com/edgeinfer/edgeinfer/internal/apitest"
)

// FuzzDecodeInfer feeds arbitrary bodies to the request decoder: it must
// answer a 400 or a request whose every input has exactly the bytes the
// model's input needs, whose outputs are the model's, each at most once,
// and whose id is within api.MaxIDBytes.
func FuzzDecodeInfer(f *testing.F) {
	for _, tc := range faultCases {
		if tc.raw != nil {
			f.Add(tc.model == "bytes", append([]byte(tc.header), tc.raw...), len(tc.header))
		} else {
			f.Add(tc.model == "bytes", []byte(tc.header), -1)
		}
	}
	f.Add(false, inferJSON("[1, 2, 3.5]", `, "outputs": [{"name": "sum"}], "parameters": {"cache": false}`), -1)
	f.Add(false, inferJSON("[[1, 2, 3.5]]", ""), -1)
	f.Add(false, inferJSON("[1, 2, 3]", `, "outputs": [{"name": "y"}, {"name": "y"}]`), -1)
	f.Add(false, inferJSON("[1, 2, 3]", `, "parameters": {"binary_data_output": true, "x": [1, 2, 3]}`), -1)
	hdr := `{"inputs":[{"name":"x","shape":[1,3],"datatype":"FP32","parameters":{"binary_data_size":12}}],"parameters":{"binary_data_output":true}}`
	f.Add(false, append([]byte(hdr), apitest.Float32Bytes(1, 2, 3)...), len(hdr))
	f.Add(false, []byte(`{"inputs": [{"name": "x", "shape": [2, 3], "datatype": "FP32", "data": [1, 2, 3, 4, 5, 6]}]}`), -2)
	f.Add(false, inferJSON("[1, 2, 3]", `, "parameters": {"sequence_id": 7, "sequence_start": true}`), -2)
	f.Add(false, inferJSON("[1, 2, 3]", `, "parameters": {"sequence_id": "a", "sequence_end": true}`), -1)
	fake := apitest.New()
	f.Fuzz(func(t *testing.T, bytesModel bool, body []byte, headerLen int) {
		st, _ := fake.Model("double")
		if bytesModel {
			st, _ = fake.Model("bytes")
		}
		// A JSON request (headerLen < 0) below -1 goes to the model made
		// resizable, so the fuzzer explores request shapes too.
		st.Resizable = headerLen < -1
		req, plan, err := decodeInfer(body, headerLen, st, modelBodyLimit(st.Inputs))
		if err != nil {
			var se *statusError
			if !errors.As(err, &se) || se.status != http.StatusBadRequest {
				t.Fatalf("error %v is not a 400", err)
			}
			return
		}
		if len(req.Inputs) != len(st.Inputs) {
			t.Fatalf("%d inputs for a model of %d", len(req.Inputs), len(st.Inputs))
		}
		if len(plan.id) > api.MaxIDBytes {
			t.Fatalf("an id of %d bytes accepted", len(plan.id))
		}
		seen := map[string]bool{}
		for _, o := range req.Outputs {
			if _, ok := findTensor(st.Outputs, o); !ok || seen[o] {
				t.Fatalf("outputs %q accepted for a model giving %v", req.Outputs, st.Outputs)
			}
			seen[o] = true
		}
		for _, in := range req.Inputs {
			info, ok := findTensor(st.Inputs, in.Name)
			if ok && st.Resizable && len(in.Shape) == len(info.Shape) {
				info.Shape = in.Shape
			}
			if !ok || len(in.Data) != info.ByteSize() || in.DType != info.DType {
				t.Fatalf("input %q: %d bytes of %s accepted for %v", in.Name, len(in.Data), in.DType, info)
			}
		}
	})
}
