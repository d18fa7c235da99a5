package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// forbidden are packages the edgeinfer binary must not link: test-only
// code, build tooling, the in-process MQTT broker meant for unit tests,
// browser drivers and gRPC.
var forbidden = []string{
	"testing",
	"github.com/edgeinfer/edgeinfer/internal/sharedtest",
	"github.com/edgeinfer/edgeinfer/cross",
	"github.com/mochi-mqtt/server",
	"github.com/chromedp",                                // the dashboard test's browser driver
	"google.golang.org/grpc",                             // OTLP goes over HTTP; gRPC would add megabytes
	"github.com/edgeinfer/edgeinfer/internal/brokertest", // starts mosquitto for tests
	"github.com/edgeinfer/edgeinfer/agent/api/apitest",   // the fake agent of the API tests
	"github.com/edgeinfer/edgeinfer/internal/agentbench", // benchmark tool
}

// TestDeps fails when cmd/edgeinfer links a forbidden package, on the build
// machine's platform and on the release targets with their own files.
func TestDeps(t *testing.T) {
	for _, env := range [][]string{nil, {"GOOS=linux", "GOARCH=arm64"}, {"GOOS=linux", "GOARCH=arm", "GOARM=6"}} {
		cmd := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", ".")
		cmd.Env = append(os.Environ(), env...)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("go list -deps %v: %v", env, err)
		}
		for _, dep := range strings.Fields(string(out)) {
			for _, bad := range forbidden {
				if dep == bad || strings.HasPrefix(dep, bad+"/") {
					t.Errorf("cmd/edgeinfer (%v) links %s", env, dep)
				}
			}
		}
	}
}
