package ota

import (
	"context"
	"path/filepath"
	"time"
)

// Models is what the update loop needs of the agent. The agent owns every
// model's registry record: the loop asks it to activate, roll back or
// mark a version healthy, and reads the record through it, never writing
// one itself.
type Models interface {
	// Active returns the version of name that serves now.
	Active(name string) (version string, ok bool)
	// Counts returns requests and errors served by the active version of
	// name since it became active.
	Counts(name string) (requests, errors uint64)
	// Activate loads a.Path as a.Version of a.Name, runs a.Smoke against a
	// session of it before it serves (nil smoke = one run on zero-filled
	// inputs; with expected outputs the agent checks them with
	// Smoke.Check), swaps it in atomically and records, in one durable
	// write, the new version, the one it replaced, a.Manifest and the
	// watch state. On any error the previous version keeps serving and
	// nothing changes.
	Activate(ctx context.Context, a Activation) error
	// Rollback brings back the previous version of name in place of
	// version from, recording it active with the reason, in one durable
	// write. On any error nothing changes.
	Rollback(ctx context.Context, name, from, reason string) error
	// MarkHealthy records that version of name passed its health watch.
	MarkHealthy(name, version string) error
	// Record returns the agent's record of name; Records every record.
	Record(name string) (Record, bool, error)
	Records() ([]Record, error)
}

// Activation is a version for the agent to activate and what it records
// with it.
type Activation struct {
	Name, Version string
	// Path is the verified, staged model file.
	Path  string
	Smoke *Smoke
	// Manifest is the signed envelope the version came in.
	Manifest []byte
	// WatchUntil, when set, is the end of the version's health window;
	// the record says it is watched until MarkHealthy or Rollback.
	WatchUntil time.Time
}

// Installed is one version of a model on the device.
type Installed struct {
	Version, Digest, Path string
}

// Record is what the loop reads of the agent's record of a model.
type Record struct {
	Name             string
	Active, Previous *Installed
	// State is the record's word for the model ("active", "rolled back:
	// reason", ...).
	State string
	// Watching says the active version is inside its health window (a
	// restart watches it again).
	Watching bool
	// Manifest is the signed envelope the active version came in, if it
	// came over the air.
	Manifest []byte
}

// holds reports whether path is the record's active or previous file.
func (rec Record) holds(path string) bool {
	for _, v := range []*Installed{rec.Active, rec.Previous} {
		if v != nil && filepath.Clean(v.Path) == filepath.Clean(path) {
			return true
		}
	}
	return false
}
