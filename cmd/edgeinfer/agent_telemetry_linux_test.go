package main

import (
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/platforms"
	"github.com/edgeinfer/edgeinfer/store"
	"github.com/edgeinfer/edgeinfer/telemetry"
)

// TestPlatformDetectedOnce wires the device description as the agent does,
// on the captured Raspberry Pi 5 tree of the platforms package, and counts
// the files read: the board, CPU and memory are read once, at start, and
// each scrape and each telemetry batch reads the thermal zones' current
// temperatures and nothing else.
func TestPlatformDetectedOnce(t *testing.T) {
	oldProc, oldSys, oldRead := platforms.ProcRoot, platforms.SysRoot, platforms.ReadFile
	t.Cleanup(func() { platforms.ProcRoot, platforms.SysRoot, platforms.ReadFile = oldProc, oldSys, oldRead })
	platforms.ProcRoot, platforms.SysRoot = "../../platforms/testdata/rpi5/proc", "../../platforms/testdata/rpi5/sys"
	reads := map[string]int{}
	platforms.ReadFile = func(name string) ([]byte, error) {
		reads[name]++
		return oldRead(name)
	}

	profile := platforms.Detect() // agent start
	platform, attrs, temperature := profileDevice(profile)
	rec := telemetry.NewRecorder()
	rec.SetDevice(telemetry.Device{ID: "dev-1", Platform: platform, Attributes: attrs, Temperature: temperature})
	st, err := store.Open(filepath.Join(t.TempDir(), "state.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	up, err := telemetry.NewUploader(rec, st, telemetry.UploaderOptions{Config: telemetry.Config{Collector: "http://127.0.0.1:9"}})
	if err != nil {
		t.Fatal(err)
	}
	const rounds = 3
	for range rounds {
		if err := rec.WritePrometheus(io.Discard); err != nil {
			t.Fatal(err)
		}
		if err := up.Collect(); err != nil {
			t.Fatal(err)
		}
	}

	zones := 0
	for path, n := range reads {
		switch {
		case filepath.Base(path) == "temp" && strings.Contains(path, "thermal_zone"):
			zones++
			if n != 1+2*rounds {
				t.Errorf("%s read %d times, want once at start and once per scrape and per batch (%d)", path, n, 1+2*rounds)
			}
		case n != 1:
			t.Errorf("%s read %d times, want once (at start)", path, n)
		}
	}
	if zones == 0 || reads[filepath.Join(platforms.ProcRoot, "cpuinfo")] != 1 {
		t.Errorf("reads %v: want cpuinfo once and the thermal zones", reads)
	}
}
