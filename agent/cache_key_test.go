package agent

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/edgeinfer/edgeinfer/internal/sharedtest"
	"github.com/edgeinfer/edgeinfer/runtime"
)

// ssdModel has four float32 outputs; classes and scores have the same
// shape [1,10], so a cache entry of one fits the other's size check.
const ssdModel = "tfls_coco_ssd_mobilenet_v1_quant"

// ssdRequest asks the SSD model about its case_0 picture for outputs.
func ssdRequest(t *testing.T, caller string, outputs ...string) *Request {
	t.Helper()
	in, err := os.ReadFile(filepath.Join(sharedtest.Dir(t), "conformance", ssdModel, "case_0", "in_0.bin"))
	if err != nil {
		t.Fatal(err)
	}
	return &Request{Model: ssdModel, Inputs: []Tensor{{DType: runtime.UInt8, Shape: []int{1, 300, 300, 3}, Data: in}}, Outputs: outputs, Caller: caller}
}

func newSSDAgent(t *testing.T, perCaller bool) *Agent {
	t.Helper()
	on := true
	c := testConfig(t, map[string]ModelConfig{ssdModel: {Cache: &on}})
	c.CachePerCaller = perCaller
	a, _ := newAgent(t, c)
	return a
}

// TestCacheKeyHasTheOutputsAskedFor guards the result cache key: asking
// for the scores after the classes of the same picture must be a miss
// that answers the scores, not the cached classes (both are FP32[1,10],
// so a key without the outputs would hand back the classes' bytes).
func TestCacheKeyHasTheOutputsAskedFor(t *testing.T) {
	a := newSSDAgent(t, false)
	ctx := context.Background()
	const classes, scores = "TFLite_Detection_PostProcess:1", "TFLite_Detection_PostProcess:2"
	noCache := ssdRequest(t, "", classes, scores)
	noCache.NoCache = true
	want, err := a.Infer(ctx, noCache)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(want.Outputs[0].Data, want.Outputs[1].Data) {
		t.Fatal("classes and scores are equal on this picture: the test could not tell them apart")
	}
	first, err := a.Infer(ctx, ssdRequest(t, "", classes))
	if err != nil {
		t.Fatal(err)
	}
	if first.Cache != CacheMiss || !bytes.Equal(first.Outputs[0].Data, want.Outputs[0].Data) {
		t.Fatalf("classes: cache %s, data equal to a direct run: %v", first.Cache, bytes.Equal(first.Outputs[0].Data, want.Outputs[0].Data))
	}
	a.cache.close(ctx) // the entry is written
	second, err := a.Infer(ctx, ssdRequest(t, "", scores))
	if err != nil {
		t.Fatal(err)
	}
	if second.Cache != CacheMiss {
		t.Errorf("scores after classes: cache %s, want miss (a different question)", second.Cache)
	}
	if got := second.Outputs[0]; got.Name != scores || !bytes.Equal(got.Data, want.Outputs[1].Data) {
		t.Errorf("scores after classes: output %q with the classes' bytes: %v; want the scores", got.Name, bytes.Equal(got.Data, want.Outputs[0].Data))
	}
}

// TestCachePerCaller: with cache_per_caller, the same question from
// another caller is a miss (the cache-hit side channel is closed); with
// the default shared cache it is a hit.
func TestCachePerCaller(t *testing.T) {
	const classes = "TFLite_Detection_PostProcess:1"
	for _, perCaller := range []bool{false, true} {
		a := newSSDAgent(t, perCaller)
		ctx := context.Background()
		if _, err := a.Infer(ctx, ssdRequest(t, "uid:1000", classes)); err != nil {
			t.Fatal(err)
		}
		a.cache.close(ctx)
		same, err := a.Infer(ctx, ssdRequest(t, "uid:1000", classes))
		if err != nil {
			t.Fatal(err)
		}
		other, err := a.Infer(ctx, ssdRequest(t, "uid:1001", classes))
		if err != nil {
			t.Fatal(err)
		}
		wantOther := CacheHit
		if perCaller {
			wantOther = CacheMiss
		}
		if same.Cache != CacheHit || other.Cache != wantOther {
			t.Errorf("cache_per_caller %v: same caller %s (want hit), other caller %s (want %s)", perCaller, same.Cache, other.Cache, wantOther)
		}
	}
}

// TestDuplicateOutputsRefused: an output named twice is a bad request,
// so no answer holds more than the model's outputs.
func TestDuplicateOutputsRefused(t *testing.T) {
	a := newSSDAgent(t, false)
	const classes = "TFLite_Detection_PostProcess:1"
	_, err := a.Infer(context.Background(), ssdRequest(t, "", classes, "TFLite_Detection_PostProcess", classes))
	if err == nil || !errors.Is(err, ErrBadRequest) {
		t.Fatalf("duplicate outputs: %v, want ErrBadRequest", err)
	}
	if _, err := a.Infer(context.Background(), ssdRequest(t, "", classes)); err != nil {
		t.Fatalf("the next request: %v", err)
	}
}
