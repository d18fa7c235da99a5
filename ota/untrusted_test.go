package ota

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// countEvents counts the device's events that pred accepts.
func (d *device) countEvents(pred func(Event) bool) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	n := 0
	for _, ev := range d.events {
		if pred(ev) {
			n++
		}
	}
	return n
}

// TestJunkDesiredStateIsNotKept: a broker client publishes retained junk
// on the device's topic under made-up model names (bad envelopes, payloads
// over the cap, a validly signed manifest past the model limit). Nothing
// is kept for any of them, the refusals reported are rate-limited, junk
// names never reach the state or the status, and a genuine update that
// follows is taken.
func TestJunkDesiredStateIsNotKept(t *testing.T) {
	e := newEnv(t)
	w := e.watchStatus(t)
	d := e.startDevice(t, "dev-j", "", func(c *Options) { c.MaxModels = 2 })
	v1path, v1smoke := conformance(t, modelV1, 1e-4)
	e.push(t, FleetModelTopic(e.fleet, "sine"), e.manifest(t, v1path, "sine", "1", v1smoke), testKey(0))
	d.waitState(t, "sine", "1", StepActive)

	var sent uint64 = 1
	for i := range 60 {
		e.pushRaw(t, DeviceModelTopic(d.id, fmt.Sprintf("junk-%02d", i)), bytes.Repeat([]byte("x"), 1000+i))
		sent++
	}
	for i := range 3 {
		e.pushRaw(t, DeviceModelTopic(d.id, fmt.Sprintf("big-%d", i)), make([]byte, MaxEnvelopeBytes+1+i))
		sent++
	}
	// A genuine update after the junk is still taken.
	e.push(t, DeviceModelTopic(d.id, "second"), e.manifest(t, v1path, "second", "1", v1smoke), testKey(0))
	sent++
	// Signed and valid, but one model more than the device tracks.
	e.push(t, DeviceModelTopic(d.id, "third"), e.manifest(t, v1path, "third", "1", v1smoke), testKey(0))
	sent++
	d.waitState(t, "second", "1", StepActive)
	d.waitSettled(t, sent)

	d.rec.mu.Lock()
	kept := slices.Sorted(func(yield func(string) bool) {
		for n := range d.rec.desired {
			if !yield(n) {
				return
			}
		}
	})
	var states []string
	for n := range d.rec.states {
		states = append(states, n)
	}
	d.rec.mu.Unlock()
	if !slices.Equal(kept, []string{"second", "sine"}) {
		t.Errorf("desired state kept for %v, want only second and sine", kept)
	}
	for _, n := range states {
		if strings.HasPrefix(n, "junk") || strings.HasPrefix(n, "big") || n == "third" {
			t.Errorf("junk name %q in the model states", n)
		}
	}
	refused := d.countEvents(func(ev Event) bool { return ev.State == StepFailed })
	if refused == 0 || refused > refusalBurst+2 {
		t.Errorf("%d refusals reported for %d junk messages, want 1 to %d (rate-limited)", refused, sent-3, refusalBurst+2)
	}
	t.Logf("%d messages, %d refusals reported", sent, refused)
	s := w.waitFor(t, d.id, func(s Status) bool { return s.Models["second"].Version == "1" })
	for n := range s.Models {
		if n != "sine" && n != "second" {
			t.Errorf("status lists model %q", n)
		}
	}
	if v, _ := d.models.Active("sine"); v != "1" {
		t.Errorf("serves sine %q, want 1", v)
	}
}

// TestOversizeEnvelopeDroppedAndReported: a payload over the cap on a
// model's topic is refused as dropped on receipt and the model keeps its
// version.
func TestOversizeEnvelopeDroppedAndReported(t *testing.T) {
	e := newEnv(t)
	d := e.startDevice(t, "dev-o", "", nil)
	v1path, v1smoke := conformance(t, modelV1, 1e-4)
	e.push(t, FleetModelTopic(e.fleet, "sine"), e.manifest(t, v1path, "sine", "1", v1smoke), testKey(0))
	d.waitState(t, "sine", "1", StepActive)
	e.pushRaw(t, DeviceModelTopic(d.id, "sine"), make([]byte, 3<<20))
	ev := d.waitEvent(t, "refusal", func(ev Event) bool { return ev.State == StepFailed })
	if ev.Model != "sine" || !strings.Contains(ev.Reason, "dropped on receipt") || !strings.Contains(ev.Reason, strconv.Itoa(3<<20)) {
		t.Errorf("refusal %+v", ev)
	}
	if v, _ := d.models.Active("sine"); v != "1" {
		t.Errorf("serves %q, want 1", v)
	}
}

// TestRollbackReplayIsRefused: v2, a signed rollback to 1, then 3; the
// captured rollback envelope published again leaves the device on 3.
func TestRollbackReplayIsRefused(t *testing.T) {
	e := newEnv(t)
	d := e.startDevice(t, "dev-rp", "", nil)
	v1path, v1smoke := conformance(t, modelV1, 1e-4)
	v2path, v2smoke := conformance(t, modelV2, 1)
	topic := FleetModelTopic(e.fleet, "sine")
	e.push(t, topic, e.manifest(t, v2path, "sine", "2", v2smoke), testKey(0))
	d.waitState(t, "sine", "2", StepActive)
	rb := e.manifest(t, v1path, "sine", "1", v1smoke)
	rb.Rollback, rb.RollbackFrom = true, "2"
	captured, err := Sign(rb, testKey(0))
	if err != nil {
		t.Fatal(err)
	}
	e.pushRaw(t, topic, captured)
	d.waitState(t, "sine", "1", StepActive)
	e.push(t, topic, e.manifest(t, v2path, "sine", "3", v2smoke), testKey(0))
	d.waitState(t, "sine", "3", StepActive)

	e.pushRaw(t, topic, captured) // the replay
	ev := d.waitEvent(t, "the replay refused", func(ev Event) bool { return ev.Version == "1" && ev.State == StepFailed })
	if !strings.Contains(ev.Reason, "stale manifest") {
		t.Errorf("reason %q, want a stale manifest", ev.Reason)
	}
	if v, _ := d.models.Active("sine"); v != "3" {
		t.Fatalf("serves %q after the replay, want 3", v)
	}
	rec, _, _ := d.models.Record("sine")
	if rec.Active.Version != "3" {
		t.Errorf("registry %+v", rec)
	}
	// Even after a restart, the retained replay is refused.
	dir := d.dir
	d.stop()
	d2 := e.startDevice(t, "dev-rp", dir, nil)
	d2.waitSettled(t, 1)
	if v, _ := d2.models.Active("sine"); v != "3" {
		t.Fatalf("serves %q after a restart with the replay retained, want 3", v)
	}
}

// TestRollbackOnlyFromTheNamedVersion: a rollback from 2 does not apply
// to a device serving 3, even when it is newer than everything taken.
func TestRollbackOnlyFromTheNamedVersion(t *testing.T) {
	e := newEnv(t)
	d := e.startDevice(t, "dev-rf", "", nil)
	v1path, v1smoke := conformance(t, modelV1, 1e-4)
	v2path, v2smoke := conformance(t, modelV2, 1)
	topic := FleetModelTopic(e.fleet, "sine")
	e.push(t, topic, e.manifest(t, v2path, "sine", "3", v2smoke), testKey(0))
	d.waitState(t, "sine", "3", StepActive)
	rb := e.manifest(t, v1path, "sine", "1", v1smoke)
	rb.Rollback, rb.RollbackFrom = true, "2"
	e.push(t, topic, rb, testKey(0))
	ev := d.waitEvent(t, "refusal", func(ev Event) bool { return ev.Version == "1" && ev.State == StepFailed })
	if !strings.Contains(ev.Reason, "rolls back from 2, but the active version is 3") {
		t.Errorf("reason %q", ev.Reason)
	}
	if v, _ := d.models.Active("sine"); v != "3" {
		t.Errorf("serves %q, want 3", v)
	}
}

// TestExpiredManifestIsRefused: a manifest past its expires time is
// refused before any download.
func TestExpiredManifestIsRefused(t *testing.T) {
	e := newEnv(t)
	d := e.startDevice(t, "dev-x", "", func(c *Options) {
		c.Now = func() time.Time { return time.Now().Add(48 * time.Hour) } // the device's clock is two days on
	})
	v1path, v1smoke := conformance(t, modelV1, 1e-4)
	m := e.manifest(t, v1path, "sine", "1", v1smoke)
	m.Expires = m.Created.Add(24 * time.Hour)
	e.push(t, FleetModelTopic(e.fleet, "sine"), m, testKey(0))
	ev := d.waitEvent(t, "refusal", func(ev Event) bool { return ev.State == StepFailed })
	if !strings.Contains(ev.Reason, "manifest expired") {
		t.Errorf("reason %q", ev.Reason)
	}
	if served, _ := e.hub.stats(); served != 0 {
		t.Errorf("downloaded %d bytes of an expired manifest", served)
	}
	if _, ok := d.models.Active("sine"); ok {
		t.Error("the expired manifest was activated")
	}
}

// TestManifestIsBoundToItsTarget: the target signed into a manifest
// decides which devices take it, not the topic it arrives on, and its
// rollout applies on the device topic too.
func TestManifestIsBoundToItsTarget(t *testing.T) {
	v1path, v1smoke := conformance(t, modelV1, 1e-4)
	tests := []struct {
		name   string
		target Target
		topic  func(e *env, dev string) string
		// rollout, when set, is the manifest's percent.
		rollout *Rollout
		want    string // a refusal reason, a StepSkipped reason, or "" to take it
		state   string
	}{
		{"fleet 0% re-published on the device topic", Target{Fleet: "lab"}, func(_ *env, dev string) string { return DeviceModelTopic(dev, "sine") }, &Rollout{Percent: 0}, "rolled out to 0% of fleet lab", StepSkipped},
		{"another fleet's manifest on the device topic", Target{Fleet: "prod"}, func(_ *env, dev string) string { return DeviceModelTopic(dev, "sine") }, nil, "signed for fleet prod", StepFailed},
		{"another device's manifest on the device topic", Target{Devices: []string{"dev-2"}}, func(_ *env, dev string) string { return DeviceModelTopic(dev, "sine") }, nil, "signed for devices dev-2", StepFailed},
		{"another device's manifest on the fleet topic", Target{Devices: []string{"dev-2"}}, func(e *env, _ string) string { return FleetModelTopic(e.fleet, "sine") }, nil, "signed for devices dev-2", StepFailed},
		{"a manifest naming the device on the fleet topic", Target{Devices: []string{"dev-2", "dev-t"}}, func(e *env, _ string) string { return FleetModelTopic(e.fleet, "sine") }, nil, "", StepActive},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			d := e.startDevice(t, "dev-t", "", nil)
			m := e.manifest(t, v1path, "sine", "1", v1smoke)
			m.Target, m.Rollout = &tc.target, tc.rollout
			e.push(t, tc.topic(e, d.id), m, testKey(0))
			ev := d.waitEvent(t, tc.state, func(ev Event) bool { return ev.State == tc.state })
			if !strings.Contains(ev.Reason, tc.want) {
				t.Errorf("reason %q, want %q", ev.Reason, tc.want)
			}
			_, active := d.models.Active("sine")
			if active != (tc.state == StepActive) {
				t.Errorf("active %v after %s", active, ev)
			}
			if served, _ := e.hub.stats(); tc.state != StepActive && served != 0 {
				t.Errorf("downloaded %d bytes of a manifest not for this device", served)
			}
		})
	}
}

// TestExcludedDeviceStaysOnItsVersion: a device outside a 30% rollout
// keeps its version and downloads nothing, while one inside updates.
func TestExcludedDeviceStaysOnItsVersion(t *testing.T) {
	e := newEnv(t)
	v1path, v1smoke := conformance(t, modelV1, 1e-4)
	v2path, v2smoke := conformance(t, modelV2, 1)
	var in, out string
	for i := 0; in == "" || out == ""; i++ {
		if id := "dev-" + strconv.Itoa(i); InRollout(id, "s30", 30) {
			in = id
		} else {
			out = id
		}
	}
	din := e.startDevice(t, in, "", nil)
	dout := e.startDevice(t, out, "", nil)
	topic := FleetModelTopic(e.fleet, "sine")
	e.push(t, topic, e.manifest(t, v1path, "sine", "1", v1smoke), testKey(0))
	din.waitState(t, "sine", "1", StepActive)
	dout.waitState(t, "sine", "1", StepActive)
	m := e.manifest(t, v2path, "sine", "2", v2smoke)
	m.Rollout = &Rollout{Percent: 30, Salt: "s30"}
	e.push(t, topic, m, testKey(0))
	din.waitState(t, "sine", "2", StepActive)
	ev := dout.waitState(t, "sine", "2", StepSkipped)
	if !strings.Contains(ev.Reason, "30%") {
		t.Errorf("reason %q", ev.Reason)
	}
	dout.waitSettled(t, 2)
	if v, _ := dout.models.Active("sine"); v != "1" {
		t.Errorf("the excluded device serves %q, want 1", v)
	}
	if n := dout.countEvents(func(ev Event) bool { return ev.Version == "2" && ev.State != StepSkipped }); n != 0 {
		t.Errorf("the excluded device worked on version 2: %v", dout.eventList())
	}
	if files := modelFiles(t, dout.dir, "sine"); !slices.Equal(files, []string{"1.tflite"}) {
		t.Errorf("the excluded device has files %v", files)
	}
}

// TestManifestOnAnotherModelsTopicIsRefused: a signed manifest of "sine"
// published on the topic of "other" activates nothing.
func TestManifestOnAnotherModelsTopicIsRefused(t *testing.T) {
	e := newEnv(t)
	d := e.startDevice(t, "dev-n", "", nil)
	v1path, v1smoke := conformance(t, modelV1, 1e-4)
	e.push(t, FleetModelTopic(e.fleet, "other"), e.manifest(t, v1path, "sine", "1", v1smoke), testKey(0))
	ev := d.waitEvent(t, "refusal", func(ev Event) bool { return ev.State == StepFailed })
	if ev.Model != "other" || !strings.Contains(ev.Reason, `"sine", but the topic is for model "other"`) {
		t.Errorf("refusal %+v", ev)
	}
	for _, name := range []string{"sine", "other"} {
		if _, ok := d.models.Active(name); ok {
			t.Errorf("%s was activated", name)
		}
	}
	if served, _ := e.hub.stats(); served != 0 {
		t.Errorf("downloaded %d bytes", served)
	}
}

// TestStaleSameSizeFileIsHashed: a file of the right size but the wrong
// bytes at a version's final path is not taken as that version: the
// genuine file is downloaded over it and serves.
func TestStaleSameSizeFileIsHashed(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	v1path, v1smoke := conformance(t, modelV1, 1e-4)
	m := e.manifest(t, v1path, "sine", "1", v1smoke)
	final := filepath.Join(dir, "models", "sine", "1.tflite")
	if err := os.MkdirAll(filepath.Dir(final), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(final, bytes.Repeat([]byte{0xee}, int(m.Size)), 0o644); err != nil {
		t.Fatal(err)
	}
	d := e.startDevice(t, "dev-s", dir, nil)
	e.push(t, FleetModelTopic(e.fleet, "sine"), m, testKey(0))
	d.waitState(t, "sine", "1", StepActive)
	b, err := os.ReadFile(final)
	if err != nil {
		t.Fatal(err)
	}
	if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) != m.SHA256 {
		t.Error("the stale file is still at the final path")
	}
	if served, _ := e.hub.stats(); served != m.Size {
		t.Errorf("downloaded %d bytes, want the %d of the genuine file", served, m.Size)
	}
}

// syncLog records the Sync calls of a device, with whether the final
// file existed at each.
type syncLog struct {
	mu    sync.Mutex
	calls []string
}

func (s *syncLog) sync(final string) func(*os.File) error {
	return func(f *os.File) error {
		_, err := os.Stat(final)
		s.mu.Lock()
		s.calls = append(s.calls, fmt.Sprintf("%s staged=%v", f.Name(), err == nil))
		s.mu.Unlock()
		return f.Sync()
	}
}

// TestUpdateSyncsPartialAndDirectory: through the Sync seam, the partial
// download is flushed before it is renamed into place and the model
// directory after, and the registry is in a bbolt file that syncs.
func TestUpdateSyncsPartialAndDirectory(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	modelDir := filepath.Join(dir, "models", "sine")
	final := filepath.Join(modelDir, "1.tflite")
	var log syncLog
	d := e.startDevice(t, "dev-f", dir, func(c *Options) { c.Sync = log.sync(final) })
	v1path, v1smoke := conformance(t, modelV1, 1e-4)
	e.push(t, FleetModelTopic(e.fleet, "sine"), e.manifest(t, v1path, "sine", "1", v1smoke), testKey(0))
	d.waitState(t, "sine", "1", StepActive)
	log.mu.Lock()
	calls := slices.Clone(log.calls)
	log.mu.Unlock()
	partial := slices.Index(calls, final+".partial staged=false")
	dirSync := slices.Index(calls, modelDir+" staged=true")
	if partial < 0 || dirSync < 0 || dirSync < partial {
		t.Errorf("sync calls %q: want the partial file before staging, then the model directory", calls)
	}
}

// stallServer answers model downloads in one of three hostile ways.
func stallServer(t *testing.T, mode string, data []byte) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch mode {
		case "no headers":
			<-r.Context().Done()
		case "stall":
			w.Header().Set("Content-Length", strconv.Itoa(len(data)))
			w.Write(data[:100])
			w.(http.Flusher).Flush()
			<-r.Context().Done()
		case "trickle":
			w.Header().Set("Content-Length", strconv.Itoa(len(data)))
			for i := 0; i < len(data); i++ {
				if _, err := w.Write(data[i : i+1]); err != nil {
					return
				}
				w.(http.Flusher).Flush()
				select {
				case <-r.Context().Done():
					return
				case <-time.After(20 * time.Millisecond):
				}
			}
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/model.tflite"
}

// TestDownloadTimeouts: a server that never answers, one that stalls
// after 100 bytes and one that trickles are each cut with a reason, and
// the device keeps its version.
func TestDownloadTimeouts(t *testing.T) {
	v1path, v1smoke := conformance(t, modelV1, 1e-4)
	v2path, v2smoke := conformance(t, modelV2, 1)
	for _, tc := range []struct {
		mode, want string
		overall    time.Duration
	}{
		{"no headers", "no answer from", time.Minute},
		{"stall", "no data from", time.Minute},
		{"trickle", "took longer than", time.Second},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			e := newEnv(t)
			d := e.startDevice(t, "dev-to", "", func(c *Options) {
				c.DownloadHeaderTimeout, c.DownloadIdleTimeout, c.DownloadTimeout = 300*time.Millisecond, 300*time.Millisecond, tc.overall
				c.RetryMin = 40 * time.Millisecond
			})
			topic := FleetModelTopic(e.fleet, "sine")
			e.push(t, topic, e.manifest(t, v1path, "sine", "1", v1smoke), testKey(0))
			d.waitState(t, "sine", "1", StepActive)
			data, err := os.ReadFile(v2path)
			if err != nil {
				t.Fatal(err)
			}
			m := e.manifest(t, v2path, "sine", "2", v2smoke)
			m.URLs = []string{stallServer(t, tc.mode, data)}
			e.push(t, topic, m, testKey(0))
			ev := d.waitState(t, "sine", "2", StepFailed)
			if !strings.Contains(ev.Reason, "download stalled") || !strings.Contains(ev.Reason, tc.want) || !strings.Contains(ev.Reason, "retrying in") {
				t.Errorf("reason %q, want a stalled download: %q", ev.Reason, tc.want)
			}
			if v, _ := d.models.Active("sine"); v != "1" {
				t.Errorf("serves %q, want 1", v)
			}
		})
	}
}

// TestOneModelNeverHoldsAnother: with one model inside a long health
// window and another stuck downloading, a third model's update still
// goes through.
func TestOneModelNeverHoldsAnother(t *testing.T) {
	e := newEnv(t)
	d := e.startDevice(t, "dev-c", "", func(c *Options) { c.HealthWindow = 10 * time.Minute })
	v1path, v1smoke := conformance(t, modelV1, 1e-4)
	v2path, v2smoke := conformance(t, modelV2, 1)
	facePath, faceSmoke := conformance(t, "mp_face_detection_short_range", 1e-3)
	topic := func(n string) string { return FleetModelTopic(e.fleet, n) }
	e.push(t, topic("sine"), e.manifest(t, v1path, "sine", "1", v1smoke), testKey(0))
	d.waitState(t, "sine", "1", StepActive)
	e.push(t, topic("sine"), e.manifest(t, v2path, "sine", "2", v2smoke), testKey(0))
	d.waitState(t, "sine", "2", StepActive) // now inside its 10-minute health window
	if rec, _, _ := d.models.Record("sine"); !rec.Watching {
		t.Fatalf("sine is not being watched: %+v", rec)
	}

	face := e.manifest(t, facePath, "face", "1", faceSmoke)
	stalled, release := e.hub.stallNext(100)
	defer release()
	e.push(t, topic("face"), face, testKey(0))
	select {
	case <-stalled:
	case <-time.After(waitLimit):
		t.Fatal("the face download did not start")
	}
	e.push(t, topic("other"), e.manifest(t, v1path, "other", "1", v1smoke), testKey(0))
	d.waitState(t, "other", "1", StepActive)
	if got := d.rec.State("face"); !strings.HasPrefix(got, StepDownloading) {
		t.Errorf("face is %q, want still downloading", got)
	}
	if rec, _, _ := d.models.Record("sine"); !rec.Watching {
		t.Errorf("sine's health window ended: %+v", rec)
	}
	release()
	d.waitState(t, "face", "1", StepActive)
}
