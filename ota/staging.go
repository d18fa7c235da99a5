package ota

// Staging: one model's update from a verified manifest to the agent's
// activation: download (resumed through the journal), verify, stage with
// fsync and rename, activate, and the cleanup of files no record holds.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// update takes one model from its active version to c's, holding an
// update slot while it downloads and activates. The result names the
// version to watch, which the loop watches beside it, without a slot.
func (r *Reconciler) update(ctx context.Context, c candidate) result {
	m := c.m
	select {
	case r.slots <- struct{}{}:
	case <-ctx.Done():
		return result{name: m.Name}
	}
	watch, err := r.install(ctx, c)
	<-r.slots
	if err != nil {
		if ctx.Err() != nil {
			return result{name: m.Name}
		}
		return result{name: m.Name, retry: err, m: m}
	}
	return result{name: m.Name, watch: watch}
}

// install downloads c's file and has the agent activate it, recording the
// manifest and, when a version it replaces could be rolled back to, the
// health window. It returns the version to watch ("" when none or when
// the update was rejected for good); err is an error to retry later.
func (r *Reconciler) install(ctx context.Context, c candidate) (watch string, err error) {
	m := c.m
	r.log.Info("updating model", "model", m.Name, "version", m.Version, "topic", c.topic)
	path, err := r.fetch(ctx, m)
	if err != nil {
		if ctx.Err() == nil && (errors.Is(err, ErrHashMismatch) || errors.Is(err, ErrTooLarge)) {
			r.reject(ctx, m, err)
			return "", nil
		}
		return "", err
	}
	r.emit(ctx, Event{Model: m.Name, Version: m.Version, State: StepSmoke})
	act := Activation{Name: m.Name, Version: m.Version, Path: path, Smoke: m.Smoke, Manifest: c.env}
	if active, ok := r.models.Active(m.Name); ok && active != m.Version && r.cfg.HealthWindow > 0 {
		act.WatchUntil = time.Now().Add(r.cfg.HealthWindow)
	}
	if err := r.models.Activate(ctx, act); err != nil {
		if ctx.Err() != nil {
			return "", err
		}
		if !r.inRegistry(m.Name, path) {
			os.Remove(path) // before the report, so what it reports is final
		}
		r.reject(ctx, m, fmt.Errorf("activate %s %s: %w", m.Name, m.Version, err))
		return "", nil
	}
	if err := r.journal.took(m.Name, m.Created); err != nil {
		r.log.Error("recording the newest manifest taken failed; a restart recovers it from the model's record", "model", m.Name, "err", err)
	}
	r.cleanup(m.Name)
	r.emit(ctx, Event{Model: m.Name, Version: m.Version, State: StepActive})
	if act.WatchUntil.IsZero() {
		return "", nil
	}
	return m.Version, nil
}

// fetch makes sure the verified file of m is at its final path: already
// there, or downloaded (resuming a partial one), verified and staged.
func (r *Reconciler) fetch(ctx context.Context, m *Manifest) (string, error) {
	dir := filepath.Join(r.cfg.DataDir, "models", m.Name)
	final := filepath.Join(dir, m.Version+".tflite")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("ota: model directory: %w", err)
	}
	if fileMatches(final, m) {
		r.journal.deleteDownload(m.Name)
		return final, nil
	}
	partial := final + ".partial"
	last := -10 // the percent last reported; the first call reports
	d := &download{m: m, partial: partial, journal: r.journal, client: r.cfg.HTTP, sync: r.cfg.Sync,
		headerTimeout: r.cfg.DownloadHeaderTimeout, idleTimeout: r.cfg.DownloadIdleTimeout, progress: func(have int64) {
			if p := int(have * 100 / m.Size); p/10 != last/10 {
				last = p
				r.emit(ctx, Event{Model: m.Name, Version: m.Version, State: StepDownloading, Percent: p})
			}
		}}
	if err := d.open(); err != nil {
		return "", err
	}
	defer d.close()
	if free := r.cfg.FreeBytes(dir); free >= 0 && free < m.Size-d.have+diskMargin {
		return "", fmt.Errorf("%w: %s needs %d more bytes, %d free in %s", ErrNoSpace, m.Name, m.Size-d.have, free, dir)
	}
	d.progress(d.have)
	dctx, cancel := context.WithTimeoutCause(ctx, r.cfg.DownloadTimeout, fmt.Errorf("%w: %s %s took longer than %s", ErrStalled, m.Name, m.Version, r.cfg.DownloadTimeout))
	defer cancel()
	err := d.run(dctx, r.cfg.RetryMin/4)
	r.log.Info("download ended", "model", m.Name, "version", m.Version, "resumed_bytes", d.Resumed, "fetched_bytes", d.Fetched, "err", err)
	if errors.Is(err, ErrHashMismatch) {
		d.close()
		os.Remove(partial)
		r.journal.deleteDownload(m.Name)
	}
	if err != nil {
		return "", err
	}
	r.emit(ctx, Event{Model: m.Name, Version: m.Version, State: StepVerifying})
	r.emit(ctx, Event{Model: m.Name, Version: m.Version, State: StepStaging})
	if err := d.close(); err != nil {
		return "", fmt.Errorf("ota: staging file: %w", err)
	}
	if err := os.Rename(partial, final); err != nil {
		return "", fmt.Errorf("ota: stage %s: %w", final, err)
	}
	if err := r.syncDir(dir); err != nil {
		return "", err
	}
	return final, r.journal.deleteDownload(m.Name)
}

// fileMatches reports whether path holds exactly m's bytes.
func fileMatches(path string, m *Manifest) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil || st.Size() != m.Size {
		return false
	}
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return false
	}
	return hex.EncodeToString(h.Sum(nil)) == m.SHA256
}

func (r *Reconciler) syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("ota: sync %s: %w", dir, err)
	}
	defer d.Close()
	if err := r.cfg.Sync(d); err != nil {
		return fmt.Errorf("ota: sync %s: %w", dir, err)
	}
	return nil
}

// reject records that m is not to be taken again and reports it.
func (r *Reconciler) reject(ctx context.Context, m *Manifest, err error) {
	r.log.Warn("update rejected", "model", m.Name, "version", m.Version, "err", err)
	if perr := r.journal.reject(rejection{Model: m.Name, Version: m.Version, SHA256: m.SHA256, Reason: err.Error()}); perr != nil {
		r.log.Error("recording the rejection failed", "model", m.Name, "err", perr)
	}
	r.emit(ctx, Event{Model: m.Name, Version: m.Version, State: StepFailed, Reason: err.Error()})
}

// inRegistry reports whether path is the active or previous file of name
// in the agent's record.
func (r *Reconciler) inRegistry(name, path string) bool {
	rec, ok, err := r.models.Record(name)
	if err != nil || !ok {
		return err != nil // unknown: keep the file
	}
	return rec.holds(path)
}

// cleanup removes the files of model versions other than the active and
// previous ones, and partial files no download is using.
func (r *Reconciler) cleanup(name string) {
	dir := filepath.Join(r.cfg.DataDir, "models", name)
	rec, ok, err := r.models.Record(name)
	if err != nil || !ok {
		return // nothing recorded: leave the directory alone
	}
	partial := ""
	if d, ok, err := r.journal.download(name); err == nil && ok {
		partial = filepath.Clean(d.Path)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		if !rec.holds(p) && p != partial && (strings.HasSuffix(e.Name(), ".tflite") || strings.HasSuffix(e.Name(), ".partial")) {
			if err := os.Remove(p); err == nil {
				r.log.Info("removed old model file", "path", p)
			}
		}
	}
}
