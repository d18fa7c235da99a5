package agent

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/edgeinfer/edgeinfer/platforms"
	"github.com/edgeinfer/edgeinfer/store"
)

// envActivateChild names the data directory of the child process
// TestKill9DuringActivations runs.
const envActivateChild = "AGENT_TEST_ACTIVATE_DIR"

func TestMain(m *testing.M) {
	if dir := os.Getenv(envActivateChild); dir != "" {
		if err := activateForever(dir); err != nil {
			fmt.Println("ERROR", err)
			os.Exit(1)
		}
		return
	}
	os.Exit(m.Run())
}

// watchEnd is the health window end the child records with version 2.
var watchEnd = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

// manifestOf is the stand-in manifest the child records with version v.
func manifestOf(v string) json.RawMessage { return json.RawMessage(`{"version":"` + v + `"}`) }

// activateForever installs versions 1 and 2 of model "m" (files in dir's
// models/m) in turn, each with its manifest and a watch, printing each
// activation, until it is killed.
func activateForever(dir string) error {
	c := Config{DataDir: dir, Models: map[string]ModelConfig{}}
	if err := c.Validate(); err != nil {
		return err
	}
	st, err := store.Open(filepath.Join(dir, "edgeinfer.db"), store.Options{})
	if err != nil {
		return err
	}
	a, err := New(context.Background(), Options{Config: c.Resolve(platforms.Defaults{Threads: 1, Sessions: 1, CacheBytes: 1 << 20}), Store: st})
	if err != nil {
		return err
	}
	for n := 0; ; n++ {
		v := fmt.Sprint(1 + n%2)
		act := Activation{Name: "m", Version: v, Path: filepath.Join(dir, "models", "m", v+".tflite"), Manifest: manifestOf(v), WatchUntil: watchEnd}
		if _, err := a.Activate(context.Background(), act); err != nil {
			return err
		}
		fmt.Println("ACTIVATED", n)
	}
}

// installCopies copies the tiny and the float model into dir as versions
// 1 and 2 of model "m".
func installCopies(t *testing.T, dir string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(dir, "models", "m"), 0o755); err != nil {
		t.Fatal(err)
	}
	for v, name := range map[string]string{"1": tinyModel, "2": floatModel} {
		b, err := os.ReadFile(modelPath(t, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "models", "m", v+".tflite"), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestKill9DuringActivations: a process that activates version after
// version, each with its manifest and watch state, is killed -9 in the
// middle of that; the record it leaves is one whole activation (version,
// previous version, manifest and watch state agree), and a restarted agent
// serves the recorded version. The agent writes each activation in one
// transaction, before the version serves.
func TestKill9DuringActivations(t *testing.T) {
	dir := t.TempDir()
	installCopies(t, dir)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	for round := range 3 {
		cmd := exec.Command(exe)
		cmd.Env = append(os.Environ(), envActivateChild+"="+dir)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(out)
		// Kill once the child is well into its activations, at a point
		// that varies with the round.
		want := fmt.Sprint("ACTIVATED ", 4+round)
		for sc.Scan() && sc.Text() != want {
			if strings.HasPrefix(sc.Text(), "ERROR") {
				cmd.Process.Kill()
				cmd.Wait()
				t.Fatal(sc.Text())
			}
		}
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		go io.Copy(io.Discard, out)
		cmd.Wait()

		st, err := store.Open(filepath.Join(dir, "edgeinfer.db"), store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		rec, ok, err := st.GetModel("m")
		if err != nil || !ok || rec.Active == nil || rec.Previous == nil {
			st.Close()
			t.Fatalf("round %d: record after kill -9: %+v %v %v", round, rec, ok, err)
		}
		v := rec.Active.Version
		if string(rec.Manifest) != string(manifestOf(v)) || rec.Previous.Version == v || rec.State != RecordWatching || !rec.WatchUntil.Equal(watchEnd) || rec.Active.Path != filepath.Join(dir, "models", "m", v+".tflite") {
			t.Errorf("round %d: the record mixes activations: %+v (manifest %s)", round, rec, rec.Manifest)
		}
		c := testConfig(t, nil)
		c.DataDir = dir
		a, err := New(context.Background(), Options{Config: c, Store: st})
		if err != nil {
			st.Close()
			t.Fatal(err)
		}
		if _, _, serves, ok := a.Counts("m"); !ok || serves != v {
			t.Errorf("round %d: the restarted agent serves %q (%v), the record says %s", round, serves, ok, v)
		}
		a.Close(context.Background())
		st.Close()
	}
}

// TestActivateRecordsOnce: an activation records the version, the one it
// replaced, the manifest and the watch state together; MarkHealthy and
// Rollback change the record as a whole, and a rollback from a version
// that is not active changes nothing.
func TestActivateRecordsOnce(t *testing.T) {
	c := testConfig(t, nil)
	installCopies(t, c.DataDir)
	a, st := newAgent(t, c)
	path := func(v string) string { return filepath.Join(c.DataDir, "models", "m", v+".tflite") }
	ctx := context.Background()
	if _, err := a.Activate(ctx, Activation{Name: "m", Version: "1", Path: path("1"), Manifest: manifestOf("1")}); err != nil {
		t.Fatal(err)
	}
	rec, _, _ := st.GetModel("m")
	if rec.Active.Version != "1" || rec.Previous != nil || rec.State != RecordActive || !rec.WatchUntil.IsZero() || string(rec.Manifest) != string(manifestOf("1")) {
		t.Fatalf("first activation: %+v", rec)
	}
	if _, err := a.Activate(ctx, Activation{Name: "m", Version: "2", Path: path("2"), Manifest: manifestOf("2"), WatchUntil: watchEnd}); err != nil {
		t.Fatal(err)
	}
	rec, _, _ = st.GetModel("m")
	if rec.Active.Version != "2" || rec.Previous.Version != "1" || rec.Previous.Path != path("1") || rec.State != RecordWatching || !rec.WatchUntil.Equal(watchEnd) || string(rec.Manifest) != string(manifestOf("2")) {
		t.Fatalf("second activation: %+v", rec)
	}
	if _, err := a.Rollback(ctx, "m", "1", "not active"); !errors.Is(err, ErrNoPrevious) {
		t.Errorf("rollback from a version that is not active: %v, want ErrNoPrevious", err)
	}
	if err := a.MarkHealthy("m", "1"); err != nil {
		t.Fatal(err)
	}
	if got, _, _ := st.GetModel("m"); got.State != RecordWatching || got.Active.Version != "2" {
		t.Errorf("marking another version healthy changed the record: %+v", got)
	}
	if _, err := a.Rollback(ctx, "m", "2", "3 of 20 requests failed"); err != nil {
		t.Fatal(err)
	}
	rec, _, _ = st.GetModel("m")
	if rec.Active.Version != "1" || rec.Previous != nil || rec.State != RecordRolledBack+": 3 of 20 requests failed" || !rec.WatchUntil.IsZero() || rec.Manifest != nil {
		t.Errorf("after the rollback: %+v", rec)
	}
	if _, _, v, _ := a.Counts("m"); v != "1" {
		t.Errorf("serves %q after the rollback, want 1", v)
	}
	if _, err := a.Rollback(ctx, "m", "1", "again"); !errors.Is(err, ErrNoPrevious) {
		t.Errorf("rollback with no previous version: %v, want ErrNoPrevious", err)
	}
	// A healthy watch ends in the active state.
	if _, err := a.Activate(ctx, Activation{Name: "m", Version: "2", Path: path("2"), WatchUntil: watchEnd}); err != nil {
		t.Fatal(err)
	}
	if err := a.MarkHealthy("m", "2"); err != nil {
		t.Fatal(err)
	}
	if rec, _, _ := st.GetModel("m"); rec.State != RecordActive || !rec.WatchUntil.IsZero() || rec.Previous.Version != "1" {
		t.Errorf("after the watch: %+v", rec)
	}
	if recs, err := a.Records(); err != nil || len(recs) != 1 || recs[0].Name != "m" {
		t.Errorf("records %+v %v", recs, err)
	}
}
