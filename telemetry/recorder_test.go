package telemetry

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

func TestLatencyBounds(t *testing.T) {
	b := LatencyBounds()
	if len(b) != NumLatencyBounds {
		t.Fatalf("%d bounds, want %d", len(b), NumLatencyBounds)
	}
	if b[0] < 900*time.Nanosecond || b[0] > time.Microsecond {
		t.Errorf("first bound %v, want about 0.95µs", b[0])
	}
	if last := b[len(b)-1]; last < 100*time.Second || last > 110*time.Second {
		t.Errorf("last bound %v, want about 107s", last)
	}
	for i := 1; i < len(b); i++ {
		ratio := float64(b[i]) / float64(b[i-1])
		if ratio < 1.18 || ratio > 1.19 {
			t.Fatalf("bounds %d,%d: ratio %.4f, want 2^(1/4)", i-1, i, ratio)
		}
	}
	// Every fourth bound is a power of two seconds.
	if b[80] != time.Second || b[76] != time.Second/2 {
		t.Errorf("b[80]=%v b[76]=%v, want 1s and 500ms", b[80], b[76])
	}
}

func TestBucketOf(t *testing.T) {
	bounds := []int64{10, 20, 40}
	for _, tc := range []struct {
		v    int64
		want int
	}{
		{0, 0}, {-5, 0}, {10, 0}, {11, 1}, {20, 1}, {21, 2}, {40, 2}, {41, 3}, {1 << 62, 3},
	} {
		if got := bucketOf(bounds, tc.v); got != tc.want {
			t.Errorf("bucketOf(%d) = %d, want %d", tc.v, got, tc.want)
		}
	}
}

func TestQuantile(t *testing.T) {
	bounds := []int64{100, 200, 400}
	for _, tc := range []struct {
		name   string
		counts []uint64
		q      float64
		want   int64
	}{
		{"empty", []uint64{0, 0, 0, 0}, 0.5, 0},
		{"first bucket interpolates from zero", []uint64{10, 0, 0, 0}, 0.5, 50},
		{"middle bucket", []uint64{0, 4, 0, 0}, 0.25, 125},
		{"p100 is the bucket's top", []uint64{1, 1, 1, 0}, 1, 400},
		{"q below zero clamps", []uint64{0, 2, 0, 0}, -1, 100},
		{"spread", []uint64{5, 5, 0, 0}, 0.9, 180},
		{"overflow gives the last bound", []uint64{0, 0, 0, 3}, 0.5, 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := Histogram{Bounds: bounds, Counts: tc.counts}
			for _, c := range tc.counts {
				h.Count += c
			}
			if got := h.QuantileValue(tc.q); got != tc.want {
				t.Errorf("QuantileValue(%v) = %d, want %d", tc.q, got, tc.want)
			}
		})
	}
}

func TestObserveAndSnapshot(t *testing.T) {
	r := NewRecorder()
	m := r.Model("mobilenet", "3")
	if r.Model("mobilenet", "3") != m {
		t.Fatal("Model returned a new ModelStats for the same name and version")
	}
	for _, o := range []Observation{
		{Queue: 100 * time.Microsecond, Compute: 2 * time.Millisecond, Total: 2200 * time.Microsecond, Batch: 4, CacheMiss: true},
		{Queue: 50 * time.Microsecond, Compute: 3 * time.Millisecond, Total: 3100 * time.Microsecond, Batch: 1},
		{Total: 20 * time.Microsecond, CacheHit: true},
		{Total: 5 * time.Millisecond, Error: true},
	} {
		m.Observe(o)
	}
	s := m.Snapshot()
	if s.Requests != 4 || s.Errors != 1 || s.CacheHits != 1 || s.CacheMisses != 1 {
		t.Errorf("counts = %d req %d err %d hit %d miss, want 4 1 1 1", s.Requests, s.Errors, s.CacheHits, s.CacheMisses)
	}
	if s.Total.Count != 4 || s.Compute.Count != 2 || s.Queue.Count != 2 || s.Batches.Count != 2 {
		t.Errorf("histogram counts total %d compute %d queue %d batch %d, want 4 2 2 2",
			s.Total.Count, s.Compute.Count, s.Queue.Count, s.Batches.Count)
	}
	if s.Compute.Sum != int64(5*time.Millisecond) || s.Batches.Sum != 5 {
		t.Errorf("sums compute %d batches %d", s.Compute.Sum, s.Batches.Sum)
	}
	// p50 of compute lies in 2ms's bucket; the bucket is 19% wide.
	if p := s.Compute.Quantile(0.5); p < 1600*time.Microsecond || p > 2400*time.Microsecond {
		t.Errorf("compute p50 = %v, want about 2ms", p)
	}

	m.Observe(Observation{Compute: time.Millisecond, Total: time.Millisecond, Batch: 2})
	d := m.Snapshot().Sub(s)
	if d.Requests != 1 || d.Compute.Count != 1 || d.Total.Count != 1 || d.Batches.Sum != 2 || d.Errors != 0 {
		t.Errorf("delta = %+v", d)
	}
	if merged := s.Total.Add(d.Total); merged.Count != 5 || merged.Sum != s.Total.Sum+d.Total.Sum {
		t.Errorf("merged total count %d sum %d", merged.Count, merged.Sum)
	}
}

func TestObserveConcurrent(t *testing.T) {
	r := NewRecorder()
	const workers, each = 8, 2000
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m := r.Model("m", "1")
			for i := range each {
				m.Observe(Observation{Compute: time.Duration(w*each+i) * time.Microsecond, Total: time.Millisecond, Batch: 1})
			}
		}()
	}
	wg.Wait()
	s := r.Model("m", "1").Snapshot()
	if s.Requests != workers*each || s.Compute.Count != workers*each || s.Batches.Sum != workers*each {
		t.Errorf("requests %d compute %d batches %d, want %d each", s.Requests, s.Compute.Count, s.Batches.Sum, workers*each)
	}
}

func TestObserveAllocs(t *testing.T) {
	m := NewRecorder().Model("m", "1")
	o := Observation{Queue: time.Microsecond, Compute: time.Millisecond, Total: 2 * time.Millisecond, Batch: 3}
	if n := testing.AllocsPerRun(1000, func() { m.Observe(o) }); n != 0 {
		t.Errorf("Observe allocates %v times per call, want 0", n)
	}
}

func TestWritePrometheus(t *testing.T) {
	r := NewRecorder()
	start := time.Date(2026, 11, 28, 2, 0, 0, 0, time.UTC)
	r.start, r.now = start, func() time.Time { return start.Add(90 * time.Second) }
	r.SetDevice(Device{
		ID: "dev-1", AgentVersion: "0.3.0", Platform: "raspberrypi-4b",
		Attributes:  map[string]string{"host.arch": "arm64", "edgeinfer.cores": "4"},
		Temperature: func() (float64, bool) { return 51.5, true },
	})
	a := r.Model("kws", `v"1`)
	a.Observe(Observation{Queue: 10 * time.Microsecond, Compute: 900 * time.Microsecond, Total: time.Millisecond, Batch: 2})
	a.Observe(Observation{Total: 30 * time.Microsecond, CacheHit: true})
	r.Model("detect", "2").Observe(Observation{Compute: 40 * time.Millisecond, Total: 41 * time.Millisecond, Batch: 1, Error: true})

	var buf bytes.Buffer
	if err := r.WritePrometheus(&buf); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{
		`edgeinfer_agent_info{device="dev-1",version="0.3.0",platform="raspberrypi-4b",edgeinfer_cores="4",host_arch="arm64"} 1`,
		"edgeinfer_uptime_seconds 90\n",
		"edgeinfer_temperature_celsius 51.5\n",
		`edgeinfer_requests_total{model="kws",version="v\"1"} 2`,
		`edgeinfer_errors_total{model="detect",version="2"} 1`,
		`edgeinfer_request_duration_seconds_bucket{model="kws",version="v\"1",le="+Inf"} 2`,
		`edgeinfer_request_duration_seconds_bucket{model="kws",version="v\"1",le="1"} 2`,
		`edgeinfer_compute_duration_seconds_count{model="detect",version="2"} 1`,
		`edgeinfer_batch_size_sum{model="kws",version="v\"1"} 2`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %s", want)
		}
	}
	golden := filepath.Join("testdata", "metrics.golden")
	if *update {
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("output differs from %s (run with -update after checking the change)", golden)
	}
}

func BenchmarkObserve(b *testing.B) {
	m := NewRecorder().Model("m", "1")
	o := Observation{Queue: 30 * time.Microsecond, Compute: 4 * time.Millisecond, Total: 4100 * time.Microsecond, Batch: 4}
	b.ReportAllocs()
	for b.Loop() {
		m.Observe(o)
	}
}

func BenchmarkObserveParallel(b *testing.B) {
	m := NewRecorder().Model("m", "1")
	o := Observation{Queue: 30 * time.Microsecond, Compute: 4 * time.Millisecond, Total: 4100 * time.Microsecond, Batch: 4}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			m.Observe(o)
		}
	})
}
