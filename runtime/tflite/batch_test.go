package tflite

import (
	"bytes"
	"context"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/edgeinfer/edgeinfer/internal/sharedtest"
	"github.com/edgeinfer/edgeinfer/runtime"
)

// TestOpenBatch runs real models re-shaped for a batch of 3 and checks that
// every row of the batched run equals a run of that row alone, bit for bit
// (the kernels compute rows independently, in the same order).
func TestOpenBatch(t *testing.T) {
	dir := sharedtest.Dir(t)
	tests := []struct {
		model string
		ok    bool // whether the graph takes a batch
	}{
		{"tfls_mobilenet_v1_025_224_quant", true},
		{"tfls_mobilenet_v1_025_224_float", true},
		{"tiny_kws_dscnn_int8", true},
		{"tiny_ad01_int8", true},
		{"tflm_hello_world_float", true},
		{"coral_tf2_mobilenet_v2_224_ptq", true},
		{"mp_face_detection_short_range", true},
		{"tfls_coco_ssd_mobilenet_v1_quant", false}, // detection post-process takes one image
	}
	for _, tc := range tests {
		t.Run(tc.model, func(t *testing.T) {
			path := filepath.Join(dir, "conformance", tc.model, "model.tflite")
			const n = 3
			bm, err := OpenBatch(path, n)
			if !tc.ok {
				if err == nil {
					bm.Close()
					t.Fatalf("OpenBatch accepted a model that cannot take a batch")
				}
				t.Logf("refused as expected: %v", err)
				return
			}
			if err != nil {
				t.Fatalf("OpenBatch: %v", err)
			}
			defer bm.Close()
			if bm.Batch() != n {
				t.Fatalf("Batch() = %d, want %d", bm.Batch(), n)
			}
			one, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer one.Close()
			rng := rand.New(rand.NewPCG(1, 2))
			rows := make([][][]byte, n) // rows[r][input]
			for r := range rows {
				for _, in := range one.Inputs() {
					b := make([]byte, in.ByteSize())
					randomTensor(rng, in, b)
					rows[r] = append(rows[r], b)
				}
			}
			batched := make([][]byte, len(one.Inputs()))
			for i, in := range bm.Inputs() {
				if in.Shape[0] != n {
					t.Fatalf("batched input %d shape %v", i, in.Shape)
				}
				for r := range rows {
					batched[i] = append(batched[i], rows[r][i]...)
				}
			}
			outs, err := bm.Run(context.Background(), runtime.Options{}, batched)
			if err != nil {
				t.Fatalf("batched Run: %v", err)
			}
			for r := range rows {
				want, err := one.Run(context.Background(), runtime.Options{}, rows[r])
				if err != nil {
					t.Fatal(err)
				}
				for o := range want {
					size := len(want[o])
					if len(outs[o]) != n*size {
						t.Fatalf("output %d: %d bytes, want %d x %d", o, len(outs[o]), n, size)
					}
					if !bytes.Equal(outs[o][r*size:(r+1)*size], want[o]) {
						t.Errorf("output %d row %d differs from the single run", o, r)
					}
				}
			}
		})
	}
}

func randomTensor(rng *rand.Rand, info runtime.TensorInfo, b []byte) {
	if info.DType == runtime.Float32 {
		for i, v := 0, f32(b); i < len(v); i++ {
			v[i] = rng.Float32()*2 - 1
		}
		return
	}
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
}

func TestOpenBatchRefuses(t *testing.T) {
	dir := sharedtest.Dir(t)
	path := filepath.Join(dir, "conformance", "tflm_hello_world_float", "model.tflite")
	for _, n := range []int{0, -1, maxBatch + 1} {
		if m, err := OpenBatch(path, n); err == nil {
			m.Close()
			t.Errorf("OpenBatch(%d) succeeded", n)
		}
	}
	if _, err := OpenBatch(filepath.Join(t.TempDir(), "missing.tflite"), 2); err == nil {
		t.Error("OpenBatch of a missing file succeeded")
	}
	m, err := OpenBatch(path, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if m.Batch() != 1 {
		t.Errorf("Batch() = %d", m.Batch())
	}
}
