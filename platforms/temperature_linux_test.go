package platforms

import (
	"path/filepath"
	"strings"
	"testing"
)

// countReads wraps ReadFile for the test, counting reads by path.
func countReads(t *testing.T) map[string]int {
	t.Helper()
	old := ReadFile
	t.Cleanup(func() { ReadFile = old })
	reads := map[string]int{}
	ReadFile = func(name string) ([]byte, error) {
		reads[name]++
		return old(name)
	}
	return reads
}

// TestTemperatureReadsOnlyZones checks, on every captured board, that
// Temperature gives the hottest zone of the full profile while reading
// nothing but the zones' temperatures.
func TestTemperatureReadsOnlyZones(t *testing.T) {
	for _, b := range []struct{ dir, arch string }{{"rpi4", "arm64"}, {"rpi5", "arm64"}, {"jetson-orin-nano", "arm64"}, {"x86-server", "amd64"}, {"arm64-container", "arm64"}} {
		t.Run(b.dir, func(t *testing.T) {
			p := detectAt(t, b.dir, b.arch)
			reads := countReads(t)
			got, ok := Temperature()
			want, wantOK := p.Hottest()
			if got != want || ok != wantOK {
				t.Errorf("Temperature() = %v %v, the profile's hottest zone is %v %v", got, ok, want, wantOK)
			}
			for path := range reads {
				if filepath.Base(path) != "temp" || !strings.HasPrefix(filepath.Base(filepath.Dir(path)), "thermal_zone") {
					t.Errorf("Temperature read %s", path)
				}
			}
			if len(reads) != len(p.Thermal) {
				t.Errorf("Temperature read %d files, the board has %d zones", len(reads), len(p.Thermal))
			}
		})
	}
}

func TestHottest(t *testing.T) {
	p := Profile{Thermal: []ThermalZone{{Name: "cpu", Temp: 51}, {Name: "gpu", Temp: 55.5}, {Name: "cold", Temp: -10}}}
	if c, ok := p.Hottest(); !ok || c != 55.5 {
		t.Errorf("Hottest = %v %v, want 55.5", c, ok)
	}
	if _, ok := (Profile{}).Hottest(); ok {
		t.Error("a profile without thermal zones has a temperature")
	}
	if c, ok := (Profile{Thermal: []ThermalZone{{Temp: -5}}}).Hottest(); !ok || c != -5 {
		t.Errorf("one zone below zero: %v %v", c, ok)
	}
}
