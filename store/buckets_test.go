package store

import (
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
)

func TestCallerBuckets(t *testing.T) {
	path := filepath.Join(t.TempDir(), "other.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"cache", "models", "ota", "spool", "meta", "cache_age"} {
		if err := s.CreateBuckets(name); !errors.Is(err, ErrReservedBucket) {
			t.Errorf("CreateBuckets(%q): %v, want ErrReservedBucket", name, err)
		}
		if err := s.Update(func(tx Tx) error { return tx.Put(name, []byte("k"), []byte("v")) }); !errors.Is(err, ErrReservedBucket) {
			t.Errorf("Put into %q: %v, want ErrReservedBucket", name, err)
		}
	}
	if err := s.Update(func(tx Tx) error { return tx.Put("points", []byte("k"), nil) }); !errors.Is(err, ErrNoBucket) {
		t.Errorf("Put before CreateBuckets: %v, want ErrNoBucket", err)
	}
	if err := s.CreateBuckets("points", "keys"); err != nil {
		t.Fatal(err)
	}
	// Concurrent batches share commits; each one lands once.
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			if err := s.Batch(func(tx Tx) error { return tx.Put("points", fmt.Appendf(nil, "p%02d", i), []byte{byte(i)}) }); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if err := s.Update(func(tx Tx) error { return tx.Delete("points", []byte("p00")) }); err != nil {
		t.Fatal(err)
	}
	s.Close()

	if s, err = Open(path, Options{}); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var got []string
	err = s.View(func(tx Tx) error {
		if v, err := tx.Get("points", []byte("p07")); err != nil || len(v) != 1 || v[0] != 7 {
			return fmt.Errorf("Get p07 = %v, %v", v, err)
		}
		if v, err := tx.Get("points", []byte("p00")); err != nil || v != nil {
			return fmt.Errorf("deleted p00 = %v, %v", v, err)
		}
		return tx.Ascend("points", []byte("p15"), func(k, _ []byte) (bool, error) {
			got = append(got, string(k))
			return len(got) < 3, nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != "[p15 p16 p17]" {
		t.Errorf("Ascend from p15, three keys: %v", got)
	}
	if err := s.View(func(tx Tx) error { return tx.Put("points", []byte("x"), nil) }); err == nil {
		t.Error("Put in a read-only transaction succeeded")
	}
}
