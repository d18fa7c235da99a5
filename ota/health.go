package ota

// Health watches: for the health window after an activation, the new
// version's error rate is judged beside the loop; a version that fails
// too many requests is rolled back through the agent.

import (
	"context"
	"fmt"
	"time"
)

// watchBeside starts the health watch of version of name beside the loop;
// the model stays busy until the watch reports its end. It runs on the
// loop's goroutine.
func (r *Reconciler) watchBeside(ctx context.Context, name, version string) {
	r.busy[name] = true
	r.running.Add(1)
	go func() {
		defer r.running.Done()
		r.watch(ctx, name, version)
		r.report(ctx, result{name: name})
	}()
}

// resumeWatches watches again a version whose health window a restart
// interrupted (its record still says it is watched).
func (r *Reconciler) resumeWatches(ctx context.Context) {
	recs, err := r.models.Records()
	if err != nil {
		r.log.Error("reading the model records", "err", err)
		return
	}
	for _, rec := range recs {
		if !rec.Watching || rec.Active == nil {
			continue
		}
		if v, ok := r.models.Active(rec.Name); ok && v == rec.Active.Version {
			r.watchBeside(ctx, rec.Name, v)
		}
	}
}

// watch checks the error rate of version of name for the health window
// (a restart watches a whole window again: the counts start at zero) and
// rolls back to the previous version when it is too high; a version that
// stays healthy is recorded so.
func (r *Reconciler) watch(ctx context.Context, name, version string) {
	poll := min(max(r.cfg.HealthWindow/50, 50*time.Millisecond), 2*time.Second)
	deadline := time.Now().Add(r.cfg.HealthWindow)
	t := time.NewTicker(poll)
	defer t.Stop()
	for time.Now().Before(deadline) {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if v, ok := r.models.Active(name); !ok || v != version {
			return // replaced by other means
		}
		req, errs := r.models.Counts(name)
		if req >= r.cfg.MinRequests && float64(errs) > r.cfg.MaxErrorRate*float64(req) {
			r.rollback(ctx, name, version, fmt.Errorf("%w: %d of %d requests failed (%.0f%%, limit %.0f%%) within the health window", ErrUnhealthy, errs, req, 100*float64(errs)/float64(req), 100*r.cfg.MaxErrorRate))
			return
		}
	}
	if err := r.models.MarkHealthy(name, version); err != nil {
		r.log.Error("recording the version healthy failed", "model", name, "version", version, "err", err)
	}
}

// rollback has the agent bring back the previous version of name after
// version bad failed its watch, and refuses bad from then on.
func (r *Reconciler) rollback(ctx context.Context, name, bad string, cause error) {
	rec, ok, err := r.models.Record(name)
	if err == nil && (!ok || rec.Active == nil || rec.Active.Version != bad || rec.Previous == nil) {
		err = fmt.Errorf("the record of %s has no previous version to go back to", name)
	}
	if err != nil {
		r.log.Error("rollback failed", "model", name, "err", err)
		r.emit(ctx, Event{Model: name, Version: bad, State: StepFailed, Reason: fmt.Sprintf("%v; rollback failed: %v", cause, err)})
		return
	}
	prev := rec.Previous.Version
	reason := fmt.Sprintf("%v; back to %s", cause, prev)
	if err := r.models.Rollback(ctx, name, bad, reason); err != nil {
		r.log.Error("rollback failed", "model", name, "to", prev, "err", err)
		r.emit(ctx, Event{Model: name, Version: bad, State: StepFailed, Reason: fmt.Sprintf("%v; rollback to %s failed: %v", cause, prev, err)})
		return
	}
	if err := r.journal.reject(rejection{Model: name, Version: bad, SHA256: rec.Active.Digest, Reason: cause.Error()}); err != nil {
		r.log.Error("recording the rejection failed", "model", name, "err", err)
	}
	r.log.Warn("rolled back", "model", name, "from", bad, "to", prev, "cause", cause)
	r.cleanup(name)
	r.emit(ctx, Event{Model: name, Version: bad, State: StepRolledBack, Reason: reason})
}
