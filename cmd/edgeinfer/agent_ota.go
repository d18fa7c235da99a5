//go:build !noota

package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/edgeinfer/edgeinfer/agent"
	"github.com/edgeinfer/edgeinfer/internal/mqttlink"
	"github.com/edgeinfer/edgeinfer/ota"
	"github.com/edgeinfer/edgeinfer/runtime"
	"github.com/edgeinfer/edgeinfer/runtime/tflite"
	"github.com/edgeinfer/edgeinfer/store"
)

// otaSettings is what startOTA needs: the agent's ota config section and
// flags (--broker, --fleet, --trusted-key), plus the device's identity.
type otaSettings struct {
	// Broker is mqtt://HOST:PORT or mqtts://HOST:PORT.
	Broker   string
	DeviceID string
	Fleet    string
	// TrustedKeys are public key files from edgeinfer keygen.
	TrustedKeys []string
	// Username, Password and the TLS files authenticate to the broker.
	Username, Password        string
	CAFile, CertFile, KeyFile string
	// HealthWindow, MaxErrorRate and MaxDownloadBytes: see ota.Config.
	HealthWindow     time.Duration
	MaxErrorRate     float64
	MaxDownloadBytes int64
	// DownloadIdleTimeout, DownloadTimeout and MaxConcurrent: see
	// ota.Config (zero = its defaults).
	DownloadIdleTimeout, DownloadTimeout time.Duration
	MaxConcurrent                        int
	// DataDir holds models/<name>/<version>.tflite.
	DataDir string
	// AgentVersion and Platform go into the device's status.
	AgentVersion, Platform string
}

// otaSettingsFrom maps a resolved agent configuration to otaSettings.
func otaSettingsFrom(c agent.Config, deviceID, platform string) otaSettings {
	o := c.OTA
	return otaSettings{
		Broker: o.Broker, DeviceID: deviceID, Fleet: o.Fleet, TrustedKeys: o.TrustedKeys,
		Username: o.Username, Password: o.Password, CAFile: o.CAFile, CertFile: o.CertFile, KeyFile: o.KeyFile,
		HealthWindow: o.HealthWindow.D(), MaxErrorRate: o.MaxErrorRate, MaxDownloadBytes: o.MaxDownloadBytes,
		DownloadIdleTimeout: o.DownloadIdleTimeout.D(), DownloadTimeout: o.DownloadTimeout.D(), MaxConcurrent: o.MaxConcurrentUpdates,
		DataDir: c.DataDir, AgentVersion: version, Platform: platform,
	}
}

// startUpdates starts model updates over MQTT when the configuration names
// a broker. state gives a model's update state (GET /v1/models' ota field);
// stop ends the update loop, which publishes the device's offline status,
// and waits for it.
func startUpdates(ctx context.Context, cfg agent.Config, deviceID, platform string, a *agent.Agent, st *store.Store, log *slog.Logger) (state func(model string) string, stop func(), err error) {
	if cfg.OTA.Broker == "" {
		return nil, func() {}, nil
	}
	octx, cancel := context.WithCancel(ctx)
	r, wait, err := startOTA(octx, otaSettingsFrom(cfg, deviceID, platform), agentModels{a}, st.OTAJournal(), log)
	if err != nil {
		cancel()
		return nil, nil, err
	}
	log.Info("model updates on", "broker", cfg.OTA.Broker, "fleet", cfg.OTA.Fleet, "trusted_keys", len(cfg.OTA.TrustedKeys))
	return r.State, func() { cancel(); wait() }, nil
}

// startOTA connects to the broker and runs the update loop until ctx ends:
// the loop asks models (the agent) to activate and roll back, and keeps
// its own progress in j. It returns the loop (for State, the ota field of
// GET /v1/models) and a function that waits, after ctx ended, until the
// loop has published its offline status and disconnected. A broker that is
// down is not an error: the link keeps trying.
func startOTA(ctx context.Context, o otaSettings, models ota.Models, j ota.Journal, log *slog.Logger) (*ota.Reconciler, func(), error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	keys, err := ota.LoadKeyring(o.TrustedKeys...)
	if err != nil {
		return nil, nil, fmt.Errorf("ota: trusted keys: %w", err)
	}
	// The loop first, so the link can tell it of every connect.
	r, err := ota.New(ota.Config{
		DeviceID: o.DeviceID, Fleet: o.Fleet, Keys: keys, DataDir: o.DataDir,
		HealthWindow: o.HealthWindow, MaxErrorRate: o.MaxErrorRate, MaxDownloadBytes: o.MaxDownloadBytes,
		DownloadIdleTimeout: o.DownloadIdleTimeout, DownloadTimeout: o.DownloadTimeout, MaxConcurrent: o.MaxConcurrent,
		AgentVersion: o.AgentVersion, Platform: o.Platform,
		Supported: tflite.Supported,
		Logger:    log,
	}, models, j)
	if err != nil {
		return nil, nil, err
	}
	link, err := mqttlink.Dial(mqttlink.Options{
		Broker: o.Broker, ClientID: "edgeinfer-" + o.DeviceID,
		Username: o.Username, Password: o.Password,
		CAFile: o.CAFile, CertFile: o.CertFile, KeyFile: o.KeyFile,
		MaxPayloadBytes: ota.MaxEnvelopeBytes,
		Will:            &mqttlink.Message{Topic: ota.StatusTopic(o.DeviceID), Payload: ota.OfflineStatus(o.DeviceID, o.Fleet), Retained: true},
		OnConnect:       r.OnConnect,
		Logger:          log,
	})
	if err != nil {
		return nil, nil, err
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer link.Close()
		r.Run(ctx, link)
	}()
	return r, func() { <-done }, nil
}

// agentModels lets the update loop drive the agent, the owner of every
// model's record: ota.Models over *agent.Agent.
type agentModels struct{ a *agent.Agent }

var _ ota.Models = agentModels{}

func (m agentModels) Active(name string) (string, bool) {
	_, _, v, ok := m.a.Counts(name)
	return v, ok
}

func (m agentModels) Counts(name string) (requests, errors uint64) {
	requests, errors, _, _ = m.a.Counts(name)
	return requests, errors
}

func (m agentModels) Activate(ctx context.Context, act ota.Activation) error {
	var check agent.Check
	if act.Smoke != nil {
		check = smokeCheck(act.Smoke)
	}
	_, err := m.a.Activate(ctx, agent.Activation{
		Name: act.Name, Version: act.Version, Path: act.Path, Check: check,
		Manifest: act.Manifest, WatchUntil: act.WatchUntil,
	})
	return err
}

func (m agentModels) Rollback(ctx context.Context, name, from, reason string) error {
	_, err := m.a.Rollback(ctx, name, from, reason)
	return err
}

func (m agentModels) MarkHealthy(name, version string) error { return m.a.MarkHealthy(name, version) }

func (m agentModels) Record(name string) (ota.Record, bool, error) {
	rec, ok, err := m.a.Record(name)
	return otaRecord(rec), ok, err
}

func (m agentModels) Records() ([]ota.Record, error) {
	recs, err := m.a.Records()
	out := make([]ota.Record, len(recs))
	for i, rec := range recs {
		out[i] = otaRecord(rec)
	}
	return out, err
}

// otaRecord is what the update loop reads of an agent's record.
func otaRecord(rec store.ModelRecord) ota.Record {
	version := func(v *store.ModelVersion) *ota.Installed {
		if v == nil {
			return nil
		}
		return &ota.Installed{Version: v.Version, Digest: v.Digest, Path: v.Path}
	}
	return ota.Record{
		Name: rec.Name, Active: version(rec.Active), Previous: version(rec.Previous),
		State: rec.State, Watching: rec.State == agent.RecordWatching, Manifest: rec.Manifest,
	}
}

// smokeCheck runs a manifest's smoke test as an agent load check: inputs
// matched by name (or by position when unnamed), outputs compared by
// ota.Smoke.Check.
func smokeCheck(s *ota.Smoke) agent.Check {
	return func(ctx context.Context, inputs, outputs []runtime.TensorInfo, run agent.Runner) error {
		if len(s.Inputs) != len(inputs) {
			return fmt.Errorf("%w: %d inputs, the model has %d", ota.ErrSmoke, len(s.Inputs), len(inputs))
		}
		data := make([][]byte, len(inputs))
		for i, st := range s.Inputs {
			j := i
			if st.Name != "" {
				j = -1
				for k, info := range inputs {
					if info.Name == st.Name {
						j = k
					}
				}
				if j < 0 {
					return fmt.Errorf("%w: input %q: the model has no such input", ota.ErrSmoke, st.Name)
				}
			}
			info := inputs[j]
			if st.DataType != info.DType.String() || len(st.Data) != info.ByteSize() {
				return fmt.Errorf("%w: input %d: %s of %d bytes, the model takes %s", ota.ErrSmoke, i, st.DataType, len(st.Data), info)
			}
			data[j] = st.Data
		}
		outs, err := run(ctx, data)
		if err != nil {
			return fmt.Errorf("%w: %w", ota.ErrSmoke, err)
		}
		got := make([]ota.SmokeTensor, len(outs))
		for j, b := range outs {
			got[j] = ota.SmokeTensor{Name: outputs[j].Name, DataType: outputs[j].DType.String(), Shape: outputs[j].Shape, Data: b}
		}
		return s.Check(got)
	}
}
