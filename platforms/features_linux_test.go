package platforms

import (
	"slices"
	"testing"
)

// TestGoFeaturesAgreeWithCPUInfo checks the x/sys/cpu table against this
// machine's /proc/cpuinfo: every feature Go sees must be listed there under
// the same name, so a profile filled from Go reads like one from Linux.
func TestGoFeaturesAgreeWithCPUInfo(t *testing.T) {
	p := Detect()
	if len(p.CPU.Features) == 0 {
		t.Fatal("this machine's /proc/cpuinfo lists no CPU features")
	}
	for _, name := range goFeatures() {
		if !slices.Contains(p.CPU.Features, name) {
			t.Errorf("x/sys/cpu reports %q, /proc/cpuinfo does not list it (flags: %v)", name, p.CPU.Features)
		}
	}
	t.Logf("x/sys/cpu sees %v", goFeatures())
}
