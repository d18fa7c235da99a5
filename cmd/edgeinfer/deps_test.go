package main

import (
	"os"
	"os/exec"
	"slices"
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
	"github.com/edgeinfer/edgeinfer/internal/apitest",    // the fake agent of the API tests
	"github.com/edgeinfer/edgeinfer/cmd/agentbench",      // benchmark tool
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

// TestOptOutTags checks that the build tags for small boards leave out what
// they say: noota the MQTT client and the update loop with their commands,
// nohub the hub server.
func TestOptOutTags(t *testing.T) {
	for _, tc := range []struct {
		tags string
		gone []string
	}{
		{"noota", []string{"github.com/eclipse/paho.mqtt.golang", "github.com/edgeinfer/edgeinfer/ota", "github.com/edgeinfer/edgeinfer/internal/mqttlink"}},
		{"nohub", []string{"github.com/edgeinfer/edgeinfer/hub"}},
	} {
		out, err := exec.Command("go", "list", "-deps", "-tags", tc.tags, "-f", "{{.ImportPath}}", ".").Output()
		if err != nil {
			t.Fatalf("go list -deps -tags %s: %v", tc.tags, err)
		}
		deps := strings.Fields(string(out))
		for _, pkg := range tc.gone {
			if slices.Contains(deps, pkg) {
				t.Errorf("-tags %s still links %s", tc.tags, pkg)
			}
		}
		full, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", ".").Output()
		if err != nil {
			t.Fatal(err)
		}
		for _, pkg := range tc.gone {
			if !slices.Contains(strings.Fields(string(full)), pkg) {
				t.Errorf("the default build does not link %s: the test checks nothing", pkg)
			}
		}
	}
}
