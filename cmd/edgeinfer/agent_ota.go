//go:build !noota

package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/edgeinfer/edgeinfer/agent"
	"github.com/edgeinfer/edgeinfer/internal/mqttlink"
	"github.com/edgeinfer/edgeinfer/ota"
	"github.com/edgeinfer/edgeinfer/runtime"
	"github.com/edgeinfer/edgeinfer/runtime/tflite"
	"github.com/edgeinfer/edgeinfer/store"
)

// otaConfig is the configuration file's ota section.
type otaConfig = ota.Config

// otaOptions are the update loop's options: the file's ota section and the
// device's identity and data directory.
func otaOptions(c fileConfig, deviceID, platform string) ota.Options {
	return ota.Options{Config: c.OTA, DeviceID: deviceID, DataDir: c.Agent.DataDir, AgentVersion: version, Platform: platform}
}

// startUpdates starts model updates over MQTT when the configuration names
// a broker. state gives a model's update state (GET /v1/models' ota field);
// stop ends the update loop, which publishes the device's offline status,
// and waits for it.
func startUpdates(ctx context.Context, cfg fileConfig, deviceID, platform string, a *agent.Agent, st *store.Store, log *slog.Logger) (state func(model string) string, stop func(), err error) {
	if cfg.OTA.Broker == "" {
		return nil, func() {}, nil
	}
	octx, cancel := context.WithCancel(ctx)
	r, wait, err := startOTA(octx, otaOptions(cfg, deviceID, platform), agentModels{a}, st.OTAJournal(), log)
	if err != nil {
		cancel()
		return nil, nil, err
	}
	log.Info("model updates on", "broker", cfg.OTA.Broker, "fleet", cfg.OTA.Fleet, "trusted_keys", len(cfg.OTA.TrustedKeys))
	return r.State, func() { cancel(); wait() }, nil
}

// startOTA connects to the broker named by o.Broker and runs the update
// loop until ctx ends: the loop asks models (the agent) to activate and roll
// back, and keeps its own progress in j. It loads o.Keys from
// o.TrustedKeys and sets o.Supported and o.Logger. It returns the loop (for
// State, the ota field of GET /v1/models) and a function that waits, after
// ctx ended, until the loop has published its offline status and
// disconnected. A broker that is down is not an error: the link keeps
// trying.
func startOTA(ctx context.Context, o ota.Options, models ota.Models, j ota.Journal, log *slog.Logger) (*ota.Reconciler, func(), error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	keys, err := ota.LoadKeyring(o.TrustedKeys...)
	if err != nil {
		return nil, nil, fmt.Errorf("ota: trusted keys: %w", err)
	}
	// The loop first, so the link can tell it of every connect.
	o.Keys, o.Supported, o.Logger = keys, tflite.Supported, log
	r, err := ota.New(o, models, j)
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
	if smoke := act.Smoke; smoke != nil {
		check = agent.SmokeCheck(smokeTensors(smoke.Inputs), func(outs []agent.Tensor) error {
			got := make([]ota.SmokeTensor, len(outs))
			for i, t := range outs {
				got[i] = ota.SmokeTensor{Name: t.Name, DataType: t.DType.String(), Shape: t.Shape, Data: t.Data}
			}
			return smoke.Check(got)
		})
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

// smokeTensors are a manifest's smoke tensors as the agent's. A datatype
// runtime does not know (the manifest's validation allows none) becomes
// DTypeUnknown, which binding refuses naming the input.
func smokeTensors(in []ota.SmokeTensor) []agent.Tensor {
	out := make([]agent.Tensor, len(in))
	for i, t := range in {
		dt, _ := runtime.ParseDType(t.DataType)
		out[i] = agent.Tensor{Name: t.Name, DType: dt, Shape: t.Shape, Data: t.Data}
	}
	return out
}
