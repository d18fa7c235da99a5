package ota

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// The two versions of model "sine": two different real models.
const (
	modelV1 = "tflm_hello_world_float"
	modelV2 = "tflm_hello_world_int8"
)

func TestPushReachesTwoDevicesAndStatus(t *testing.T) {
	e := newEnv(t)
	w := e.watchStatus(t)
	a := e.startDevice(t, "dev-a", "", nil)
	b := e.startDevice(t, "dev-b", "", nil)
	v1path, v1smoke := conformance(t, modelV1, 1e-4)
	e.push(t, FleetModelTopic(e.fleet, "sine"), e.manifest(t, v1path, "sine", "1", v1smoke), testKey(0))
	for _, d := range []*device{a, b} {
		d.waitState(t, "sine", "1", StepActive)
		if v, _ := d.models.Active("sine"); v != "1" {
			t.Fatalf("%s serves %q, want 1", d.id, v)
		}
	}
	// Version 2 signed with the second trusted key (rotation).
	v2path, v2smoke := conformance(t, modelV2, 1)
	e.push(t, FleetModelTopic(e.fleet, "sine"), e.manifest(t, v2path, "sine", "2", v2smoke), testKey(1))
	for _, d := range []*device{a, b} {
		d.waitState(t, "sine", "2", StepActive)
		steps := []string{}
		for _, s := range d.eventList() {
			if strings.HasPrefix(s, "sine 2 ") {
				steps = append(steps, strings.TrimPrefix(s, "sine 2 "))
			}
		}
		want := []string{"downloading 0%", "downloading 100%", "verifying", "staging", "smoke", "active"}
		if !slices.Equal(steps, want) {
			t.Errorf("%s: steps %q, want %q", d.id, steps, want)
		}
		rec, ok, err := d.models.Record("sine")
		if err != nil || !ok || rec.Active.Version != "2" || rec.Previous == nil || rec.Previous.Version != "1" {
			t.Fatalf("%s: registry record %+v, %v", d.id, rec, err)
		}
		if files := modelFiles(t, d.dir, "sine"); !slices.Equal(files, []string{"1.tflite", "2.tflite"}) {
			t.Errorf("%s: files %v, want the active and previous versions", d.id, files)
		}
		s := w.waitFor(t, d.id, func(s Status) bool { return s.Models["sine"].Version == "2" })
		if !s.Online || s.AgentVersion != "v0.2.0" || s.Platform != "linux/test" || s.Models["sine"].State != StepActive {
			t.Errorf("%s: status %+v", d.id, s)
		}
	}
	if got := a.rec.State("sine"); got != StepActive {
		t.Errorf("State(sine) = %q", got)
	}
	// A clean stop publishes offline.
	a.stop()
	w.waitFor(t, "dev-a", func(s Status) bool { return !s.Online })
}

func TestOfflineDeviceConvergesWhenItStarts(t *testing.T) {
	e := newEnv(t)
	v1path, v1smoke := conformance(t, modelV1, 1e-4)
	e.push(t, FleetModelTopic(e.fleet, "sine"), e.manifest(t, v1path, "sine", "1", v1smoke), testKey(0))
	// The device was off during the push; the retained state reaches it.
	d := e.startDevice(t, "dev-late", "", nil)
	d.waitState(t, "sine", "1", StepActive)
	// Restarted on the same data, it serves at once and downloads nothing.
	dir := d.dir
	d.stop()
	served, _ := e.hub.stats()
	d2 := e.startDevice(t, "dev-late", dir, nil)
	if v, ok := d2.models.Active("sine"); !ok || v != "1" {
		t.Fatalf("after restart serves %q, want 1 from the registry", v)
	}
	d2.waitSettled(t, 1) // it took the retained manifest and has nothing to do
	if now, _ := e.hub.stats(); now != served {
		t.Errorf("restart downloaded %d bytes again", now-served)
	}
}

func TestDeviceOverrideAndRollout(t *testing.T) {
	e := newEnv(t)
	v1path, v1smoke := conformance(t, modelV1, 1e-4)
	// Find a device id outside a 30% rollout and one inside.
	var in, out string
	for i := 0; in == "" || out == ""; i++ {
		id := "dev-" + string(rune('a'+i%26)) + strings.Repeat("x", i/26)
		if InRollout(id, "s1", 30) {
			in = id
		} else {
			out = id
		}
	}
	m := e.manifest(t, v1path, "sine", "1", v1smoke)
	m.Rollout = &Rollout{Percent: 30, Salt: "s1"}
	e.push(t, FleetModelTopic(e.fleet, "sine"), m, testKey(0))
	din := e.startDevice(t, in, "", nil)
	dout := e.startDevice(t, out, "", nil)
	din.waitState(t, "sine", "1", StepActive)
	// A per-device manifest reaches the device left out of the rollout.
	e.push(t, DeviceModelTopic(out, "sine"), e.manifest(t, v1path, "sine", "1", v1smoke), testKey(0))
	dout.waitState(t, "sine", "1", StepActive)
	// Widening the rollout to 100% keeps the first device and adds the rest.
	m2 := e.manifest(t, v1path, "sine", "1.1", v1smoke)
	m2.Rollout = &Rollout{Percent: 100, Salt: "s1"}
	e.push(t, FleetModelTopic(e.fleet, "sine"), m2, testKey(0))
	din.waitState(t, "sine", "1.1", StepActive)
	dout.waitState(t, "sine", "1.1", StepActive)
}

func TestDownloadCutResumesWithRange(t *testing.T) {
	e := newEnv(t)
	path, smoke := conformance(t, "mp_face_detection_short_range", 1e-3)
	m := e.manifest(t, path, "face", "1", smoke)
	e.hub.mu.Lock()
	e.hub.cutAt = m.Size / 2
	e.hub.mu.Unlock()
	d := e.startDevice(t, "dev-cut", "", nil)
	e.push(t, FleetModelTopic(e.fleet, "face"), m, testKey(0))
	d.waitState(t, "face", "1", StepActive)
	served, ranges := e.hub.stats()
	if want := "bytes=" + strconv.FormatInt(m.Size/2, 10) + "-"; !slices.Contains(ranges, want) {
		t.Errorf("server saw Range headers %q, want %q", ranges, want)
	}
	t.Logf("model %d bytes, server sent %d: %d bytes re-downloaded after the cut", m.Size, served, served-m.Size)
	if served != m.Size {
		t.Errorf("server sent %d bytes for a %d-byte model: %d re-downloaded", served, m.Size, served-m.Size)
	}
	if _, ok, _ := d.rec.journal.download("face"); ok {
		t.Error("download record left after the download finished")
	}
}

func TestBrokerRestartMidUpdate(t *testing.T) {
	e := newEnv(t)
	w := e.watchStatus(t)
	path, smoke := conformance(t, "mp_face_detection_short_range", 1e-3)
	m := e.manifest(t, path, "face", "1", smoke)
	stalled, release := e.hub.stallNext(m.Size / 2)
	d := e.startDevice(t, "dev-restart", "", nil)
	e.push(t, FleetModelTopic(e.fleet, "face"), m, testKey(0))
	select {
	case <-stalled:
	case <-time.After(waitLimit):
		t.Fatal("the download did not start")
	}
	e.broker.Restart()
	release()
	d.waitState(t, "face", "1", StepActive)
	// After the restart the device reconnected and republished its status.
	w.waitFor(t, d.id, func(s Status) bool {
		return s.Online && s.Models["face"].Version == "1" && s.Models["face"].State == StepActive
	})
	// And it still takes new desired state.
	v1path, v1smoke := conformance(t, modelV1, 1e-4)
	e.push(t, FleetModelTopic(e.fleet, "sine"), e.manifest(t, v1path, "sine", "1", v1smoke), testKey(0))
	d.waitState(t, "sine", "1", StepActive)
}

func TestRefusedUpdatesChangeNothing(t *testing.T) {
	v1path, v1smoke := conformance(t, modelV1, 1e-4)
	v2path, v2smoke := conformance(t, modelV2, 1)
	unsupported := filepath.Join(filepath.Dir(v1path), "..", "..", "models", "negative", "tfls_nl_classifier_custom_string_ops.tflite")
	tests := []struct {
		name string
		// push publishes the bad update of "sine" to topic.
		push     func(t *testing.T, e *env, topic string)
		want     error
		rejected bool // recorded so the retained message is not retried
	}{
		{"tampered file", func(t *testing.T, e *env, topic string) {
			m := e.manifest(t, v2path, "sine", "2", v2smoke)
			e.hub.mu.Lock()
			blob := append([]byte(nil), e.hub.blobs[m.SHA256]...)
			blob[len(blob)/2] ^= 0xff
			e.hub.blobs[m.SHA256] = blob
			e.hub.mu.Unlock()
			e.push(t, topic, m, testKey(0))
		}, ErrHashMismatch, true},
		{"bad signature", func(t *testing.T, e *env, topic string) {
			env, _ := Sign(e.manifest(t, v2path, "sine", "2", v2smoke), testKey(0))
			var en Envelope
			json.Unmarshal(env, &en)
			en.Signature[5] ^= 1
			b, _ := json.Marshal(en)
			e.pushRaw(t, topic, b)
		}, ErrBadSignature, false},
		{"untrusted key", func(t *testing.T, e *env, topic string) {
			e.push(t, topic, e.manifest(t, v2path, "sine", "2", v2smoke), testKey(5))
		}, ErrUnknownKey, false},
		{"downgrade", func(t *testing.T, e *env, topic string) {
			e.push(t, topic, e.manifest(t, v2path, "sine", "0.9", v2smoke), testKey(0))
		}, ErrDowngrade, false},
		{"unsupported op", func(t *testing.T, e *env, topic string) {
			e.push(t, topic, e.manifest(t, unsupported, "sine", "2", nil), testKey(0))
		}, nil, true},
		{"failing smoke test", func(t *testing.T, e *env, topic string) {
			bad := *v2smoke
			bad.Outputs = []SmokeTensor{v2smoke.Outputs[0]}
			bad.Outputs[0].Data = []byte{byte(int8(v2smoke.Outputs[0].Data[0]) + 20)}
			e.push(t, topic, e.manifest(t, v2path, "sine", "2", &bad), testKey(0))
		}, ErrSmoke, true},
		{"too large for the device", func(t *testing.T, e *env, topic string) {
			m := e.manifest(t, v2path, "sine", "2", v2smoke)
			m.Size = 2 << 30
			e.push(t, topic, m, testKey(0))
		}, ErrTooLarge, false},
		{"agent too old", func(t *testing.T, e *env, topic string) {
			m := e.manifest(t, v2path, "sine", "2", v2smoke)
			m.MinAgentVersion = "0.9.0"
			e.push(t, topic, m, testKey(0))
		}, ErrAgentTooOld, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			d := e.startDevice(t, "dev-1", "", nil)
			topic := FleetModelTopic(e.fleet, "sine")
			e.push(t, topic, e.manifest(t, v1path, "sine", "1", v1smoke), testKey(0))
			d.waitState(t, "sine", "1", StepActive)
			served0, _ := e.hub.stats()

			tc.push(t, e, topic)
			ev := d.waitEvent(t, "failed", func(ev Event) bool { return ev.State == StepFailed })
			if tc.want != nil && !strings.Contains(ev.Reason, strings.TrimPrefix(tc.want.Error(), "ota: ")) {
				t.Errorf("reason %q, want it to say %q", ev.Reason, tc.want)
			}
			t.Logf("reported: %s", ev)
			if v, _ := d.models.Active("sine"); v != "1" {
				t.Errorf("serves %q after a refused update, want 1", v)
			}
			rec, _, _ := d.models.Record("sine")
			if rec.Active.Version != "1" || rec.Previous != nil {
				t.Errorf("registry changed: %+v", rec)
			}
			if files := modelFiles(t, d.dir, "sine"); !slices.Equal(files, []string{"1.tflite"}) {
				t.Errorf("files %v, want only the active version", files)
			}
			rej, ok, _ := d.rec.journal.rejected("sine")
			if ok != tc.rejected {
				t.Errorf("rejection recorded: %v (%+v), want %v", ok, rej, tc.rejected)
			}
			// The retained bad message is not retried, even after a restart.
			dir := d.dir
			d.stop()
			served1, _ := e.hub.stats()
			d2 := e.startDevice(t, "dev-1", dir, nil)
			d2.waitSettled(t, 1)
			if v, _ := d2.models.Active("sine"); v != "1" {
				t.Errorf("after restart serves %q", v)
			}
			if served2, _ := e.hub.stats(); served2 != served1 {
				t.Errorf("restart downloaded the refused file again (%d bytes)", served2-served1)
			}
			if tc.want != nil && errors.Is(tc.want, ErrHashMismatch) && served1 == served0 {
				t.Error("the tampered file was never downloaded")
			}
		})
	}
}

func TestHealthWindowRollsBack(t *testing.T) {
	e := newEnv(t)
	w := e.watchStatus(t)
	d := e.startDevice(t, "dev-h", "", func(c *Options) {
		c.HealthWindow = time.Minute
		c.MinRequests = 20
	})
	v1path, v1smoke := conformance(t, modelV1, 1e-4)
	v2path, v2smoke := conformance(t, modelV2, 1)
	topic := FleetModelTopic(e.fleet, "sine")
	e.push(t, topic, e.manifest(t, v1path, "sine", "1", v1smoke), testKey(0))
	d.waitState(t, "sine", "1", StepActive)

	// Clients keep sending version 1's float32 input; version 2 takes
	// int8, so every request to it fails.
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	go func() {
		for ctx.Err() == nil {
			d.models.infer(ctx, "sine", v1smoke.Inputs[0].Data)
			time.Sleep(time.Millisecond)
		}
	}()
	e.push(t, topic, e.manifest(t, v2path, "sine", "2", v2smoke), testKey(0))
	d.waitState(t, "sine", "2", StepActive)
	ev := d.waitState(t, "sine", "2", StepRolledBack)
	if !strings.Contains(ev.Reason, "requests failed") || !strings.Contains(ev.Reason, "back to 1") {
		t.Errorf("reason %q", ev.Reason)
	}
	if v, _ := d.models.Active("sine"); v != "1" {
		t.Fatalf("serves %q after the rollback, want 1", v)
	}
	rec, _, _ := d.models.Record("sine")
	if rec.Active.Version != "1" || !strings.HasPrefix(rec.State, StepRolledBack) {
		t.Errorf("registry %+v", rec)
	}
	w.waitFor(t, d.id, func(s Status) bool {
		return s.Models["sine"].Version == "1" && strings.HasPrefix(s.Models["sine"].State, "rolled back: ")
	})
	if rej, ok, _ := d.rec.journal.rejected("sine"); !ok || rej.Version != "2" {
		t.Errorf("rejection %+v %v, want version 2", rej, ok)
	}
	if files := modelFiles(t, d.dir, "sine"); !slices.Equal(files, []string{"1.tflite"}) {
		t.Errorf("files %v after the rollback", files)
	}
}

func TestSignedRollbackFlagAllowsALowerVersion(t *testing.T) {
	e := newEnv(t)
	d := e.startDevice(t, "dev-rb", "", nil)
	v1path, v1smoke := conformance(t, modelV1, 1e-4)
	v2path, v2smoke := conformance(t, modelV2, 1)
	topic := FleetModelTopic(e.fleet, "sine")
	e.push(t, topic, e.manifest(t, v2path, "sine", "2", v2smoke), testKey(0))
	d.waitState(t, "sine", "2", StepActive)
	m := e.manifest(t, v1path, "sine", "1", v1smoke)
	m.Rollback, m.RollbackFrom = true, "2"
	e.push(t, topic, m, testKey(0))
	d.waitState(t, "sine", "1", StepActive)
	if v, _ := d.models.Active("sine"); v != "1" {
		t.Fatalf("serves %q, want the signed rollback to 1", v)
	}
}

func TestFullDiskIsReportedAndRetried(t *testing.T) {
	e := newEnv(t)
	var free atomic.Int64
	free.Store(1 << 20)
	d := e.startDevice(t, "dev-disk", "", func(c *Options) {
		c.FreeBytes = func(string) int64 { return free.Load() }
	})
	path, smoke := conformance(t, "mp_face_detection_short_range", 1e-3)
	e.push(t, FleetModelTopic(e.fleet, "face"), e.manifest(t, path, "face", "1", smoke), testKey(0))
	ev := d.waitState(t, "face", "1", StepFailed)
	if !strings.Contains(ev.Reason, "not enough free disk space") || !strings.Contains(ev.Reason, "retrying in") {
		t.Errorf("reason %q", ev.Reason)
	}
	if served, _ := e.hub.stats(); served != 0 {
		t.Errorf("downloaded %d bytes onto a full disk", served)
	}
	free.Store(1 << 40) // space was freed: the retry succeeds
	d.waitState(t, "face", "1", StepActive)
}

func TestHealthWindowResumesAfterRestart(t *testing.T) {
	e := newEnv(t)
	slowWatch := func(c *Options) { c.HealthWindow = 2 * time.Minute }
	d := e.startDevice(t, "dev-w", "", slowWatch)
	v1path, v1smoke := conformance(t, modelV1, 1e-4)
	v2path, v2smoke := conformance(t, modelV2, 1)
	topic := FleetModelTopic(e.fleet, "sine")
	e.push(t, topic, e.manifest(t, v1path, "sine", "1", v1smoke), testKey(0))
	d.waitState(t, "sine", "1", StepActive)
	e.push(t, topic, e.manifest(t, v2path, "sine", "2", v2smoke), testKey(0))
	d.waitState(t, "sine", "2", StepActive)
	// The agent stops inside version 2's health window...
	dir := d.dir
	d.stop()
	// ...and starts again serving version 2, with clients whose requests
	// it fails: the watch goes on and rolls back.
	d2 := e.startDevice(t, "dev-w", dir, slowWatch)
	if v, _ := d2.models.Active("sine"); v != "2" {
		t.Fatalf("restarted device serves %q, want 2 from the registry", v)
	}
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	go func() {
		for ctx.Err() == nil {
			d2.models.infer(ctx, "sine", v1smoke.Inputs[0].Data)
			time.Sleep(time.Millisecond)
		}
	}()
	d2.waitState(t, "sine", "2", StepRolledBack)
	if v, _ := d2.models.Active("sine"); v != "1" {
		t.Fatalf("serves %q after the resumed watch, want 1", v)
	}
}

// TestHealthyWatchIsRecorded: a version that serves its health window
// without failing is recorded healthy by the agent (the record stops
// saying it is watched) and reported active.
func TestHealthyWatchIsRecorded(t *testing.T) {
	e := newEnv(t)
	d := e.startDevice(t, "dev-ok", "", func(c *Options) { c.HealthWindow = time.Second })
	v1path, v1smoke := conformance(t, modelV1, 1e-4)
	v2path, v2smoke := conformance(t, modelV2, 1)
	topic := FleetModelTopic(e.fleet, "sine")
	e.push(t, topic, e.manifest(t, v1path, "sine", "1", v1smoke), testKey(0))
	d.waitState(t, "sine", "1", StepActive)
	e.push(t, topic, e.manifest(t, v2path, "sine", "2", v2smoke), testKey(0))
	d.waitState(t, "sine", "2", StepActive)
	deadline := time.Now().Add(waitLimit)
	for {
		rec, _, _ := d.models.Record("sine")
		if !rec.Watching {
			if rec.Active.Version != "2" || rec.Previous.Version != "1" || rec.State != StepActive {
				t.Errorf("record after a healthy watch: %+v", rec)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("still watched %s after a 1s health window: %+v", waitLimit, rec)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if got := d.rec.State("sine"); got != StepActive {
		t.Errorf("state %q after a healthy watch", got)
	}
}
