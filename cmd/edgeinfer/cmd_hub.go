//go:build !nohub

package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"time"

	"github.com/edgeinfer/edgeinfer/internal/hub"
)

func cmdHub(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newFlags("hub", "hub --listen ADDR --data-dir DIR [--token TOKEN]", `
Hub runs the fleet hub: the small server a fleet that fits on one machine
reports to. It receives the agents' telemetry as OTLP/HTTP metrics on
POST /v1/metrics (the agents' --collector URL is the hub's base URL),
counting each batch once even when an agent retries it; stores model blobs
by sha256 digest for 'edgeinfer push --upload' (PUT /v1/blobs/sha256/HEX
with the token; GET with Range support); and serves a dashboard on GET /
with the fleet table and per-model latency plots, and the same data as JSON
on GET /api/devices and GET /api/series?device=ID&model=NAME.

State lives in DIR: hub.db (devices, series, idempotency keys) and
blobs/sha256/. With --token, telemetry and blob uploads must carry
"Authorization: Bearer TOKEN"; without it telemetry is open and uploads are
refused. The token may also come from the EDGEINFER_HUB_TOKEN environment
variable. The hub prints "hub listening on http://ADDR" once it listens.`, `
edgeinfer hub --listen :4318 --data-dir /var/lib/edgeinfer-hub --token "$(cat /etc/edgeinfer/hub.token)"
# on each device:
edgeinfer agent --collector http://hub.example.com:4318 --collector-token "$TOKEN"`)
	listen := f.String("listen", "127.0.0.1:4318", "address to listen on (host:port; port 0 picks a free one)")
	dataDir := f.String("data-dir", "", "directory for hub.db and the blobs (required)")
	token := f.String("token", os.Getenv("EDGEINFER_HUB_TOKEN"), "bearer token required for telemetry and blob uploads")
	publicURL := f.String("public-url", "", "base URL in the blob URLs handed out (default: the request's host)")
	maxBody := f.Int64("max-body", hub.DefaultMaxBody, "largest telemetry request body in bytes (larger: 413)")
	maxBlob := f.Int64("max-blob", hub.DefaultMaxBlob, "largest blob upload in bytes")
	retention := f.Duration("retention", hub.DefaultRetention, "how long latency series and idempotency keys are kept")
	verbose := f.Bool("v", false, "log every refused request and debug records")
	if _, err := f.parse(args, stdout, 0, 0); err != nil {
		return helpDone(err)
	}
	if *dataDir == "" {
		return usagef("--data-dir is required")
	}
	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	srv, err := hub.Open(hub.Options{
		DataDir: *dataDir, Token: *token, PublicURL: *publicURL,
		MaxBody: *maxBody, MaxBlob: *maxBlob, Retention: *retention, Logger: log,
	})
	if err != nil {
		return err
	}
	defer srv.Close()
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return fmt.Errorf("hub: listen on %s: %w", *listen, err)
	}
	fmt.Fprintf(stdout, "hub listening on http://%s\n", ln.Addr())
	start := time.Now()
	err = srv.Serve(ctx, ln)
	log.Info("hub stopped", "after", time.Since(start).Round(time.Second))
	return err
}

func init() {
	addCommands(command{"hub", "run the fleet hub: telemetry from agents, model blobs, dashboard", cmdHub})
}
