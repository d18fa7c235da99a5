package hub

import (
	"errors"
	"path/filepath"
	"testing"
	"time"
)

func TestStorageDedupesAndPersists(t *testing.T) {
	path := filepath.Join(t.TempDir(), "hub.db")
	db, err := openStorage(path)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 11, 28, 3, 0, 0, 0, time.UTC)
	ingest := func(key string, n uint64, at time.Time) bool {
		t.Helper()
		dup, err := db.ingest(key, at, func(tx ingestTx) error {
			rec, _, err := tx.device("dev-a")
			if err != nil {
				return err
			}
			rec.ID = "dev-a"
			rec.Batches = rec.Batches*10 + n
			if err := tx.putDevice(rec); err != nil {
				return err
			}
			return tx.putPoint("dev-a", "kws", "v1", at, point{Requests: n})
		})
		if err != nil {
			t.Fatal(err)
		}
		return dup
	}
	if ingest("dev-a-1", 1, t0) || ingest("dev-a-2", 2, t0.Add(time.Minute)) {
		t.Fatal("fresh keys reported as duplicates")
	}
	if !ingest("dev-a-1", 9, t0.Add(2*time.Minute)) {
		t.Fatal("a repeated key was not reported as a duplicate")
	}
	if ingest("", 3, t0.Add(3*time.Minute)) || ingest("", 4, t0.Add(4*time.Minute)) {
		t.Fatal("empty keys were deduplicated")
	}

	db.close()
	if db, err = openStorage(path); err != nil {
		t.Fatal(err)
	}
	defer db.close()
	devs, err := db.devices()
	if err != nil || len(devs) != 1 || devs[0].Batches != 1234 {
		t.Fatalf("devices after reopen: %+v %v, want dev-a with batches 1, 2, 3, 4 in order", devs, err)
	}
	pts, bad, err := db.series("dev-a", "kws", t0.Add(time.Minute))
	if err != nil || bad != 0 || len(pts) != 3 || pts[0].Requests != 2 || pts[0].Version != "v1" || !pts[0].T.Equal(t0.Add(time.Minute)) {
		t.Fatalf("series since t0+1m: %+v %d %v", pts, bad, err)
	}
	keys, points, err := db.prune(t0.Add(90 * time.Second))
	if err != nil || keys != 2 || points != 2 {
		t.Fatalf("prune: %d keys %d points %v, want 2 and 2", keys, points, err)
	}
	if pts, _, _ := db.series("dev-a", "kws", time.Time{}); len(pts) != 2 {
		t.Errorf("%d points left, want 2", len(pts))
	}
}

func TestStorageNames(t *testing.T) {
	db, err := openStorage(filepath.Join(t.TempDir(), "hub.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.close()
	for _, tc := range []struct{ device, model string }{{"", "m"}, {"d\x00x", "m"}, {"d", ""}, {"d", "m\x00"}} {
		_, err := db.ingest("", time.Now(), func(tx ingestTx) error { return tx.putPoint(tc.device, tc.model, "1", time.Now(), point{}) })
		if !errors.Is(err, errBadName) {
			t.Errorf("putPoint(%q, %q): %v, want errBadName", tc.device, tc.model, err)
		}
	}
	if _, _, err := db.series("d\x00", "m", time.Time{}); !errors.Is(err, errBadName) {
		t.Errorf("series with a NUL: %v", err)
	}
}
