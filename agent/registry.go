package agent

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/edgeinfer/edgeinfer/store"
)

// The states of a model's registry record (store.ModelRecord.State); a
// rollback's state is RecordRolledBack + ": " + the reason.
const (
	RecordActive     = "active"
	RecordWatching   = "watching"
	RecordRolledBack = "rolled back"
)

// Activation is a version to activate and what to record with it.
type Activation struct {
	Name, Version string
	// Path is the model file in the agent's data directory.
	Path string
	// Check runs against the loaded version before it serves (nil: only
	// the zero-input run every load does).
	Check Check
	// Manifest is the signed envelope the version came in (over the air),
	// kept in its record.
	Manifest json.RawMessage
	// WatchUntil, when set, is the end of the version's health window:
	// the record says RecordWatching until MarkHealthy or Rollback.
	WatchUntil time.Time
}

// errUnchanged ends a registry update that has nothing to write.
var errUnchanged = errors.New("agent: registry record unchanged")

// Activate loads act's file as act.Version of act.Name, runs act.Check
// against it before it serves, and swaps it in atomically. The agent is
// the only writer of a model's registry record: one durable transaction
// records the new version, the one it replaces as the previous (unless it
// is the same version), the manifest and the watch state, before the new
// version serves. On any error nothing changes.
func (a *Agent) Activate(ctx context.Context, act Activation) (ModelStatus, error) {
	if a.closed.Load() {
		return ModelStatus{}, ErrShuttingDown
	}
	name := act.Name
	a.mu.Lock()
	e, ok := a.entries[name]
	if !ok {
		e = &entry{name: name}
		a.entries[name] = e
	}
	a.mu.Unlock()
	e.install.Lock()
	defer e.install.Unlock()
	cfg, _ := a.modelConfig(name)
	in, err := a.load(ctx, e, loadSpec{name: name, version: act.Version, path: act.Path, cfg: cfg, check: act.Check})
	if err != nil {
		if e.cur.Load() == nil && !e.configured.Load() {
			a.mu.Lock()
			delete(a.entries, name)
			a.mu.Unlock()
		}
		return ModelStatus{}, err
	}
	if a.store != nil {
		old := e.cur.Load()
		err := a.store.UpdateModel(name, func(rec *store.ModelRecord, _ bool) error {
			if old != nil && old.version != in.version {
				rec.Previous = &store.ModelVersion{Version: old.version, Digest: old.digest, Path: old.path, Activated: old.loadedAt.UTC()}
			}
			rec.Active = &store.ModelVersion{Version: in.version, Digest: in.digest, Path: in.path, Activated: time.Now().UTC()}
			rec.Manifest = act.Manifest
			rec.State, rec.WatchUntil = RecordActive, time.Time{}
			if !act.WatchUntil.IsZero() {
				rec.State, rec.WatchUntil = RecordWatching, act.WatchUntil.UTC()
			}
			return nil
		})
		if err != nil {
			in.retire(ctx)
			return ModelStatus{}, fmt.Errorf("agent: model %s: recording the new version: %w", name, err)
		}
	}
	a.activate(e, in)
	return a.status(e), nil
}

// Rollback brings back the previous version of name after version from
// failed (its health watch): it loads the previous file, records it as
// the active version with no previous and the state RecordRolledBack +
// ": " + reason in one durable transaction, and swaps it in. It refuses
// when from is not the active version or there is no previous one; on any
// error nothing changes.
func (a *Agent) Rollback(ctx context.Context, name, from, reason string) (ModelStatus, error) {
	if a.closed.Load() {
		return ModelStatus{}, ErrShuttingDown
	}
	e, ok := a.entry(name)
	if !ok {
		return ModelStatus{}, fmt.Errorf("%w: %q", ErrNoModel, name)
	}
	if a.store == nil {
		return ModelStatus{}, fmt.Errorf("agent: model %s: no registry to roll back with", name)
	}
	e.install.Lock()
	defer e.install.Unlock()
	rec, found, err := a.store.GetModel(name)
	if err != nil {
		return ModelStatus{}, fmt.Errorf("agent: model %s: reading its registry record: %w", name, err)
	}
	if cur := e.cur.Load(); !found || rec.Active == nil || rec.Active.Version != from || rec.Previous == nil || cur == nil || cur.version != from {
		return ModelStatus{}, fmt.Errorf("%w: model %s: version %s is not the active one, or has no previous", ErrNoPrevious, name, from)
	}
	prev := *rec.Previous
	cfg, _ := a.modelConfig(name)
	in, err := a.load(ctx, e, loadSpec{name: name, version: prev.Version, path: prev.Path, cfg: cfg})
	if err != nil {
		return ModelStatus{}, err
	}
	err = a.store.UpdateModel(name, func(rec *store.ModelRecord, _ bool) error {
		if rec.Active == nil || rec.Active.Version != from || rec.Previous == nil || rec.Previous.Version != prev.Version {
			return fmt.Errorf("agent: model %s: its registry record changed during the rollback", name)
		}
		back := *rec.Previous
		back.Activated = time.Now().UTC()
		rec.Active, rec.Previous, rec.Manifest = &back, nil, nil
		rec.State, rec.WatchUntil = RecordRolledBack+": "+reason, time.Time{}
		return nil
	})
	if err != nil {
		in.retire(ctx)
		return ModelStatus{}, fmt.Errorf("agent: model %s: recording the rollback: %w", name, err)
	}
	a.activate(e, in)
	return a.status(e), nil
}

// MarkHealthy records that version of name passed its health watch: a
// record watching that version becomes RecordActive. Any other record is
// left as it is.
func (a *Agent) MarkHealthy(name, version string) error {
	if a.store == nil {
		return nil
	}
	err := a.store.UpdateModel(name, func(rec *store.ModelRecord, found bool) error {
		if !found || rec.Active == nil || rec.Active.Version != version || rec.State != RecordWatching {
			return errUnchanged
		}
		rec.State, rec.WatchUntil = RecordActive, time.Time{}
		return nil
	})
	if errors.Is(err, errUnchanged) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("agent: model %s: recording it healthy: %w", name, err)
	}
	return nil
}

// Record returns the registry record of name (found false without a
// store or a record).
func (a *Agent) Record(name string) (rec store.ModelRecord, found bool, err error) {
	if a.store == nil {
		return rec, false, nil
	}
	return a.store.GetModel(name)
}

// Records returns every registry record, ordered by name.
func (a *Agent) Records() ([]store.ModelRecord, error) {
	if a.store == nil {
		return nil, nil
	}
	return a.store.Models()
}
