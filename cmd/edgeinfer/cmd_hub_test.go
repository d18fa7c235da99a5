//go:build !nohub

package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/edgeinfer/edgeinfer/agent/telemetry"
	"github.com/edgeinfer/edgeinfer/store"
)

// buildEdgeinfer builds the edgeinfer binary into a temporary directory.
func buildEdgeinfer(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "edgeinfer")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// hubProcess is a running "edgeinfer hub".
type hubProcess struct {
	cmd  *exec.Cmd
	URL  string
	done chan error
}

// startHubProcess runs "edgeinfer hub" and waits for its "listening"
// line.
func startHubProcess(t *testing.T, bin string, args ...string) *hubProcess {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"hub"}, args...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	h := &hubProcess{cmd: cmd, done: make(chan error, 1)}
	line := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if s := sc.Text(); strings.HasPrefix(s, "hub listening on ") {
				line <- strings.TrimPrefix(s, "hub listening on ")
			}
		}
		h.done <- cmd.Wait()
	}()
	select {
	case h.URL = <-line:
	case err := <-h.done:
		t.Fatalf("edgeinfer hub exited before listening: %v", err)
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatal("edgeinfer hub did not report listening within 60 s")
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			<-h.done
		}
	})
	return h
}

// stop sends SIGTERM and expects a clean exit.
func (h *hubProcess) stop(t *testing.T) {
	t.Helper()
	h.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-h.done:
		if err != nil {
			t.Errorf("edgeinfer hub after SIGTERM: %v", err)
		}
	case <-time.After(60 * time.Second):
		h.cmd.Process.Kill()
		t.Fatal("edgeinfer hub did not stop within 60 s of SIGTERM")
	}
}

type hubDevice struct {
	ID       string `json:"id"`
	Online   bool   `json:"online"`
	Platform string `json:"platform"`
	Models   []struct {
		Name     string  `json:"name"`
		Version  string  `json:"version"`
		Requests uint64  `json:"requests"`
		Errors   uint64  `json:"errors"`
		P50ms    float64 `json:"p50_ms"`
	} `json:"models"`
}

func hubDevices(t *testing.T, base string) map[string]hubDevice {
	t.Helper()
	return hubDevicesVia(t, http.DefaultClient, base)
}

func hubDevicesVia(t *testing.T, c *http.Client, base string) map[string]hubDevice {
	t.Helper()
	resp, err := c.Get(base + "/api/devices")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var list []hubDevice
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		t.Fatal(err)
	}
	out := map[string]hubDevice{}
	for _, d := range list {
		out[d.ID] = d
	}
	return out
}

// TestHubProcess runs the real edgeinfer hub and two agents' telemetry
// (startTelemetry, real state files) against it: the hub stops for a
// while, the agents spool, the hub restarts on the same port with the same
// data, and every request arrives exactly once.
func TestHubProcess(t *testing.T) {
	bin := buildEdgeinfer(t)
	dataDir := t.TempDir()
	h := startHubProcess(t, bin, "--listen", "127.0.0.1:0", "--data-dir", dataDir, "--token", "tok")
	addr := strings.TrimPrefix(h.URL, "http://")

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	type dev struct {
		id string
		m  *telemetry.ModelStats
	}
	var devs []dev
	for _, id := range []string{"dev-a", "dev-b"} {
		st, err := store.Open(filepath.Join(t.TempDir(), id+".db"), store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		rec := telemetry.NewRecorder()
		wait, err := startTelemetry(ctx, telemetrySettings{
			CollectorURL: h.URL, Token: "tok", Interval: 100 * time.Millisecond,
			DeviceID: id, AgentVersion: "test", Platform: "generic-amd64",
		}, rec, st, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { cancel(); wait() }() // before the store closes
		devs = append(devs, dev{id, rec.Model("kws", "1")})
	}
	observe := func(n int) {
		for _, d := range devs {
			for range n {
				d.m.Observe(telemetry.Observation{Compute: 3 * time.Millisecond, Total: 3 * time.Millisecond, Batch: 1})
			}
		}
	}
	// waitTotals polls until each device has want requests, failing on
	// more (a batch counted twice).
	waitTotals := func(base string, want uint64) {
		t.Helper()
		deadline := time.Now().Add(90 * time.Second)
		for {
			got := hubDevices(t, base)
			ok := true
			for _, d := range devs {
				var n uint64
				if m := got[d.id].Models; len(m) == 1 {
					n = m[0].Requests
				}
				if n > want {
					t.Fatalf("%s has %d requests at the hub, more than the %d made", d.id, n, want)
				}
				ok = ok && n == want && got[d.id].Online
			}
			if ok {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("hub totals %+v, want %d requests per device within 90 s", got, want)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}

	observe(50)
	waitTotals(h.URL, 50)

	h.stop(t)
	observe(30) // made while the hub is down: they wait in the spools
	time.Sleep(300 * time.Millisecond)
	observe(20)
	h = startHubProcess(t, bin, "--listen", addr, "--data-dir", dataDir, "--token", "tok")
	waitTotals(h.URL, 100)

	// Stop the agents, restart the hub: the totals persist.
	cancel()
	h.stop(t)
	h = startHubProcess(t, bin, "--listen", "127.0.0.1:0", "--data-dir", dataDir, "--token", "tok")
	got := hubDevices(t, h.URL)
	for _, d := range devs {
		if m := got[d.id].Models; len(m) != 1 || m[0].Requests != 100 || m[0].P50ms < 2 || m[0].P50ms > 4 {
			t.Errorf("after restart %s: %+v, want 100 requests with p50 about 3 ms", d.id, got[d.id])
		}
	}
	resp, err := http.Get(h.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(page), "edgeinfer fleet") {
		t.Errorf("dashboard page: %.200s", page)
	}
	h.stop(t)
}

func TestHubUsage(t *testing.T) {
	if _, stderr, code := edgeinfer("hub", "--listen", "127.0.0.1:0"); code != 2 || !strings.Contains(stderr, "--data-dir is required") {
		t.Errorf("hub without --data-dir: exit %d, %q", code, stderr)
	}
	file := writeFile(t, "not-a-dir", []byte("x"))
	if _, stderr, code := edgeinfer("hub", "--data-dir", file); code != 1 || !strings.Contains(stderr, "data directory") {
		t.Errorf("hub with a file as --data-dir: exit %d, %q", code, stderr)
	}
	_, stderr, code := edgeinfer("hub", "--data-dir", t.TempDir(), "--listen", "256.0.0.1:1")
	if code != 1 || !strings.Contains(stderr, fmt.Sprintf("listen on %s", "256.0.0.1:1")) {
		t.Errorf("hub with a bad address: exit %d, %q", code, stderr)
	}
}
