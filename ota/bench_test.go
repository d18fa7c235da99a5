package ota

import (
	"strconv"
	"testing"
	"time"
)

// BenchmarkPushToActive measures one update of a 4 MB model (a real
// MobileNet v2) over loopback: from the retained publish to the active
// event, and its parts: delivery (publish to the first progress event),
// download, verify, stage, load and smoke test.
//
//	go test ./ota -run '^$' -bench PushToActive -benchtime 5x
func BenchmarkPushToActive(b *testing.B) {
	e := newEnv(b)
	path, smoke := conformance(b, "coral_tf2_mobilenet_v2_224_ptq", 1)
	d := e.startDevice(b, "dev-bench", "", nil)
	topic := FleetModelTopic(e.fleet, "mnv2")
	var sum struct{ total, delivery, download, verify, stage, activate, load, smoke time.Duration }
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		version := strconv.Itoa(i + 1)
		m := e.manifest(b, path, "mnv2", version, smoke)
		b.StartTimer()
		start := time.Now()
		e.push(b, topic, m, testKey(0))
		first := d.waitState(b, "mnv2", version, StepDownloading)
		verifying := d.waitState(b, "mnv2", version, StepVerifying)
		staging := d.waitState(b, "mnv2", version, StepStaging)
		smokeEv := d.waitState(b, "mnv2", version, StepSmoke)
		active := d.waitState(b, "mnv2", version, StepActive)
		b.StopTimer()
		sum.total += active.Time.Sub(start)
		sum.delivery += first.Time.Sub(start)
		sum.download += verifying.Time.Sub(first.Time)
		sum.verify += staging.Time.Sub(verifying.Time)
		sum.stage += smokeEv.Time.Sub(staging.Time)
		sum.activate += active.Time.Sub(smokeEv.Time)
		d.models.mu.RLock()
		sum.load += d.models.load
		sum.smoke += d.models.smoke
		d.models.mu.RUnlock()
		b.StartTimer()
	}
	n := float64(b.N)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 / n }
	b.ReportMetric(ms(sum.total), "push_to_active_ms")
	b.ReportMetric(ms(sum.delivery), "delivery_ms")
	b.ReportMetric(ms(sum.download), "download_ms")
	b.ReportMetric(ms(sum.verify), "verify_ms")
	b.ReportMetric(ms(sum.stage), "stage_ms")
	b.ReportMetric(ms(sum.load), "load_ms")
	b.ReportMetric(ms(sum.smoke), "smoke_ms")
	b.ReportMetric(ms(sum.activate-sum.load-sum.smoke), "swap_commit_ms")
}
