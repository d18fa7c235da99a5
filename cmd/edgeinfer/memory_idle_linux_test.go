package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/edgeinfer/edgeinfer/internal/sharedtest"
)

// idleCeiling bounds the idle agent's resident set in
// TestAgentIdleMemory: about 17 MiB measured with mobilenet_v2 on
// linux/amd64 (issue 12 asks for under 20), 22 MiB before the agent gave
// back its start-up pages. It catches a regression of several MiB, not a
// small drift.
const idleCeiling = 21 << 20

// startIdleAgent starts the real agent with coral_tf2_mobilenet_v2_224_ptq
// (1 thread, 2 sessions), waits until it has released the memory loading
// the model took (its debug log says so: that is the last step of its
// start) and has answered one readiness check, and returns its process
// id.
func startIdleAgent(tb testing.TB) int {
	tb.Helper()
	bin, err := buildBinary()
	if err != nil {
		tb.Fatal(err)
	}
	model := filepath.Join(sharedtest.Dir(tb), "conformance", "coral_tf2_mobilenet_v2_224_ptq", "model.tflite")
	dir := tb.TempDir()
	cfg := filepath.Join(dir, "agent.yaml")
	if err := os.WriteFile(cfg, fmt.Appendf(nil, "defaults:\n  threads: 1\n  sessions: 2\nmodels:\n  mnv2:\n    path: %s\n", model), 0o644); err != nil {
		tb.Fatal(err)
	}
	socket := filepath.Join(dir, "agent.sock")
	cmd := exec.Command(bin, "agent", "--config", cfg, "--socket", socket, "--data-dir", filepath.Join(dir, "data"), "--log-level", "debug")
	var log bytes.Buffer
	lw := &lockedWriter{w: &log}
	cmd.Stderr = lw
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	tb.Cleanup(func() { cmd.Process.Kill(); <-exited })
	logged := func(s string) bool {
		lw.mu.Lock()
		defer lw.mu.Unlock()
		return strings.Contains(log.String(), s)
	}
	for end := time.Now().Add(30 * time.Second); !logged(`msg="memory released" after=load`); time.Sleep(10 * time.Millisecond) {
		select {
		case <-exited:
			tb.Fatalf("the agent exited: %v\n%s", cmd.ProcessState, log.String())
		default:
		}
		if time.Now().After(end) {
			tb.Fatalf("the agent did not log that it released memory within 30s:\n%s", log.String())
		}
	}
	resp, err := unixClient(socket).Get("http://agent/v2/health/ready")
	if err != nil {
		tb.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		tb.Fatalf("GET /v2/health/ready: %s", resp.Status)
	}
	return cmd.Process.Pid
}

// agentMemory reads VmRSS, RssAnon and RssFile of process pid, in bytes.
func agentMemory(tb testing.TB, pid int) (rss, anon, file int64) {
	tb.Helper()
	status := fmt.Sprintf("/proc/%d/status", pid)
	var err error
	for _, f := range []struct {
		name string
		v    *int64
	}{{"VmRSS", &rss}, {"RssAnon", &anon}, {"RssFile", &file}} {
		if *f.v, err = statusBytes(status, f.name); err != nil {
			tb.Fatal(err)
		}
	}
	return rss, anon, file
}

// TestAgentIdleMemory reports the resident set of an idle agent with
// mobilenet_v2 loaded (the figure of issue 12) and fails past
// idleCeiling.
func TestAgentIdleMemory(t *testing.T) {
	rss, anon, file := agentMemory(t, startIdleAgent(t))
	t.Logf("idle agent with coral_tf2_mobilenet_v2_224_ptq: VmRSS %.1f MiB (anonymous %.1f MiB, file-backed %.1f MiB)",
		float64(rss)/(1<<20), float64(anon)/(1<<20), float64(file)/(1<<20))
	if rss > idleCeiling {
		t.Errorf("idle agent VmRSS %.1f MiB, above the %d MiB ceiling", float64(rss)/(1<<20), idleCeiling>>20)
	}
}

// BenchmarkAgentIdleMemory reports the same figures as metrics
// (idle-rss-MiB, anon-MiB, file-MiB); the timed loop only reads them.
func BenchmarkAgentIdleMemory(b *testing.B) {
	pid := startIdleAgent(b)
	var rss, anon, file int64
	for b.Loop() {
		rss, anon, file = agentMemory(b, pid)
	}
	b.ReportMetric(float64(rss)/(1<<20), "idle-rss-MiB")
	b.ReportMetric(float64(anon)/(1<<20), "anon-MiB")
	b.ReportMetric(float64(file)/(1<<20), "file-MiB")
}
