package hub

import (
	"bytes"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/edgeinfer/edgeinfer/telemetry"
)

// BenchmarkIngest posts distinct gzip batches of five models over
// loopback HTTP to a hub, one at a time, as a fleet's uploads arrive:
// batches/s = 1e9 / ns/op.
func BenchmarkIngest(b *testing.B) {
	h := startHub(b, "127.0.0.1:0", Options{DataDir: b.TempDir(), OpenIngest: true})
	batch := fiveModels()
	t0 := time.Now().Add(-time.Hour)
	client := &http.Client{}
	i := 0
	for b.Loop() {
		batch.Start, batch.End = t0.Add(time.Duration(i)*time.Second), t0.Add(time.Duration(i+1)*time.Second)
		p, err := telemetry.Encode(batch)
		if err != nil {
			b.Fatal(err)
		}
		req, _ := http.NewRequest(http.MethodPost, h.URL+"/v1/metrics", bytes.NewReader(telemetry.Gzip(p)))
		req.Header.Set("Content-Type", "application/x-protobuf")
		req.Header.Set("Content-Encoding", "gzip")
		req.Header.Set("Idempotency-Key", fmt.Sprintf("dev-bench-%d", i))
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("status %d", resp.StatusCode)
		}
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "batches/s")
}

// fiveModels is a batch of five models with 100 requests each.
func fiveModels() *telemetry.Batch {
	batch := &telemetry.Batch{Device: telemetry.Device{ID: "dev-bench", Platform: "generic-amd64"}, Interval: time.Minute,
		Start: time.Now().Add(-time.Minute), End: time.Now()}
	rec := telemetry.NewRecorder()
	for i := range 5 {
		m := rec.Model(fmt.Sprintf("model-%d", i), "1")
		for j := range 100 {
			m.Observe(telemetry.Observation{Compute: time.Duration(1000+j*50) * time.Microsecond, Total: time.Duration(1100+j*50) * time.Microsecond, Batch: 1})
		}
		batch.Models = append(batch.Models, telemetry.ModelDelta{Name: m.Name(), Version: m.Version(), Snapshot: m.Snapshot()})
	}
	return batch
}

func benchBatch(b *testing.B) []byte {
	p, err := telemetry.Encode(fiveModels())
	if err != nil {
		b.Fatal(err)
	}
	return telemetry.Gzip(p)
}

// BenchmarkIngestParallel is BenchmarkIngest with many uploads
// at once: concurrent batches share bbolt commits.
func BenchmarkIngestParallel(b *testing.B) {
	h := startHub(b, "127.0.0.1:0", Options{DataDir: b.TempDir(), OpenIngest: true})
	body := benchBatch(b)
	var next atomic.Int64
	b.SetParallelism(8)
	b.RunParallel(func(pb *testing.PB) {
		client := &http.Client{}
		for pb.Next() {
			i := next.Add(1)
			req, _ := http.NewRequest(http.MethodPost, h.URL+"/v1/metrics", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/x-protobuf")
			req.Header.Set("Content-Encoding", "gzip")
			req.Header.Set("Idempotency-Key", fmt.Sprintf("dev-bench-%d", i))
			resp, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "batches/s")
}
