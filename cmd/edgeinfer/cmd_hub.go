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

	"github.com/edgeinfer/edgeinfer/hub"
)

func cmdHub(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newFlags("hub", "hub --listen ADDR --data-dir DIR --token-file FILE [--read-token-file FILE] [--public-url URL]", `
Hub runs the fleet hub: the small server a fleet that fits on one machine
reports to. It receives the agents' telemetry as OTLP/HTTP metrics on
POST /v1/metrics (the agents' --collector URL is the hub's base URL),
counting each batch once even when an agent retries it; stores model blobs
by sha256 digest for 'edgeinfer push --upload' (PUT /v1/blobs/sha256/HEX
with the token; GET with Range support); and serves a dashboard on GET /
with the fleet table and per-model latency plots, and the same data as JSON
on GET /api/devices and GET /api/series?device=ID&model=NAME.

State lives in DIR: hub.db (devices, series, idempotency keys) and
blobs/sha256/. Telemetry and blob uploads must carry "Authorization: Bearer
TOKEN" (the write token, from --token-file or EDGEINFER_HUB_TOKEN); the read
API (/api/devices, /api/series) must carry the read token (from
--read-token-file or EDGEINFER_HUB_READ_TOKEN; default: the write token).
The dashboard page takes the read token after a '#token=' in its URL, or
asks for it. Without a write token the hub refuses to start, unless --open
asks for open ingest (anyone may post telemetry; uploads are refused; the
read API is open unless a read token is set).

Requests slower than --read-timeout are cut (an authorized blob upload may
last longer while bytes keep coming); at most --max-conns connections are
served at once (the rest wait), at most --max-conns-per-ip from one address
(the rest get 503). Set --public-url to the URL devices reach the hub at:
without it blob URLs are built from the request's Host header. The hub
prints "hub listening on http://ADDR" once it listens.`, `
edgeinfer hub --listen :4318 --data-dir /var/lib/edgeinfer-hub --token-file /etc/edgeinfer/hub.token --public-url https://hub.example.com
# on each device (the same token, in a file only the agent reads):
edgeinfer agent --collector https://hub.example.com --collector-token-file /etc/edgeinfer/collector.token`)
	listen := f.String("listen", "127.0.0.1:4318", "address to listen on (host:port; port 0 picks a free one)")
	dataDir := f.String("data-dir", "", "directory for hub.db and the blobs (required)")
	tokenFile := f.String("token-file", "", "`file` holding the write token: telemetry and blob uploads (or EDGEINFER_HUB_TOKEN)")
	readTokenFile := f.String("read-token-file", "", "`file` holding the read token: /api/devices, /api/series (or EDGEINFER_HUB_READ_TOKEN; default: the write token)")
	open := f.Bool("open", false, "accept telemetry without a token (anyone who reaches the hub may post and create devices)")
	publicURL := f.String("public-url", "", "base URL in the blob URLs handed out (default: the request's host)")
	maxBody := f.Int64("max-body", hub.DefaultMaxBody, "largest telemetry request body in bytes (larger: 413)")
	maxBlob := f.Int64("max-blob", hub.DefaultMaxBlob, "largest blob upload in bytes")
	readTimeout := f.Duration("read-timeout", hub.DefaultReadTimeout, "longest time to read a request (for a blob upload: longest gap)")
	maxConns := f.Int("max-conns", hub.DefaultMaxConns, "most connections served at once (lowered to half the file limit)")
	maxConnsPerIP := f.Int("max-conns-per-ip", hub.DefaultMaxConnsPerIP, "most connections from one client address (-1: no cap, behind a proxy)")
	retention := f.Duration("retention", hub.DefaultRetention, "how long latency series and idempotency keys are kept")
	verbose := f.Bool("v", false, "log every refused request and debug records")
	if _, err := f.parse(args, stdout, 0, 0); err != nil {
		return helpDone(err)
	}
	if *dataDir == "" {
		return usagef("--data-dir is required")
	}
	token, err := hubSecret(*tokenFile, "EDGEINFER_HUB_TOKEN")
	if err != nil {
		return usagef("--token-file: %v", err)
	}
	readToken, err := hubSecret(*readTokenFile, "EDGEINFER_HUB_READ_TOKEN")
	if err != nil {
		return usagef("--read-token-file: %v", err)
	}
	if token == "" && !*open {
		return usagef("no write token: give --token-file FILE (or EDGEINFER_HUB_TOKEN), or --open to accept telemetry from anyone")
	}
	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	srv, err := hub.Open(hub.Options{
		DataDir: *dataDir, Token: token, ReadToken: readToken, OpenIngest: *open, PublicURL: *publicURL,
		MaxBody: *maxBody, MaxBlob: *maxBlob, ReadTimeout: *readTimeout, MaxConns: *maxConns, MaxConnsPerIP: *maxConnsPerIP,
		Retention: *retention, Logger: log,
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

// hubSecret is the token in file, else in the environment variable env
// ("" when neither is set).
func hubSecret(file, env string) (string, error) {
	if file != "" {
		return readSecretFile(file)
	}
	return os.Getenv(env), nil
}

func init() {
	addCommands(command{"hub", "run the fleet hub: telemetry from agents, model blobs, dashboard", cmdHub})
}
