package store

import (
	"errors"
	"path/filepath"
	"testing"
	"time"
)

func TestHubIngestDedupesAndPersists(t *testing.T) {
	path := filepath.Join(t.TempDir(), "hub.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.HubIngest("k", time.Now(), func(HubTx) error { return nil }); err == nil {
		t.Fatal("HubIngest before HubInit succeeded")
	}
	if err := s.HubInit(); err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 11, 28, 3, 0, 0, 0, time.UTC)
	ingest := func(key string, n byte, at time.Time) bool {
		t.Helper()
		dup, err := s.HubIngest(key, at, func(tx HubTx) error {
			rec := append(tx.Device("dev-a"), n)
			if err := tx.PutDevice("dev-a", rec); err != nil {
				return err
			}
			return tx.PutPoint("dev-a", "kws", "v1", at, []byte{n})
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

	s.Close()
	if s, err = Open(path, Options{}); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.HubInit(); err != nil {
		t.Fatal(err)
	}
	devs, err := s.HubDevices()
	if err != nil || len(devs) != 1 || string(devs[0].Data) != "\x01\x02\x03\x04" {
		t.Fatalf("devices after reopen: %v %v, want dev-a with 1 2 3 4", devs, err)
	}
	pts, err := s.HubSeries("dev-a", "kws", t0.Add(time.Minute))
	if err != nil || len(pts) != 3 || pts[0].Data[0] != 2 || pts[0].Version != "v1" || !pts[0].T.Equal(t0.Add(time.Minute)) {
		t.Fatalf("series since t0+1m: %+v %v", pts, err)
	}
	keys, points, err := s.HubPrune(t0.Add(90 * time.Second))
	if err != nil || keys != 2 || points != 2 {
		t.Fatalf("HubPrune: %d keys %d points %v, want 2 and 2", keys, points, err)
	}
	if pts, _ := s.HubSeries("dev-a", "kws", time.Time{}); len(pts) != 2 {
		t.Errorf("%d points left, want 2", len(pts))
	}
}

func TestHubNames(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "hub.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.HubInit(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ device, model string }{{"", "m"}, {"d\x00x", "m"}, {"d", ""}, {"d", "m\x00"}} {
		_, err := s.HubIngest("", time.Now(), func(tx HubTx) error { return tx.PutPoint(tc.device, tc.model, "1", time.Now(), nil) })
		if !errors.Is(err, ErrHubName) {
			t.Errorf("PutPoint(%q, %q): %v, want ErrHubName", tc.device, tc.model, err)
		}
	}
	if _, err := s.HubSeries("d\x00", "m", time.Time{}); !errors.Is(err, ErrHubName) {
		t.Errorf("HubSeries with a NUL: %v", err)
	}
}
