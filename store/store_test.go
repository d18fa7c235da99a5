package store

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

func openTest(t *testing.T) (*Store, *fakeClock) {
	t.Helper()
	clk := &fakeClock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	s, err := Open(filepath.Join(t.TempDir(), "state.db"), Options{Now: clk.now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, clk
}

func TestReopenKeepsDeviceID(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	id, err := s.DeviceID()
	if err != nil || id == "" {
		t.Fatalf("device id %q, %v", id, err)
	}
	s.Close()
	s, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if again, _ := s.DeviceID(); again != id {
		t.Errorf("device id changed across reopen: %q then %q", id, again)
	}
}

func fileHash(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

// TestRefusesBadFiles: each file is refused with the right error and left
// byte-for-byte as it was.
func TestRefusesBadFiles(t *testing.T) {
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.db")
	os.WriteFile(junk, bytes.Repeat([]byte("not a database "), 1000), 0o600)

	foreign := filepath.Join(dir, "foreign.db")
	db, err := bolt.Open(foreign, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("theirs")); return err })
	db.Close()

	// Our buckets, but no edgeinfer marker (or another program's) in meta.
	unmarked := filepath.Join(dir, "unmarked.db")
	otherApp := filepath.Join(dir, "other-app.db")
	for path, app := range map[string][]byte{unmarked: nil, otherApp: []byte("someone-else")} {
		db, err := bolt.Open(path, 0o600, nil)
		if err != nil {
			t.Fatal(err)
		}
		err = db.Update(func(tx *bolt.Tx) error {
			for _, name := range allBuckets {
				if _, err := tx.CreateBucket(name); err != nil {
					return err
				}
			}
			if app != nil {
				return tx.Bucket(bucketMeta).Put(keyApp, app)
			}
			return putUint(tx.Bucket(bucketMeta), keySchema, SchemaVersion)
		})
		db.Close()
		if err != nil {
			t.Fatal(err)
		}
	}

	newer := filepath.Join(dir, "newer.db")
	s, err := Open(newer, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.update(func(tx *bolt.Tx) error { return putUint(tx.Bucket(bucketMeta), keySchema, SchemaVersion+1) })
	s.Close()

	corrupt := filepath.Join(dir, "corrupt.db")
	s, err = Open(corrupt, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 200 {
		s.CachePut([]CacheEntry{{Key: []byte(fmt.Sprint("k", i)), Value: bytes.Repeat([]byte{byte(i)}, 300)}}, 0)
	}
	s.Close()
	b, _ := os.ReadFile(corrupt)
	page := os.Getpagesize()
	for i := 4 * page; i < len(b) && i < 12*page; i++ {
		b[i] ^= 0x5a // scramble pages past the meta pages
	}
	os.WriteFile(corrupt, b, 0o600)

	for _, c := range []struct {
		path string
		want error
	}{{junk, ErrForeign}, {foreign, ErrForeign}, {unmarked, ErrForeign}, {otherApp, ErrForeign}, {newer, ErrNewerSchema}, {corrupt, ErrCorrupt}} {
		before := fileHash(t, c.path)
		s, err := Open(c.path, Options{})
		if err == nil {
			s.Close()
			t.Errorf("%s: opened, want %v", filepath.Base(c.path), c.want)
			continue
		}
		if !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", filepath.Base(c.path), err, c.want)
		}
		t.Logf("%s: %v", filepath.Base(c.path), err)
		if fileHash(t, c.path) != before {
			t.Errorf("%s: file was modified", filepath.Base(c.path))
		}
	}
}

// TestStateFileSyncs: every committed write of the state file is
// flushed to disk before the commit returns. bbolt calls fdatasync itself
// unless NoSync is set, so the guard is that Open never sets it.
func TestStateFileSyncs(t *testing.T) {
	s, _ := openTest(t)
	if s.db.NoSync {
		t.Fatal("the state file is opened with NoSync: commits are not flushed to disk")
	}
}

func TestLockedFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := Open(path, Options{LockTimeout: 50 * time.Millisecond}); !errors.Is(err, ErrLocked) {
		t.Errorf("second open: %v, want ErrLocked", err)
	}
}

func TestCache(t *testing.T) {
	s, clk := openTest(t)
	put := func(key string, size int, capBytes int64) int {
		t.Helper()
		n, err := s.CachePut([]CacheEntry{{Key: []byte(key), Value: bytes.Repeat([]byte(key[:1]), size)}}, capBytes)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	has := func(key string, ttl time.Duration) bool {
		t.Helper()
		_, ok, err := s.CacheGet([]byte(key), ttl)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	put("a", 100, 0)
	clk.t = clk.t.Add(time.Second)
	put("b", 100, 0)
	clk.t = clk.t.Add(time.Second)
	if v, ok, _ := s.CacheGet([]byte("a"), 0); !ok || len(v) != 100 || v[0] != 'a' {
		t.Fatalf("get a: %v %d", ok, len(v))
	}
	if has("a", 1500*time.Millisecond) || !has("b", 1500*time.Millisecond) {
		t.Errorf("TTL: a (2s old) should be stale and b (1s old) fresh")
	}
	// Overwriting keeps the byte count exact.
	put("b", 50, 0)
	if n, bytes, _ := s.CacheStats(); n != 2 || bytes != (1+100+8)+(1+50+8) {
		t.Errorf("stats %d entries %d bytes", n, bytes)
	}
	// A cap of 200 bytes evicts the oldest (a) when c arrives.
	clk.t = clk.t.Add(time.Second)
	if ev := put("c", 100, 200); ev != 1 {
		t.Errorf("evicted %d, want 1", ev)
	}
	if has("a", 0) || !has("b", 0) || !has("c", 0) {
		t.Errorf("after eviction: a %v b %v c %v; want only a gone", has("a", 0), has("b", 0), has("c", 0))
	}
	clk.t = clk.t.Add(10 * time.Second)
	if n, err := s.CacheExpire(5 * time.Second); err != nil || n != 2 {
		t.Errorf("expire: %d, %v", n, err)
	}
	if n, bytes, _ := s.CacheStats(); n != 0 || bytes != 0 {
		t.Errorf("after expire: %d entries %d bytes", n, bytes)
	}
}

func TestRegistryUpdateIsOneTransaction(t *testing.T) {
	s, _ := openTest(t)
	until := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	err := s.UpdateModel("faces", func(r *ModelRecord, found bool) error {
		if found || r.Name != "faces" {
			t.Errorf("a new record: found %v, %+v", found, r)
		}
		r.Active = &ModelVersion{Version: "3", Digest: "abc", Path: "/m/3.tflite"}
		r.State, r.WatchUntil, r.Manifest = "watching", until, []byte(`{"m":1}`)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	s.UpdateModel("audio", func(r *ModelRecord, _ bool) error { r.State = "failed: bad hash"; return nil })
	got, ok, err := s.GetModel("faces")
	if err != nil || !ok || got.Active.Version != "3" || got.State != "watching" || !got.WatchUntil.Equal(until) || string(got.Manifest) != `{"m":1}` || got.Updated.IsZero() {
		t.Fatalf("get: %+v %v %v", got, ok, err)
	}
	all, _ := s.Models()
	if len(all) != 2 || all[0].Name != "audio" {
		t.Errorf("models: %+v", all)
	}
	// An error from the change stores nothing.
	refused := errors.New("refused")
	err = s.UpdateModel("faces", func(r *ModelRecord, found bool) error {
		if !found || r.Active.Version != "3" {
			t.Errorf("the stored record: found %v, %+v", found, r)
		}
		r.Active.Version = "4"
		return refused
	})
	if !errors.Is(err, refused) {
		t.Errorf("update: %v, want the change's error", err)
	}
	if got, _, _ := s.GetModel("faces"); got.Active.Version != "3" {
		t.Errorf("a failed change was stored: %+v", got)
	}
	if err := s.UpdateModel("", func(*ModelRecord, bool) error { return nil }); err == nil {
		t.Error("a record without a name was accepted")
	}
}

func TestJournal(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	j := s.OTAJournal()
	if _, ok, err := j.Get("faces"); ok || err != nil {
		t.Fatalf("get on a new file: %v %v", ok, err)
	}
	if err := j.Put("faces", []byte(`{"have":400}`)); err != nil {
		t.Fatal(err)
	}
	if err := j.Put("rejected/faces", []byte(`{"version":"2"}`)); err != nil {
		t.Fatal(err)
	}
	if err := j.Put("", []byte("x")); err == nil {
		t.Error("an entry without a key was accepted")
	}
	s.Close()
	if s, err = Open(path, Options{}); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	j = s.OTAJournal()
	if v, ok, err := j.Get("faces"); !ok || err != nil || string(v) != `{"have":400}` {
		t.Errorf("after reopen: %q %v %v", v, ok, err)
	}
	if err := j.Delete("faces"); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := j.Get("faces"); ok {
		t.Error("entry still there after delete")
	}
	if v, ok, _ := j.Get("rejected/faces"); !ok || string(v) != `{"version":"2"}` {
		t.Errorf("the other entry of the model changed: %q %v", v, ok)
	}
}

// TestCreatedMovesToTheJournal: a file written when model records kept the
// newest manifest time ("created") gets it in the journal at Open, so an
// upgraded device still refuses older manifests.
func TestCreatedMovesToTheJournal(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	created := time.Date(2026, 5, 6, 7, 8, 9, 10, time.UTC)
	old, _ := json.Marshal(map[string]any{"name": "sine", "state": "active", "created": created})
	if err := s.update(func(tx *bolt.Tx) error { return tx.Bucket(bucketModels).Put([]byte("sine"), old) }); err != nil {
		t.Fatal(err)
	}
	newer, _ := json.Marshal(created.Add(time.Hour))
	s.update(func(tx *bolt.Tx) error {
		b, _ := json.Marshal(map[string]any{"name": "kws", "created": created})
		tx.Bucket(bucketModels).Put([]byte("kws"), b)
		return tx.Bucket(bucketOTA).Put([]byte("created/kws"), newer)
	})
	s.Close()
	for range 2 { // the second Open has nothing to move
		s, err := Open(path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		v, ok, _ := s.OTAJournal().Get("created/sine")
		var got time.Time
		if !ok || json.Unmarshal(v, &got) != nil || !got.Equal(created) {
			t.Errorf("created/sine = %q %v, want %s", v, ok, created)
		}
		if v, _, _ := s.OTAJournal().Get("created/kws"); string(v) != string(newer) {
			t.Errorf("a newer journal time was replaced: %q", v)
		}
		s.Close()
	}
}

func TestSpool(t *testing.T) {
	s, _ := openTest(t)
	for i := range 5 {
		if _, _, err := s.SpoolAppend(bytes.Repeat([]byte{byte('0' + i)}, 100), 350); err != nil {
			t.Fatal(err)
		}
	}
	seq, data, ok, err := s.SpoolOldest()
	if err != nil || !ok || data[0] != '2' {
		t.Fatalf("oldest batch %q (ok %v, err %v), want the third one", data, ok, err)
	}
	n, b, dropped, _ := s.SpoolStats()
	if n != 3 || b != 300 || dropped != 2 {
		t.Errorf("stats %d batches %d bytes %d dropped", n, b, dropped)
	}
	s.SpoolDelete(seq)
	if _, data, _, _ := s.SpoolOldest(); data[0] != '3' {
		t.Errorf("after delete the oldest is %q", data[:1])
	}
	for {
		seq, _, ok, err := s.SpoolOldest()
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			break
		}
		s.SpoolDelete(seq)
	}
	if n, b, _, _ := s.SpoolStats(); n != 0 || b != 0 {
		t.Errorf("emptied spool holds %d batches, %d bytes", n, b)
	}
}

// TestKill9DuringCacheWrites kills a process that writes to the cache
// without pause, at several moments, and checks after each kill that the
// file opens, passes the consistency check and still answers.
func TestKill9DuringCacheWrites(t *testing.T) {
	if os.Getenv("EDGEINFER_STORE_WRITER") != "" {
		t.Skip("this is the writer process")
	}
	path := filepath.Join(t.TempDir(), "state.db")
	for round, delay := range []time.Duration{0, 3 * time.Millisecond, 20 * time.Millisecond, 60 * time.Millisecond} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestWriterProcess$")
		cmd.Env = append(os.Environ(), "EDGEINFER_STORE_WRITER="+path, "EDGEINFER_STORE_ROUND="+strconv.Itoa(round))
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Wait until the writer has committed once, then let it run on.
		if _, err := bufio.NewReader(out).ReadString('\n'); err != nil {
			t.Fatalf("round %d: writer did not start: %v", round, err)
		}
		time.Sleep(delay)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		s, err := Open(path, Options{})
		if err != nil {
			t.Fatalf("round %d: reopen after kill -9: %v", round, err)
		}
		n, _, err := s.CacheStats()
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.CacheGet([]byte("r0-k0"), 0); err != nil {
			t.Fatalf("round %d: get: %v", round, err)
		}
		if _, err := s.CachePut([]CacheEntry{{Key: []byte("after"), Value: []byte("kill")}}, 0); err != nil {
			t.Fatalf("round %d: put after kill: %v", round, err)
		}
		t.Logf("round %d: killed after %v, %d entries survive", round, delay, n)
		s.Close()
	}
}

// TestWriterProcess is the child of TestKill9DuringCacheWrites.
func TestWriterProcess(t *testing.T) {
	path := os.Getenv("EDGEINFER_STORE_WRITER")
	if path == "" {
		t.Skip("run by TestKill9DuringCacheWrites")
	}
	s, err := Open(path, Options{SkipCheck: true})
	if err != nil {
		t.Fatal(err)
	}
	round := os.Getenv("EDGEINFER_STORE_ROUND")
	for i := 0; ; i++ {
		batch := make([]CacheEntry, 16)
		for j := range batch {
			batch[j] = CacheEntry{Key: []byte(fmt.Sprintf("r%s-k%d", round, i*16+j)), Value: bytes.Repeat([]byte{byte(j)}, 512)}
		}
		if _, err := s.CachePut(batch, 1<<20); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			fmt.Println("committed")
		}
	}
}
