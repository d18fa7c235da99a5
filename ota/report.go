package ota

// Reporting: each model's state, progress events on the device's ota
// topic and its retained status.

import (
	"context"
	"encoding/json"
	"time"
)

// State returns the OTA state of model name: the last step of its latest
// update ("downloading 40%", "active", "failed: reason", "rolled back:
// reason"), "active" when it serves and no update touched it, or "".
func (r *Reconciler) State(name string) string {
	r.mu.Lock()
	s := r.states[name]
	r.mu.Unlock()
	if s != "" {
		return s
	}
	if rec, ok, err := r.models.Record(name); err == nil && ok && rec.State != "" && !rec.Watching {
		return rec.State
	}
	if _, ok := r.models.Active(name); ok {
		return StepActive
	}
	return ""
}

// emit records an event as the model's state, publishes it and the
// device's status, and passes it to OnEvent.
func (r *Reconciler) emit(ctx context.Context, e Event) {
	e.Device = r.cfg.DeviceID
	e.Time = time.Now().UTC()
	r.mu.Lock()
	r.states[e.Model] = e.String()
	r.mu.Unlock()
	if r.cfg.OnEvent != nil {
		r.cfg.OnEvent(e)
	}
	r.publishEvent(ctx, e)
	r.publishStatus(ctx, true)
}

// emitRefusal reports a refused manifest. It becomes the model's state
// only for a model the device already knows, so messages for made-up
// names leave no trace in the state or the status.
func (r *Reconciler) emitRefusal(ctx context.Context, e Event) {
	r.mu.Lock()
	_, known := r.states[e.Model]
	_, wanted := r.desired[e.Model]
	r.mu.Unlock()
	if !known && !wanted {
		if _, ok := r.models.Active(e.Model); !ok {
			e.Device = r.cfg.DeviceID
			e.Time = time.Now().UTC()
			if r.cfg.OnEvent != nil {
				r.cfg.OnEvent(e)
			}
			r.publishEvent(ctx, e)
			return
		}
	}
	r.emit(ctx, e)
}

// publishEvent publishes a progress event.
func (r *Reconciler) publishEvent(ctx context.Context, e Event) {
	b, _ := json.Marshal(e)
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := r.link.Publish(pctx, EventTopic(r.cfg.DeviceID), 1, false, b); err != nil {
		r.log.Debug("progress event not published", "err", err)
	}
}

// publishStatus publishes the device's retained status.
// Updates run side by side, so the status is built and published under
// statusMu: the one retained last is the newest.
func (r *Reconciler) publishStatus(ctx context.Context, online bool) {
	r.statusMu.Lock()
	defer r.statusMu.Unlock()
	b := OfflineStatus(r.cfg.DeviceID, r.cfg.Fleet)
	if online {
		b, _ = json.Marshal(r.status())
	}
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := r.link.Publish(pctx, StatusTopic(r.cfg.DeviceID), 1, true, b); err != nil {
		r.log.Debug("status not published", "err", err)
	}
}

// status describes the device and every model it knows of.
func (r *Reconciler) status() Status {
	names := map[string]bool{}
	if recs, err := r.models.Records(); err == nil {
		for _, rec := range recs {
			names[rec.Name] = true
		}
	}
	r.mu.Lock()
	for n := range r.states {
		names[n] = true
	}
	r.mu.Unlock()
	s := Status{Online: true, Device: r.cfg.DeviceID, Fleet: r.cfg.Fleet, AgentVersion: r.cfg.AgentVersion, Platform: r.cfg.Platform, Models: map[string]ModelState{}, Time: time.Now().UTC()}
	for n := range names {
		v, _ := r.models.Active(n)
		s.Models[n] = ModelState{Version: v, State: r.State(n)}
	}
	return s
}
