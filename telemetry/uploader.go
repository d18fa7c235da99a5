package telemetry

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/edgeinfer/edgeinfer/internal/httpx"
)

// Spool is the durable queue of encoded batches, oldest first. The
// agent's state file (package store) is one; the wiring hands it over.
type Spool interface {
	// SpoolAppend adds a batch under the next sequence number, then drops
	// the oldest batches while the spool holds more than capBytes, and
	// says how many went.
	SpoolAppend(data []byte, capBytes int64) (seq uint64, dropped int, err error)
	// SpoolOldest returns the oldest batch; ok is false when there is none.
	SpoolOldest() (seq uint64, data []byte, ok bool, err error)
	// SpoolDelete removes a batch (delivered, or refused for good).
	SpoolDelete(seq uint64) error
	// SpoolStats reports the batches and bytes waiting, and how many
	// batches the cap has dropped over the spool's life.
	SpoolStats() (batches int, bytes int64, dropped uint64, err error)
}

// UploaderOptions configure an Uploader. The zero value of every field but
// Config.Collector is a usable default.
type UploaderOptions struct {
	// Config is the file's telemetry section; its unset fields take their
	// defaults (Config.WithDefaults). TokenFile and CAFile are the
	// caller's to read: the uploader sends Token and uses HTTP's TLS.
	Config
	// Client sends the requests; nil builds one with httpx.New (retries on
	// connection errors, 429 and 5xx) using HTTP.
	Client *http.Client
	// HTTP configures the client built when Client is nil (TLS, retries).
	HTTP httpx.Options
	// Logger receives upload problems (nil = discard).
	Logger *slog.Logger
	// Now is the clock (tests); default time.Now.
	Now func() time.Time
}

// Uploader turns the recorder's figures into one batch per interval and
// delivers the batches to the collector in order, through the spool.
type Uploader struct {
	rec      *Recorder
	spool    Spool
	endpoint string
	o        UploaderOptions
	client   *http.Client
	log      *slog.Logger

	mu       sync.Mutex // guards the fields below
	prev     map[*ModelStats]Snapshot
	last     time.Time
	stats    UploadStats
	failing  bool   // the last delivery attempt failed; logged once
	rejected string // reason of the last rejection logged
}

// UploadStats count what an Uploader has done since it was made.
type UploadStats struct {
	// Collected batches went into the spool; Sent were accepted by the
	// collector; Rejected were refused with a 4xx other than 429 and
	// dropped.
	Collected, Sent, Rejected uint64
	// Spooled batches and bytes wait for delivery; Dropped is the spool
	// cap's drop count over the life of the state file.
	Spooled      int
	SpooledBytes int64
	Dropped      uint64
}

// NewUploader checks o and returns an Uploader. The recorder's Device must
// carry the device id: it makes the idempotency keys.
func NewUploader(rec *Recorder, sp Spool, o UploaderOptions) (*Uploader, error) {
	u, err := url.Parse(o.Collector)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("telemetry: collector URL %q: want http(s)://host[:port][/path]", o.Collector)
	}
	if o.Interval < 0 {
		return nil, fmt.Errorf("telemetry: interval %v is negative", o.Interval)
	}
	o.Config = o.Config.WithDefaults()
	if o.Now == nil {
		o.Now = time.Now
	}
	if rec.deviceInfo().ID == "" {
		return nil, errors.New("telemetry: the recorder has no device id (call SetDevice first)")
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	client := o.Client
	if client == nil {
		h := o.HTTP
		h.Logger = log
		client = httpx.New(h)
	}
	return &Uploader{
		rec: rec, spool: sp, o: o, client: client,
		endpoint: strings.TrimSuffix(o.Collector, "/") + "/v1/metrics",
		log:      log.With("component", "telemetry"),
		prev:     map[*ModelStats]Snapshot{},
		last:     o.Now(),
	}, nil
}

// Run collects and delivers a batch every interval until ctx ends, then
// collects a last batch and tries for a few seconds to deliver it.
func (u *Uploader) Run(ctx context.Context) error {
	t := time.NewTicker(u.o.Interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			return u.Tick(ctx)
		case <-t.C:
			if err := u.Tick(ctx); err != nil && ctx.Err() == nil {
				u.log.Error("telemetry batch not spooled", "err", err)
			}
		}
	}
}

// Tick collects one batch into the spool and delivers what the spool
// holds. An unreachable collector is not an error (the batches wait in
// the spool); a failing store is.
func (u *Uploader) Tick(ctx context.Context) error {
	if err := u.Collect(); err != nil {
		return err
	}
	u.Flush(ctx)
	return nil
}

// Collect encodes the change since the last batch and appends it to the
// spool.
func (u *Uploader) Collect() error {
	u.mu.Lock()
	defer u.mu.Unlock()
	now := u.o.Now()
	_, _, dropped, err := u.spool.SpoolStats()
	if err != nil {
		return fmt.Errorf("telemetry: spool: %w", err)
	}
	dev := u.rec.deviceInfo()
	b := &Batch{Device: dev, Start: u.last, End: now, Uptime: max(u.rec.Uptime(), 0), Interval: u.o.Interval, SpoolDropped: dropped}
	b.Temperature, b.HasTemperature = dev.temperature()
	cur := map[*ModelStats]Snapshot{}
	for _, m := range u.rec.Models() {
		s := m.Snapshot()
		cur[m] = s
		b.Models = append(b.Models, ModelDelta{Name: m.name, Version: m.version, Snapshot: s.Sub(u.prev[m])})
	}
	p, err := Encode(b)
	if err != nil {
		return err
	}
	if _, n, err := u.spool.SpoolAppend(Gzip(p), u.o.SpoolBytes); err != nil {
		return fmt.Errorf("telemetry: spool: %w", err)
	} else if n > 0 {
		u.log.Warn("telemetry spool full: oldest batches dropped", "dropped", n, "cap_bytes", u.o.SpoolBytes)
	}
	u.prev, u.last = cur, now
	u.stats.Collected++
	return nil
}

// errUnavailable means the collector could not take a batch now.
var errUnavailable = errors.New("telemetry: collector unavailable")

// Flush delivers the spooled batches, oldest first, until the spool is
// empty or the collector fails (unreachable, 429 or 5xx after the
// client's retries); the rest stay spooled for the next try. It returns
// the number of batches delivered and the error that stopped it.
func (u *Uploader) Flush(ctx context.Context) (int, error) {
	sent := 0
	for {
		seq, data, ok, err := u.spool.SpoolOldest()
		if err != nil {
			return sent, fmt.Errorf("telemetry: spool: %w", err)
		}
		if !ok {
			u.recovered(sent)
			return sent, nil
		}
		err = u.post(ctx, seq, data)
		if errors.Is(err, errUnavailable) || ctx.Err() != nil {
			u.failed(err)
			return sent, err
		}
		if err == nil {
			sent++
		}
		if err := u.spool.SpoolDelete(seq); err != nil {
			return sent, fmt.Errorf("telemetry: spool: %w", err)
		}
	}
}

// post sends one spooled batch. It returns nil when the collector took
// it, an error wrapping errUnavailable when it should be tried again
// later, and another error when the collector refused it for good (the
// refusal is logged and counted).
func (u *Uploader) post(ctx context.Context, seq uint64, data []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.endpoint, bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("%w: %v", errUnavailable, err)
	}
	req.Header.Set("Content-Type", "application/x-protobuf")
	req.Header.Set("Content-Encoding", "gzip")
	req.Header.Set("Idempotency-Key", u.rec.deviceInfo().ID+"-"+strconv.FormatUint(seq, 10))
	if u.o.Token != "" {
		req.Header.Set("Authorization", "Bearer "+u.o.Token)
	}
	resp, err := u.client.Do(req)
	if err != nil {
		return fmt.Errorf("%w: %v", errUnavailable, err)
	}
	defer resp.Body.Close()
	reason, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		u.mu.Lock()
		u.stats.Sent++
		u.rejected = ""
		u.mu.Unlock()
		return nil
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		return fmt.Errorf("%w: %s: %s", errUnavailable, resp.Status, bytes.TrimSpace(reason))
	}
	why := fmt.Sprintf("%s: %s", resp.Status, bytes.TrimSpace(reason))
	u.mu.Lock()
	u.stats.Rejected++
	first := u.rejected != resp.Status
	u.rejected = resp.Status
	u.mu.Unlock()
	if first {
		u.log.Warn("collector refused a telemetry batch; dropped, not retried (further refusals with this status are not logged)",
			"url", u.endpoint, "seq", seq, "status", resp.StatusCode, "reason", why)
	}
	return fmt.Errorf("telemetry: collector refused batch %d: %s", seq, why)
}

func (u *Uploader) failed(err error) {
	u.mu.Lock()
	first := !u.failing
	u.failing = true
	u.mu.Unlock()
	if first {
		u.log.Warn("collector unavailable; batches stay in the spool", "url", u.endpoint, "err", err)
	}
}

func (u *Uploader) recovered(sent int) {
	u.mu.Lock()
	was := u.failing
	u.failing = false
	u.mu.Unlock()
	if was {
		u.log.Info("collector reachable again; spooled batches delivered", "url", u.endpoint, "batches", sent)
	}
}

// Stats returns the upload counters and the spool's state.
func (u *Uploader) Stats() (UploadStats, error) {
	u.mu.Lock()
	s := u.stats
	u.mu.Unlock()
	var err error
	s.Spooled, s.SpooledBytes, s.Dropped, err = u.spool.SpoolStats()
	return s, err
}
