package store

import (
	"path/filepath"
	"testing"
)

func TestRejectedSurvivesReopenBesideDownloads(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, err := s.GetRejected("kws"); ok || err != nil {
		t.Fatalf("GetRejected on a new file: %v %v", ok, err)
	}
	if err := s.PutDownload(Download{Model: "kws", Version: "3", Have: 10}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutRejected(Rejected{Model: "kws", Version: "2", SHA256: "ab", Reason: "smoke test failed"}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if s, err = Open(path, Options{}); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	r, ok, err := s.GetRejected("kws")
	if err != nil || !ok || r.Version != "2" || r.SHA256 != "ab" || r.Reason != "smoke test failed" || r.At.IsZero() {
		t.Fatalf("GetRejected after reopen = %+v %v %v", r, ok, err)
	}
	if d, ok, err := s.GetDownload("kws"); err != nil || !ok || d.Version != "3" || d.Have != 10 {
		t.Fatalf("the download record of the same model changed: %+v %v %v", d, ok, err)
	}
}
