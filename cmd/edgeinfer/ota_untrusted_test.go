//go:build !noota && !nohub

package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/edgeinfer/edgeinfer/agent"
	"github.com/edgeinfer/edgeinfer/api"
	"github.com/edgeinfer/edgeinfer/client"
	"github.com/edgeinfer/edgeinfer/internal/brokertest"
	"github.com/edgeinfer/edgeinfer/internal/mqttlink"
	"github.com/edgeinfer/edgeinfer/ota"
	"github.com/edgeinfer/edgeinfer/platforms"
	"github.com/edgeinfer/edgeinfer/store"
)

// vmRSS reads the resident set size of process pid, in bytes.
func vmRSS(t *testing.T, pid int) int64 {
	t.Helper()
	n, err := statusBytes(fmt.Sprintf("/proc/%d/status", pid), "VmRSS")
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// publishRaw publishes retained payloads on topics with a new link.
func publishRaw(t *testing.T, broker string, msgs map[string][]byte) {
	t.Helper()
	l, err := mqttlink.Dial(mqttlink.Options{Broker: broker, ClientID: "attacker-" + randomID()})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	if err := l.WaitConnected(ctx); err != nil {
		t.Fatal(err)
	}
	for topic, p := range msgs {
		if err := l.Publish(ctx, topic, 1, true, p); err != nil {
			t.Fatal(err)
		}
	}
}

// TestAgentKeepsNoJunkDesiredState is the attack of a broker client on
// the real agent process: 100 retained junk messages of about 1 MB (half
// under the 1 MiB envelope cap and not a signed envelope, half over it)
// and two of 20 MiB, on made-up model names of the device's topic. The
// agent keeps none of them (its RSS grows by far less than what was
// sent), reports a bounded number of refusals, keeps serving, and still
// takes a genuine update published after them.
func TestAgentKeepsNoJunkDesiredState(t *testing.T) {
	bin, err := buildBinary()
	if err != nil {
		t.Fatal(err)
	}
	broker := brokertest.Start(t, brokertest.Options{})
	dir := t.TempDir()
	runCLI(t, "keygen", "--out", filepath.Join(dir, "ops"))
	hub := newBlobHub(t, "tok")
	socket := filepath.Join(dir, "agent.sock")
	var logs bytes.Buffer
	lw := &lockedWriter{w: &logs}
	cmd := exec.Command(bin, "agent", "--socket", socket, "--data-dir", filepath.Join(dir, "data"), "--log-level", "info", "--log-format", "json",
		"--model", "sine="+helloModel(t), "--device-id", "dev-junk",
		"--broker", broker.URL, "--fleet", "lab", "--trusted-key", filepath.Join(dir, "ops.pub"))
	cmd.Stderr = lw
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() { cmd.Process.Kill(); <-exited })
	c := unixClient(socket)
	waitReady(t, c, exited)
	cl := &client.Client{Socket: socket}
	waitFor(t, func() bool {
		lw.mu.Lock()
		defer lw.mu.Unlock()
		return strings.Contains(logs.String(), `"msg":"connected"`)
	})
	before := vmRSS(t, cmd.Process.Pid)

	junk := map[string][]byte{}
	var sent int64
	for i := range 100 {
		size := 1_000_000 // under the cap: kept by the old code, not a signed envelope
		if i%2 == 1 {
			size = 1<<20 + 500_000 // over the cap: dropped as it arrives
		}
		junk[ota.DeviceModelTopic("dev-junk", fmt.Sprintf("junk-%03d", i))] = bytes.Repeat([]byte{'{'}, size)
		sent += int64(size)
	}
	for i := range 2 {
		junk[ota.DeviceModelTopic("dev-junk", fmt.Sprintf("huge-%d", i))] = make([]byte, 20<<20)
		sent += 20 << 20
	}
	publishRaw(t, broker.URL, junk)
	// A genuine update published after the junk: once it serves, the
	// agent has taken every junk message before it.
	runCLI(t, "push", helloModel(t), "--name", "marker", "--version", "1", "--device", "dev-junk",
		"--key", filepath.Join(dir, "ops.key"), "--upload", hub.srv.URL, "--token", "tok", "--broker", broker.URL)
	var models []api.ModelStatus
	waitFor(t, func() bool {
		models, err = cl.Models(context.Background())
		for _, m := range models {
			if m.Name == "marker" && m.Version == "1" {
				return true
			}
		}
		return false
	})
	after := vmRSS(t, cmd.Process.Pid)
	t.Logf("agent RSS %.1f MiB before, %.1f MiB after %d junk messages of %.0f MiB in all", float64(before)/(1<<20), float64(after)/(1<<20), len(junk), float64(sent)/(1<<20))
	if grew := after - before; grew > 48<<20 {
		t.Errorf("agent RSS grew by %.1f MiB after %.0f MiB of junk: payloads are kept", float64(grew)/(1<<20), float64(sent)/(1<<20))
	}
	if _, body, err := postInfer(c, "sine", sineRequest(1)); err != nil || len(body.Outputs) != 1 {
		t.Errorf("the agent does not serve after the junk: %v %+v", err, body)
	}
	for _, m := range models {
		if strings.HasPrefix(m.Name, "junk") || strings.HasPrefix(m.Name, "huge") {
			t.Errorf("a junk name is listed: %+v", m)
		}
	}
	lw.mu.Lock()
	out := logs.String()
	lw.mu.Unlock()
	if n := strings.Count(out, `"msg":"manifest refused"`); n == 0 || n > 12 {
		t.Errorf("%d refusals logged at warn for %d junk messages, want 1 to 12 (rate-limited)", n, len(junk))
	}
	if !strings.Contains(out, "dropped on receipt") {
		t.Errorf("no refusal says an oversize payload was dropped on receipt:\n%.3000s", out)
	}
}

// TestRealAgentRefusesAFailingSmokeTest drives the production adapter
// (agentModels over a real *agent.Agent): a version whose manifest's
// expected outputs do not match is refused, the old version keeps serving,
// the registry is unchanged and the refused file is gone.
func TestRealAgentRefusesAFailingSmokeTest(t *testing.T) {
	broker := brokertest.Start(t, brokertest.Options{})
	dir := t.TempDir()
	runCLI(t, "keygen", "--out", filepath.Join(dir, "ops"))
	hub := newBlobHub(t, "tok")
	var cfg fileConfig
	cfg.Agent.DataDir = filepath.Join(dir, "data")
	cfg.OTA = ota.Config{Broker: broker.URL, Fleet: "lab", TrustedKeys: []string{filepath.Join(dir, "ops.pub")}, HealthWindow: -1}
	cfg = cfg.resolve(platforms.Profile{Defaults: platforms.Defaults{Threads: 1, Sessions: 1, CacheBytes: 1 << 20}})
	if err := os.MkdirAll(cfg.Agent.DataDir, 0o750); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(filepath.Join(cfg.Agent.DataDir, stateFile), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	a, err := agent.New(context.Background(), agent.Options{Config: cfg.Agent, Store: st})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close(context.Background())
	ctx, cancel := context.WithCancel(context.Background())
	r, wait, err := startOTA(ctx, otaOptions(cfg, "dev-smoke", "linux/test"), agentModels{a}, st.OTAJournal(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { cancel(); wait() }()

	push := func(model, version, outFile string) {
		runCLI(t, "push", conformance(t, model, "model.tflite"), "--name", "face", "--version", version, "--fleet", "lab",
			"--key", filepath.Join(dir, "ops.key"), "--upload", hub.srv.URL, "--token", "tok", "--broker", broker.URL,
			"--smoke-input", conformance(t, model, "case_0/in_0.bin"), "--smoke-output", outFile, "--tolerance", "0.001")
	}
	push("gotflite_blazeface_front_float", "1", conformance(t, "gotflite_blazeface_front_float", "case_0/out_0.bin"))
	waitFor(t, func() bool { _, _, v, ok := a.Counts("face"); return ok && v == "1" })

	// Version 2's expected outputs, each shifted by 1: far off the tolerance.
	good, err := os.ReadFile(conformance(t, "mp_face_detection_short_range", "case_0/out_0.bin"))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+4 <= len(good); i += 4 {
		binary.LittleEndian.PutUint32(good[i:], math.Float32bits(math.Float32frombits(binary.LittleEndian.Uint32(good[i:]))+1))
	}
	push("mp_face_detection_short_range", "2", writeFile(t, "bad_out_0.bin", good))
	var state string
	waitFor(t, func() bool { state = r.State("face"); return strings.HasPrefix(state, "failed:") })
	if !strings.Contains(state, "smoke test failed") {
		t.Errorf("state %q, want a failed smoke test", state)
	}
	if _, _, v, _ := a.Counts("face"); v != "1" {
		t.Errorf("the agent serves face %s after a failed smoke test, want 1", v)
	}
	rec, _, _ := a.Record("face")
	if rec.Active == nil || rec.Active.Version != "1" || rec.Previous != nil {
		t.Errorf("registry changed: %+v", rec)
	}
	var rej struct{ Version string }
	if b, ok, _ := st.OTAJournal().Get("rejected/face"); !ok || json.Unmarshal(b, &rej) != nil || rej.Version != "2" {
		t.Errorf("rejection %s %v, want version 2", b, ok)
	}
	if _, err := os.Stat(filepath.Join(cfg.Agent.DataDir, "models", "face", "2.tflite")); !os.IsNotExist(err) {
		t.Errorf("the refused file is still there: %v", err)
	}
}

// TestFleetStatusEscapesDeviceText: a device (anyone who may publish its
// status) cannot send escape sequences or column-breaking characters to
// the operator's terminal through fleet status.
func TestFleetStatusEscapesDeviceText(t *testing.T) {
	broker := brokertest.Start(t, brokertest.Options{})
	evil := ota.Status{Online: true, Fleet: "lab\x1b[2J", AgentVersion: "v1\r\x07", Platform: "linux\tarm",
		Models: map[string]ota.ModelState{"m\x1b]0;pwned\x07": {Version: "1\u202e", State: "failed: \x1b[31mred\x1b[0m"}}}
	b, _ := json.Marshal(evil)
	publishRaw(t, broker.URL, map[string][]byte{ota.StatusTopic("dev-\u202e1"): b})
	out := runCLI(t, "fleet", "status", "--broker", broker.URL, "--wait", "1s")
	for i := 0; i < len(out); i++ {
		if c := out[i]; (c < 0x20 && c != '\n') || c == 0x7f {
			t.Fatalf("fleet status printed control byte %#x at %d:\n%q", c, i, out)
		}
	}
	if strings.Contains(out, "\u202e") {
		t.Errorf("fleet status printed a bidi override:\n%q", out)
	}
	for _, want := range []string{`dev-\u202e1`, `lab\x1b[2J`, `v1\x0d\x07`, `linux\x09arm`, `m\x1b]0;pwned\x07`, `1\u202e`, `failed: \x1b[31mred\x1b[0m`} {
		if !strings.Contains(out, want) {
			t.Errorf("fleet status lacks %q:\n%s", want, out)
		}
	}
}

// TestPushSignsTheTarget: push names the fleet or the device in the signed
// manifest, and a rollback names the version it replaces.
func TestPushSignsTheTarget(t *testing.T) {
	broker := brokertest.Start(t, brokertest.Options{})
	dir := t.TempDir()
	runCLI(t, "keygen", "--out", filepath.Join(dir, "k"))
	keys, err := ota.LoadKeyring(filepath.Join(dir, "k.pub"))
	if err != nil {
		t.Fatal(err)
	}
	base := []string{"push", helloModel(t), "--url", "http://x/m", "--name", "m", "--key", filepath.Join(dir, "k.key"), "--broker", broker.URL}
	runCLI(t, append(base, "--version", "2", "--fleet", "lab", "--expires", "24h")...)
	runCLI(t, append(base, "--version", "1", "--device", "d1", "--rollback", "--rollback-from", "2")...)
	got := map[string]*ota.Manifest{}
	var n atomic.Int32
	l, err := mqttlink.Dial(mqttlink.Options{Broker: broker.URL, ClientID: "reader"})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := l.WaitConnected(ctx); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	err = l.Subscribe(ctx, "edgeinfer/v1/#", 1, func(msg mqttlink.Message) {
		m, err := ota.Verify(msg.Payload, keys)
		if err != nil {
			t.Errorf("%s: %v", msg.Topic, err)
		}
		got[msg.Topic] = m
		if n.Add(1) == 2 {
			close(done)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-done:
	case <-ctx.Done():
		t.Fatal("the two pushed manifests did not arrive")
	}
	fleet, dev := got[ota.FleetModelTopic("lab", "m")], got[ota.DeviceModelTopic("d1", "m")]
	if fleet == nil || fleet.Target.Fleet != "lab" || len(fleet.Target.Devices) != 0 || fleet.Expires.Sub(fleet.Created) != 24*time.Hour {
		t.Errorf("fleet manifest %+v", fleet)
	}
	if dev == nil || dev.Target.Fleet != "" || len(dev.Target.Devices) != 1 || dev.Target.Devices[0] != "d1" || !dev.Rollback || dev.RollbackFrom != "2" {
		t.Errorf("device manifest %+v", dev)
	}
}
