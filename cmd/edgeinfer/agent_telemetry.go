package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/edgeinfer/edgeinfer/internal/httpx"
	"github.com/edgeinfer/edgeinfer/platforms"
	"github.com/edgeinfer/edgeinfer/store"
	"github.com/edgeinfer/edgeinfer/telemetry"
)

// startTelemetry describes the device to rec (so GET /metrics has the
// device gauges) and, when c names a collector, starts the uploader in a
// goroutine that lives as long as ctx; wait returns once it has ended
// (after ctx ended, its last batch is in the spool or delivered). dev.ID ""
// takes the store's device id. TLS verification is always on. It returns an
// error only for bad settings or an unreadable store.
func startTelemetry(ctx context.Context, c telemetry.Config, dev telemetry.Device, rec *telemetry.Recorder, st *store.Store, log *slog.Logger) (wait func(), err error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if dev.ID == "" {
		if dev.ID, err = st.DeviceID(); err != nil {
			return nil, fmt.Errorf("telemetry: device id: %w", err)
		}
	}
	rec.SetDevice(dev)
	if c.Collector == "" {
		return func() {}, nil
	}
	tlsConf, err := collectorTLS(c.CAFile)
	if err != nil {
		return nil, err
	}
	// The agent's state file is the uploader's spool (telemetry.Spool).
	u, err := telemetry.NewUploader(rec, st, telemetry.UploaderOptions{
		Config: c,
		HTTP:   httpx.Options{TLS: tlsConf, Timeout: 2 * time.Minute},
		Logger: log,
	})
	if err != nil {
		return nil, err
	}
	if c.Token != "" && strings.HasPrefix(strings.ToLower(c.Collector), "http://") {
		log.Warn("the collector token goes over plaintext http://: anyone on the path can read it and post as this device; use an https:// collector", "collector", c.Collector)
	}
	log.Info("telemetry upload on", "collector", c.Collector, "interval", c.WithDefaults().Interval, "device", dev.ID)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := u.Run(ctx); err != nil {
			log.Warn("last telemetry batch not delivered at shutdown; it stays in the spool", "err", err)
		}
	}()
	return func() { <-done }, nil
}

// collectorTLS builds the TLS configuration for an https collector: the
// system roots plus the PEM certificates of caFile, if given.
func collectorTLS(caFile string) (*tls.Config, error) {
	conf := &tls.Config{MinVersion: tls.VersionTLS12}
	if caFile == "" {
		return conf, nil
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, fmt.Errorf("telemetry: collector CA: %w", err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, errors.New("telemetry: collector CA " + caFile + ": no PEM certificate in it")
	}
	conf.RootCAs = pool
	return conf, nil
}

// profileDevice turns the platform profile detected at start into the
// telemetry device's fields: the platform (board kind),
// OpenTelemetry-style attributes, and a reader of the current SoC
// temperature (the hottest thermal zone, read anew at each upload and
// scrape, without detecting the rest of the profile again).
func profileDevice(p platforms.Profile) (platform string, attrs map[string]string, temperature func() (float64, bool)) {
	attrs = map[string]string{
		"host.arch":        p.Arch,
		"os.type":          p.OS,
		"edgeinfer.board":  p.Board,
		"edgeinfer.cores":  strconv.Itoa(p.CPU.Cores),
		"edgeinfer.cpu":    p.CPU.Model,
		"edgeinfer.memory": strconv.FormatUint(p.MemoryBytes, 10),
	}
	for k, v := range attrs {
		if v == "" {
			delete(attrs, k)
		}
	}
	return p.Kind, attrs, platforms.Temperature
}
