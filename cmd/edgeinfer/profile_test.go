package main

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
)

// TestBenchProfileJSON profiles a real int8 ResNet: one line per operator
// in run order with its tensors, shares that sum to one, and totals by
// type that count every operator.
func TestBenchProfileJSON(t *testing.T) {
	stdout, stderr, code := edgeinfer("bench", "--profile", "--json", "--runs", "5", "--warmup", "0",
		conformance(t, "tiny_resnet8_int8", "model.tflite"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var r struct {
		Profile *opProfile `json:"profile"`
	}
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatalf("not one JSON object: %v\n%s", err, stdout)
	}
	p := r.Profile
	if p == nil || p.Runs != 5 || len(p.Ops) != 16 {
		t.Fatalf("profile %+v, want 5 runs and the model's 16 operators", p)
	}
	first := p.Ops[0]
	if first.Index != 0 || first.Type != "CONV_2D" || len(first.Inputs) != 3 ||
		first.Inputs[0].String() != "int8[1,32,32,3]" || first.Outputs[0].String() != "int8[1,32,32,16]" {
		t.Errorf("first operator %+v", first)
	}
	if last := p.Ops[15]; last.Type != "SOFTMAX" || last.Index != 15 {
		t.Errorf("last operator %+v, want SOFTMAX at index 15", last)
	}
	var sum, ms float64
	for _, o := range p.Ops {
		if o.MS < 0 || o.Share < 0 || o.Share > 1 || o.MinMS < 0 || o.MinMS > o.MS {
			t.Errorf("operator %d: %v ms (shortest %v), share %v", o.Index, o.MS, o.MinMS, o.Share)
		}
		sum += o.Share
		ms += o.MS
	}
	if math.Abs(sum-1) > 1e-9 || math.Abs(ms-p.TotalMS) > 1e-9 || p.TotalMS <= 0 {
		t.Errorf("shares sum to %v, times to %v of total %v", sum, ms, p.TotalMS)
	}
	count := map[string]int{}
	for _, bt := range p.ByType {
		count[bt.Type] = bt.Count
	}
	if count["CONV_2D"] != 9 || count["ADD"] != 3 || len(count) != 6 {
		t.Errorf("by type %+v, want 9 CONV_2D, 3 ADD among 6 types", p.ByType)
	}
}

func TestBenchProfileText(t *testing.T) {
	stdout, stderr, code := edgeinfer("bench", "--profile", "--runs", "2", "--threads", "2",
		conformance(t, "tiny_resnet8_int8", "model.tflite"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"operator profile: mean of 2 runs", "index  type", "int8[1,32,32,16] int8[1,32,32,16] -> int8[1,32,32,16]", "by operator type:", "AVERAGE_POOL_2D  1"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("bench --profile output lacks %q:\n%s", want, stdout)
		}
	}
}

func TestBenchWithoutProfile(t *testing.T) {
	stdout, _, code := edgeinfer("bench", "--json", "--runs", "1", helloModel(t))
	if code != 0 || strings.Contains(stdout, `"profile"`) {
		t.Errorf("exit %d; profile without --profile:\n%s", code, stdout)
	}
}
