//go:build noota

package main

import (
	"context"
	"errors"
	"log/slog"

	"github.com/edgeinfer/edgeinfer/agent"
	"github.com/edgeinfer/edgeinfer/store"
)

// otaConfig of a build without model updates (-tags noota): the file's ota
// section takes no key (each is refused as unknown); the fields are those
// the flags and the secrets set, so that startUpdates can refuse a broker.
type otaConfig struct {
	Broker       string   `yaml:"-"`
	Fleet        string   `yaml:"-"`
	TrustedKeys  []string `yaml:"-"`
	Password     string   `yaml:"-"`
	PasswordFile string   `yaml:"-"`
}

func (c otaConfig) Validate() error         { return nil }
func (c otaConfig) WithDefaults() otaConfig { return c }

// startUpdates of a build without model updates: a configuration that
// names a broker is refused rather than ignored.
func startUpdates(_ context.Context, cfg fileConfig, _, _ string, _ *agent.Agent, _ *store.Store, _ *slog.Logger) (func(string) string, func(), error) {
	if cfg.OTA.Broker != "" {
		return nil, nil, errors.New("ota.broker is set, but this edgeinfer was built without model updates (-tags noota)")
	}
	return nil, func() {}, nil
}
