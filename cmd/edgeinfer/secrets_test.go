//go:build !noota && !nohub

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/edgeinfer/edgeinfer/internal/brokertest"
	"github.com/edgeinfer/edgeinfer/internal/mqttlink"
	"github.com/edgeinfer/edgeinfer/ota"
)

// TestAgentSecretsOffTheCommandLine runs the real agent against a real
// mosquitto that requires a password and a real hub that requires a
// token, with the secrets in files named by the config (password_file,
// token_file) and, in a second agent, in the environment
// (EDGEINFER_MQTT_PASSWORD, EDGEINFER_TELEMETRY_TOKEN): both agents log in
// to the broker (their retained status says online) and their telemetry
// reaches the hub, no secret is in /proc/PID/cmdline, and the agent warns
// that the token goes over plaintext http://.
func TestAgentSecretsOffTheCommandLine(t *testing.T) {
	bin, err := buildBinary()
	if err != nil {
		t.Fatal(err)
	}
	const mqttPassword, hubToken, readToken = "mqtt-pw-81d2", "hub-tok-5c1e", "read-tok-77aa"
	broker := brokertest.Start(t, brokertest.Options{Users: map[string]string{"dev": mqttPassword, "watch": "watch-pw"}})
	dir := t.TempDir()
	secret := func(name, v string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(v+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	h := startHubProcess(t, bin, "--listen", "127.0.0.1:0", "--data-dir", filepath.Join(dir, "hub"),
		"--token-file", secret("hub.token", hubToken), "--read-token-file", secret("read.token", readToken), "--public-url", "http://hub.invalid")
	runCLI(t, "keygen", "--out", filepath.Join(dir, "ops"))

	statuses := make(chan ota.Status, 16)
	link, err := mqttlink.Dial(mqttlink.Options{Broker: broker.URL, ClientID: "watch", Username: "watch", Password: "watch-pw"})
	if err != nil {
		t.Fatal(err)
	}
	defer link.Close()
	if err := link.WaitConnected(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := link.Subscribe(context.Background(), ota.StatusFilter, 1, func(m mqttlink.Message) {
		var s ota.Status
		if json.Unmarshal(m.Payload, &s) == nil {
			statuses <- s
		}
	}); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name, yaml string
		env        []string
	}{
		{"files", fmt.Sprintf("ota:\n  username: dev\n  password_file: %s\ntelemetry:\n  token_file: %s\n",
			secret("mqtt.password", mqttPassword), secret("collector.token", hubToken)), nil},
		{"environment", "ota:\n  username: dev\n", []string{"EDGEINFER_MQTT_PASSWORD=" + mqttPassword, "EDGEINFER_TELEMETRY_TOKEN=" + hubToken}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id := "dev-" + tc.name
			cfg := filepath.Join(t.TempDir(), "agent.yaml")
			if err := os.WriteFile(cfg, []byte(tc.yaml), 0o640); err != nil {
				t.Fatal(err)
			}
			socket := filepath.Join(t.TempDir(), "agent.sock")
			cmd := exec.Command(bin, "agent", "--config", cfg, "--socket", socket, "--data-dir", t.TempDir(),
				"--model", "sine="+helloModel(t), "--device-id", id, "--broker", broker.URL, "--fleet", "lab",
				"--trusted-key", filepath.Join(dir, "ops.pub"), "--collector", h.URL, "--telemetry-interval", "1s")
			cmd.Env = append(os.Environ(), tc.env...)
			var stderr lockedBuffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan struct{})
			go func() { cmd.Wait(); close(exited) }()
			defer func() { cmd.Process.Kill(); <-exited }()
			waitReady(t, unixClient(socket), exited)

			cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", cmd.Process.Pid))
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range []string{mqttPassword, hubToken} {
				if strings.Contains(string(cmdline), s) {
					t.Errorf("secret %q on the agent's command line", s)
				}
			}
			// Logged in to the broker: the agent's retained status.
			waitEvent(t, exited, statuses, func(s ota.Status) bool { return s.Device == id && s.Online })
			// Its telemetry reaches the hub, which took the token.
			waitFor(t, func() bool {
				req, _ := http.NewRequest(http.MethodGet, h.URL+"/api/devices", nil)
				req.Header.Set("Authorization", "Bearer "+readToken)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					return false
				}
				defer resp.Body.Close()
				var devs []hubDevice
				return json.NewDecoder(resp.Body).Decode(&devs) == nil && strings.Contains(fmt.Sprint(devs), id)
			})
			if log := stderr.String(); !strings.Contains(log, "plaintext http://") {
				t.Errorf("no warning about the token over http:// in the agent's log:\n%s", log)
			}
		})
	}
}

// waitEvent waits for a value from ch that ok accepts, failing if the
// process exits first or nothing comes within 60 s.
func waitEvent[T any](t *testing.T, exited <-chan struct{}, ch <-chan T, ok func(T) bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for {
		select {
		case v := <-ch:
			if ok(v) {
				return
			}
		case <-exited:
			t.Fatal("the agent exited")
		case <-ctx.Done():
			t.Fatal("no matching event within 60 s")
		}
	}
}

// TestOperatorCommandsPasswordFromEnvironment: fleet status logs in to a
// password-protected mosquitto with the password from
// EDGEINFER_MQTT_PASSWORD, so it need not be on the command line (the
// broker takes no anonymous client).
func TestOperatorCommandsPasswordFromEnvironment(t *testing.T) {
	broker := brokertest.Start(t, brokertest.Options{Users: map[string]string{"ops": "ops-pw-3f9a"}})
	args := []string{"fleet", "status", "--broker", broker.URL, "--username", "ops", "--wait", "100ms"}
	t.Setenv("EDGEINFER_MQTT_PASSWORD", "ops-pw-3f9a")
	if _, stderr, code := edgeinfer(args...); code != 0 {
		t.Errorf("fleet status with $EDGEINFER_MQTT_PASSWORD: exit %d\n%s", code, stderr)
	}
}
