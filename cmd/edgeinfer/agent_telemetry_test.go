//go:build !nohub

package main

import (
	"bytes"
	"context"
	"encoding/pem"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/edgeinfer/edgeinfer/hub"
	"github.com/edgeinfer/edgeinfer/platforms"
	"github.com/edgeinfer/edgeinfer/store"
	"github.com/edgeinfer/edgeinfer/telemetry"
)

// TestStartTelemetryTLS points an agent's telemetry at a hub served over
// TLS on loopback, trusting the hub's certificate through --collector-ca;
// the token goes over TLS, so no plaintext warning is logged.
func TestStartTelemetryTLS(t *testing.T) {
	srv, err := hub.Open(hub.Options{DataDir: t.TempDir(), Token: "tok"})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ts := httptest.NewTLSServer(srv.Handler())
	defer ts.Close()
	ca := writeFile(t, "ca.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ts.Certificate().Raw}))

	st, err := store.Open(filepath.Join(t.TempDir(), "state.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rec := telemetry.NewRecorder()
	var logBuf bytes.Buffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	platform, attrs, temp := profileDevice(platforms.Profile{Kind: "rpi4", Arch: "arm64", OS: "linux", CPU: platforms.CPU{Cores: 4}})
	wait, err := startTelemetry(ctx, telemetry.Config{Collector: ts.URL, CAFile: ca, Interval: 50 * time.Millisecond, Token: "tok"},
		telemetry.Device{AgentVersion: "test", Platform: platform, Attributes: attrs, Temperature: temp}, rec, st, slog.New(slog.NewTextHandler(&logBuf, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { cancel(); wait() }()
	rec.Model("kws", "1").Observe(telemetry.Observation{Total: time.Millisecond})
	id, _ := st.DeviceID()
	deadline := time.Now().Add(60 * time.Second)
	for {
		d, ok := hubDevicesVia(t, ts.Client(), ts.URL)[id]
		if ok && len(d.Models) == 1 && d.Models[0].Requests == 1 {
			if d.Platform != "rpi4" {
				t.Errorf("platform %q, want rpi4", d.Platform)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("device %s did not reach the TLS hub within 60 s", id)
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	wait()
	if strings.Contains(logBuf.String(), "plaintext") {
		t.Errorf("plaintext warning for an https collector:\n%s", logBuf.String())
	}
}

func TestStartTelemetrySettings(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "state.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	notPEM := writeFile(t, "ca.pem", []byte("not a certificate"))
	for _, tc := range []struct {
		name string
		c    telemetry.Config
		dev  telemetry.Device
		want string
	}{
		{"no collector: device only", telemetry.Config{}, telemetry.Device{ID: "dev-x"}, ""},
		{"bad URL", telemetry.Config{Collector: "hub:4318"}, telemetry.Device{}, "collector URL"},
		{"missing CA file", telemetry.Config{Collector: "https://hub", CAFile: filepath.Join(t.TempDir(), "nope.pem")}, telemetry.Device{}, "collector CA"},
		{"CA file without PEM", telemetry.Config{Collector: "https://hub", CAFile: notPEM}, telemetry.Device{}, "no PEM certificate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := telemetry.NewRecorder()
			_, err := startTelemetry(context.Background(), tc.c, tc.dev, rec, st, nil)
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				var b strings.Builder
				rec.WritePrometheus(&b)
				if !strings.Contains(b.String(), `device="dev-x"`) {
					t.Errorf("the recorder does not describe the device:\n%.300s", b.String())
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("startTelemetry: %v, want an error about %q", err, tc.want)
			}
		})
	}
}

func TestProfileDevice(t *testing.T) {
	p := platforms.Profile{Kind: "rpi5", Board: "Raspberry Pi 5 Model B", Arch: "arm64", OS: "linux",
		CPU: platforms.CPU{Cores: 4}, Thermal: []platforms.ThermalZone{{Name: "cpu", Temp: 51}, {Name: "gpu", Temp: 55.5}}}
	platform, attrs, temp := profileDevice(p)
	if platform != "rpi5" || attrs["host.arch"] != "arm64" || attrs["edgeinfer.cores"] != "4" || attrs["edgeinfer.board"] != "Raspberry Pi 5 Model B" {
		t.Errorf("profileDevice: %q %v", platform, attrs)
	}
	if _, ok := attrs["edgeinfer.cpu"]; ok {
		t.Error("an empty CPU model became an attribute")
	}
	temp() // reads this machine; must not panic
}

// TestStartTelemetryRefusesUntrustedCollector points telemetry at a TLS
// hub whose certificate no configured CA vouches for: the agent does not
// send (the batch stays in the spool, the log names the certificate) and
// the hub never hears of the device.
func TestStartTelemetryRefusesUntrustedCollector(t *testing.T) {
	srv, err := hub.Open(hub.Options{DataDir: t.TempDir(), Token: "tok"})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ts := httptest.NewTLSServer(srv.Handler())
	defer ts.Close()
	st, err := store.Open(filepath.Join(t.TempDir(), "state.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rec := telemetry.NewRecorder()
	var logBuf lockedBuffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	wait, err := startTelemetry(ctx, telemetry.Config{Collector: ts.URL, Interval: 50 * time.Millisecond, Token: "tok"}, telemetry.Device{AgentVersion: "test"},
		rec, st, slog.New(slog.NewTextHandler(&logBuf, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { cancel(); wait() }()
	rec.Model("kws", "1").Observe(telemetry.Observation{Total: time.Millisecond})
	waitFor(t, func() bool { return strings.Contains(logBuf.String(), "certificate") })
	if n, _, _, err := st.SpoolStats(); err != nil || n == 0 {
		t.Errorf("spool holds %d batches (%v), want the undelivered ones", n, err)
	}
	if devs := hubDevicesVia(t, ts.Client(), ts.URL); len(devs) != 0 {
		t.Errorf("the hub has devices %v from an agent that should not trust it", devs)
	}
}
