package ota

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/edgeinfer/edgeinfer/store"
)

// openJournal is the loop's journal over a real state file at path.
func openJournal(t *testing.T, path string) (journal, *store.Store) {
	t.Helper()
	st, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return journal{st.OTAJournal()}, st
}

// TestJournalSurvivesReopen: download progress, a refused version and the
// newest created time of a model, written through the store's journal,
// read back the same from a reopened file, each beside the others.
func TestJournalSurvivesReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	j, st := openJournal(t, path)
	if _, ok, err := j.download("kws"); ok || err != nil {
		t.Fatalf("download on a new file: %v %v", ok, err)
	}
	if c, err := j.created("kws"); !c.IsZero() || err != nil {
		t.Fatalf("created on a new file: %s %v", c, err)
	}
	if err := j.putDownload(downloadRecord{Model: "kws", Version: "3", SHA256: "cd", Path: "/d/3.tflite.partial", Size: 100, Have: 10}); err != nil {
		t.Fatal(err)
	}
	if err := j.reject(rejection{Model: "kws", Version: "2", SHA256: "ab", Reason: "smoke test failed"}); err != nil {
		t.Fatal(err)
	}
	t1 := time.Date(2026, 3, 4, 5, 6, 7, 8, time.UTC)
	for _, c := range []time.Time{t1, t1.Add(-time.Hour)} { // an older one does not lower it
		if err := j.took("kws", c); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	j, st = openJournal(t, path)
	defer st.Close()
	if d, ok, err := j.download("kws"); err != nil || !ok || d.Version != "3" || d.Have != 10 || d.Path != "/d/3.tflite.partial" || d.Updated.IsZero() {
		t.Errorf("download after reopen: %+v %v %v", d, ok, err)
	}
	if r, ok, err := j.rejected("kws"); err != nil || !ok || r.Version != "2" || r.SHA256 != "ab" || r.Reason != "smoke test failed" || r.At.IsZero() {
		t.Errorf("rejection after reopen: %+v %v %v", r, ok, err)
	}
	if c, err := j.created("kws"); err != nil || !c.Equal(t1) {
		t.Errorf("created after reopen: %s %v, want %s", c, err, t1)
	}
	if err := j.deleteDownload("kws"); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := j.download("kws"); ok {
		t.Error("download still there after delete")
	}
	if _, ok, _ := j.rejected("kws"); !ok {
		t.Error("deleting the download removed the rejection")
	}
}

// TestJournalReadsOlderFiles: the entries a state file written by an
// earlier edgeinfer holds (the download record under the model's name,
// the rejection under rejected/NAME) read as they were.
func TestJournalReadsOlderFiles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	j, st := openJournal(t, path)
	defer st.Close()
	raw := st.OTAJournal()
	raw.Put("face", []byte(`{"model":"face","version":"4","url":"http://x/4","sha256":"ef","path":"/d/4.tflite.partial","size":1000,"have":400,"updated":"2026-01-02T03:04:05Z"}`))
	raw.Put("rejected/face", []byte(`{"model":"face","version":"3","sha256":"12","reason":"rolled back","at":"2026-01-02T03:04:05Z"}`))
	if d, ok, err := j.download("face"); err != nil || !ok || d.Have != 400 || d.URL != "http://x/4" {
		t.Errorf("older download record: %+v %v %v", d, ok, err)
	}
	if r, ok, err := j.rejected("face"); err != nil || !ok || r.Version != "3" || r.SHA256 != "12" {
		t.Errorf("older rejection: %+v %v %v", r, ok, err)
	}
	raw.Put("created/face", []byte(`not json`))
	if _, err := j.created("face"); err == nil {
		t.Error("a damaged entry read without an error")
	}
}
