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

func ExampleDecode() {
	end := time.Date(2026, 11, 28, 3, 0, 0, 0, time.UTC)
	rec := telemetry.NewRecorder()
	m := rec.Model("detector", "2")
	m.Observe(telemetry.Observation{Compute: 12 * time.Millisecond, Total: 13 * time.Millisecond, Batch: 1})
	p, err := telemetry.Encode(&telemetry.Batch{
		Device: telemetry.Device{ID: "dev-1", AgentVersion: "0.3.0", Platform: "rpi5"},
		Start:  end.Add(-time.Minute), End: end,
		Models: []telemetry.ModelDelta{{Name: "detector", Version: "2", Snapshot: m.Snapshot()}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	b, err := telemetry.Decode(p)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(b.Device.ID, b.Device.Platform, b.End.Format(time.RFC3339))
	fmt.Println(b.Models[0].Name, b.Models[0].Version, b.Models[0].Requests)
	_, err = telemetry.Decode([]byte("not a batch"))
	fmt.Println(err != nil)
	// Output:
	// dev-1 rpi5 2026-11-28T03:00:00Z
	// detector 2 1
	// true
}
