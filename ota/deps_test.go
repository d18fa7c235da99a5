package ota

import (
	"os/exec"
	"strings"
	"testing"
)

// TestOTAReachesTheAgentOnlyThroughItsInterfaces: the update loop links
// neither the store nor the agent nor the engine; it reaches the agent's
// records through Models and keeps its own progress through Journal.
func TestOTAReachesTheAgentOnlyThroughItsInterfaces(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 2 || deps[len(deps)-1] != "github.com/edgeinfer/edgeinfer/ota" {
		t.Fatalf("go list -deps listed %d packages, the last %q: the test checks nothing", len(deps), deps[len(deps)-1:])
	}
	for _, dep := range deps {
		for _, bad := range []string{"github.com/edgeinfer/edgeinfer/store", "github.com/edgeinfer/edgeinfer/agent", "github.com/edgeinfer/edgeinfer/runtime", "go.etcd.io/bbolt"} {
			if dep == bad || strings.HasPrefix(dep, bad+"/") {
				t.Errorf("ota links %s", dep)
			}
		}
	}
}
