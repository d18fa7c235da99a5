package telemetry_test

import (
	"fmt"
	"time"

	"github.com/edgeinfer/edgeinfer/telemetry"
)

func Example() {
	rec := telemetry.NewRecorder()
	m := rec.Model("keyword-spotter", "7") // once, when the model is activated

	// On every request:
	m.Observe(telemetry.Observation{Queue: 40 * time.Microsecond, Compute: 3 * time.Millisecond, Total: 3100 * time.Microsecond, Batch: 1})
	m.Observe(telemetry.Observation{Total: 25 * time.Microsecond, CacheHit: true})

	s := m.Snapshot()
	fmt.Println(s.Requests, "requests,", s.CacheHits, "cache hit")
	fmt.Println("compute p50 within 20% of 3ms:", s.Compute.Quantile(0.5) > 2400*time.Microsecond && s.Compute.Quantile(0.5) < 3600*time.Microsecond)
	// Output:
	// 2 requests, 1 cache hit
	// compute p50 within 20% of 3ms: true
}
