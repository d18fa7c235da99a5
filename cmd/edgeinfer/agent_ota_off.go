//go:build noota

package main

import (
	"context"
	"errors"
	"log/slog"

	"github.com/edgeinfer/edgeinfer/agent"
	"github.com/edgeinfer/edgeinfer/store"
)

// startUpdates of a build without model updates (-tags noota): a
// configuration that names a broker is refused rather than ignored.
func startUpdates(_ context.Context, cfg agent.Config, _, _ string, _ *agent.Agent, _ *store.Store, _ *slog.Logger) (func(string) string, func(), error) {
	if cfg.OTA.Broker != "" {
		return nil, nil, errors.New("ota.broker is set, but this edgeinfer was built without model updates (-tags noota)")
	}
	return nil, func() {}, nil
}
