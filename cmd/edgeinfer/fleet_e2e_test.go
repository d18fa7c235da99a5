//go:build !noota && !nohub

package main

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/edgeinfer/edgeinfer/api"
	"github.com/edgeinfer/edgeinfer/client"
	"github.com/edgeinfer/edgeinfer/hub/hubclient"
	"github.com/edgeinfer/edgeinfer/internal/brokertest"
)

// TestFleetEndToEnd runs the whole product as processes: a real mosquitto,
// a real `edgeinfer hub`, a real `edgeinfer agent` started with the update
// and telemetry flags, and the operator's commands. A local app keeps
// calling the agent while `edgeinfer push` uploads version 2 of its model
// to the hub and publishes it; the agent must take it with no failed
// request, report it in GET /v1/models and in `fleet status`, and its
// latency figures must reach the hub.
func TestFleetEndToEnd(t *testing.T) {
	bin, err := buildBinary()
	if err != nil {
		t.Fatal(err)
	}
	broker := brokertest.Start(t, brokertest.Options{})
	dir := t.TempDir()
	const token = "e2e-token"

	tokenFile := filepath.Join(dir, "hub.token")
	if err := os.WriteFile(tokenFile, []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	hub := exec.Command(bin, "hub", "--listen", "127.0.0.1:0", "--data-dir", filepath.Join(dir, "hub"), "--token-file", tokenFile)
	hubOut, err := hub.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	hub.Stderr = os.Stderr
	if err := hub.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { hub.Process.Kill(); hub.Wait() })
	hubURL := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(hubOut)
		for sc.Scan() {
			if _, url, ok := strings.Cut(sc.Text(), "hub listening on "); ok {
				hubURL <- strings.TrimSpace(url)
			}
		}
	}()
	var hubBase string
	select {
	case hubBase = <-hubURL:
	case <-time.After(30 * time.Second):
		t.Fatal("the hub did not say where it listens within 30s")
	}

	runCLI(t, "keygen", "--out", filepath.Join(dir, "ops"))
	v1 := conformance(t, "gotflite_blazeface_front_float", "model.tflite")
	v2 := conformance(t, "mp_face_detection_short_range", "model.tflite")
	socket := filepath.Join(dir, "agent.sock")
	_, exited := startAgent(t, bin, "--socket", socket, "--data-dir", filepath.Join(dir, "data"), "--log-level", "warn",
		"--model", "face="+v1, "--device-id", "dev-e2e",
		"--broker", broker.URL, "--fleet", "lab", "--trusted-key", filepath.Join(dir, "ops.pub"),
		"--collector", hubBase, "--collector-token-file", tokenFile, "--telemetry-interval", "1s")
	waitReady(t, unixClient(socket), exited)

	c := &client.Client{Socket: socket}
	meta, err := c.Model(context.Background(), "face")
	if err != nil {
		t.Fatal(err)
	}
	var inputs []client.Tensor
	for _, in := range meta.Inputs {
		n := 1
		shape := make([]int64, len(in.Shape))
		for i, d := range in.Shape {
			shape[i], n = d, n*int(d)
		}
		inputs = append(inputs, client.Tensor{Name: in.Name, Datatype: in.Datatype, Shape: shape, Data: make([]byte, 4*n)}) // both versions take FP32
	}

	// The local app: requests back to back until the test ends.
	ctx, stop := context.WithCancel(context.Background())
	var answered, failed atomic.Int64
	var failures sync.Map
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				if _, err := c.Infer(context.Background(), "face", inputs); err != nil {
					failed.Add(1)
					failures.Store(err.Error(), true)
				} else {
					answered.Add(1)
				}
			}
		}()
	}

	runCLI(t, "push", v2, "--name", "face", "--version", "2", "--fleet", "lab",
		"--key", filepath.Join(dir, "ops.key"), "--upload", hubBase, "--token", token, "--broker", broker.URL)
	var active api.ModelStatus
	waitFor(t, func() bool {
		models, err := c.Models(context.Background())
		if err != nil || len(models) != 1 {
			return false
		}
		active = models[0]
		return active.Version == "2"
	})
	before := answered.Load()
	waitFor(t, func() bool { return answered.Load() > before+5 }) // version 2 serves
	stop()
	wg.Wait()
	if n := failed.Load(); n > 0 {
		var msgs []string
		failures.Range(func(k, _ any) bool { msgs = append(msgs, k.(string)); return true })
		t.Errorf("%d of %d requests failed during the update: %v", n, n+answered.Load(), msgs)
	}
	t.Logf("%d requests answered through the update; /v1/models: version %s, ota %q", answered.Load(), active.Version, active.OTA)

	status := runCLI(t, "fleet", "status", "--broker", broker.URL, "--fleet", "lab", "--wait", "3s")
	if !strings.Contains(status, "dev-e2e") || !strings.Contains(status, "face") {
		t.Errorf("fleet status does not show the device and its model:\n%s", status)
	}

	// The hub has the device's figures within a few telemetry intervals.
	hc := hubclient.Client{BaseURL: hubBase, Token: token}
	waitFor(t, func() bool {
		devices, err := hc.Devices(context.Background())
		if err != nil {
			return false
		}
		for _, d := range devices {
			for _, m := range d.Models {
				if d.ID == "dev-e2e" && m.Name == "face" && m.Version == "2" && m.Requests > 0 {
					return true
				}
			}
		}
		return false
	})
}
