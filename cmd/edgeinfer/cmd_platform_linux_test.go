package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/platforms"
)

// TestPlatform runs the command on the captured Raspberry Pi 5 tree of the
// platforms package (84 °C, so hot) and on the host.
func TestPlatform(t *testing.T) {
	oldProc, oldSys := platforms.ProcRoot, platforms.SysRoot
	t.Cleanup(func() { platforms.ProcRoot, platforms.SysRoot = oldProc, oldSys })
	platforms.ProcRoot, platforms.SysRoot = "../../platforms/testdata/rpi5/proc", "../../platforms/testdata/rpi5/sys"

	out, errOut, code := edgeinfer("platform")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"Raspberry Pi 5 Model B Rev 1.0 (rpi5)", "ARM Cortex-A76, 4 cores", "asimddp", "cpu-thermal 84.0 °C, critical 110 °C", "hot", "threads per session 2, sessions per model 2"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	out, _, code = edgeinfer("platform", "--json")
	var p platforms.Profile
	if err := json.Unmarshal([]byte(out), &p); err != nil || code != 0 || p.Kind != platforms.KindRaspberryPi5 {
		t.Errorf("--json: exit %d, %v, kind %q", code, err, p.Kind)
	}

	platforms.ProcRoot, platforms.SysRoot = oldProc, oldSys
	if out, errOut, code := edgeinfer("platform"); code != 0 || !strings.Contains(out, "cores") {
		t.Errorf("host: exit %d, %s%s", code, out, errOut)
	}
}
