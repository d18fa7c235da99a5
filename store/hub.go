package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The fleet hub (edgeinfer hub) keeps its state in a store file of its
// own, with three buckets beside the agent's (which stay empty there):
// hub_keys (idempotency key → time received, for deduplication),
// hub_devices (device id → the hub's record of the device, opaque here)
// and hub_series (device ‖ 0 ‖ model ‖ 0 ‖ time ‖ version → one point of a
// latency series, opaque here). HubInit creates them.
var (
	bucketHubKeys    = []byte("hub_keys")
	bucketHubDevices = []byte("hub_devices")
	bucketHubSeries  = []byte("hub_series")
)

// ErrHubName reports a device or model name the hub cannot key on.
var ErrHubName = errors.New("store: name is empty or contains a NUL byte")

// HubInit creates the hub's buckets if they are missing. Call it once
// after Open on the hub's file, before any HubIngest. It also shortens
// the wait of HubIngest's shared commits to 1 ms (bbolt's default is
// 10 ms, which a lone upload would pay in full).
func (s *Store) HubInit() error {
	s.db.MaxBatchDelay = time.Millisecond
	return s.update(func(tx *bolt.Tx) error {
		for _, name := range [][]byte{bucketHubKeys, bucketHubDevices, bucketHubSeries} {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return fmt.Errorf("store: create bucket %s: %w", name, err)
			}
		}
		return nil
	})
}

// HubTx is the write transaction HubIngest hands to its function. It is
// valid only during that call.
type HubTx struct{ tx *bolt.Tx }

// Device returns a copy of a device's record, or nil.
func (h HubTx) Device(id string) []byte {
	return bytes.Clone(h.tx.Bucket(bucketHubDevices).Get([]byte(id)))
}

// PutDevice stores a device's record.
func (h HubTx) PutDevice(id string, rec []byte) error {
	if !hubName(id) {
		return fmt.Errorf("%w: device %q", ErrHubName, id)
	}
	return h.tx.Bucket(bucketHubDevices).Put([]byte(id), rec)
}

// PutPoint stores one point of a model version's series on a device.
func (h HubTx) PutPoint(device, model, version string, t time.Time, p []byte) error {
	if !hubName(device) || !hubName(model) || strings.IndexByte(version, 0) >= 0 {
		return fmt.Errorf("%w: device %q, model %q, version %q", ErrHubName, device, model, version)
	}
	k := append(seriesPrefix(device, model), timeKey(t)...)
	k = append(k, version...)
	return h.tx.Bucket(bucketHubSeries).Put(k, p)
}

func hubName(s string) bool { return s != "" && strings.IndexByte(s, 0) < 0 }

func seriesPrefix(device, model string) []byte {
	k := make([]byte, 0, len(device)+len(model)+2+8+16)
	k = append(k, device...)
	k = append(k, 0)
	k = append(k, model...)
	return append(k, 0)
}

// timeKey encodes t for ordered keys; times before 1970 (the zero Time
// among them) encode as 1970.
func timeKey(t time.Time) []byte {
	var b [8]byte
	if t.After(time.Unix(0, 0)) {
		binary.BigEndian.PutUint64(b[:], uint64(t.UnixNano()))
	}
	return b[:]
}

// HubIngest runs fn in one durable transaction and records key as seen,
// unless key was seen before: then it returns dup and runs nothing. So a
// batch retried with the same idempotency key counts once, even across a
// crash between the write and the answer. An empty key skips the check.
//
// Concurrent calls share one commit (bbolt's Batch), so fn may run more
// than once, each time in a fresh transaction: it must not have effects
// outside the HubTx.
func (s *Store) HubIngest(key string, at time.Time, fn func(HubTx) error) (dup bool, err error) {
	defer s.recoverCorrupt(&err)
	err = s.db.Batch(func(tx *bolt.Tx) error {
		dup = false
		keys := tx.Bucket(bucketHubKeys)
		if keys == nil {
			return errors.New("store: hub buckets missing (HubInit was not called)")
		}
		if key != "" {
			if keys.Get([]byte(key)) != nil {
				dup = true
				return nil
			}
			if err := keys.Put([]byte(key), timeKey(at)); err != nil {
				return err
			}
		}
		return fn(HubTx{tx})
	})
	return dup, err
}

// HubRecord is one stored device record.
type HubRecord struct {
	ID   string
	Data []byte
}

// HubDevices returns every device record, ordered by id.
func (s *Store) HubDevices() ([]HubRecord, error) {
	var out []HubRecord
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketHubDevices)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			out = append(out, HubRecord{ID: string(k), Data: bytes.Clone(v)})
			return nil
		})
	})
	return out, err
}

// HubPoint is one stored series point.
type HubPoint struct {
	Version string
	T       time.Time
	Data    []byte
}

// HubSeries returns the points of every version of a model on a device
// from since on, oldest first.
func (s *Store) HubSeries(device, model string, since time.Time) ([]HubPoint, error) {
	var out []HubPoint
	if !hubName(device) || !hubName(model) {
		return nil, fmt.Errorf("%w: device %q, model %q", ErrHubName, device, model)
	}
	prefix := seriesPrefix(device, model)
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketHubSeries)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		for k, v := c.Seek(append(bytes.Clone(prefix), timeKey(since)...)); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			rest := k[len(prefix):]
			if len(rest) < 8 {
				continue
			}
			out = append(out, HubPoint{
				T:       time.Unix(0, int64(binary.BigEndian.Uint64(rest[:8]))).UTC(),
				Version: string(rest[8:]),
				Data:    bytes.Clone(v),
			})
		}
		return nil
	})
	return out, err
}

// HubPrune deletes idempotency keys received and series points dated
// before a time, and returns how many of each went.
func (s *Store) HubPrune(before time.Time) (keys, points int, err error) {
	limit := uint64(before.UnixNano())
	err = s.update(func(tx *bolt.Tx) error {
		var err error
		if keys, err = deleteWhere(tx.Bucket(bucketHubKeys), func(_, v []byte) bool {
			return len(v) == 8 && binary.BigEndian.Uint64(v) < limit
		}); err != nil {
			return err
		}
		points, err = deleteWhere(tx.Bucket(bucketHubSeries), func(k, _ []byte) bool {
			t, ok := seriesTime(k)
			return ok && t < limit
		})
		return err
	})
	return keys, points, err
}

// seriesTime reads the time out of a series key.
func seriesTime(k []byte) (uint64, bool) {
	i := bytes.IndexByte(k, 0)
	if i < 0 {
		return 0, false
	}
	j := bytes.IndexByte(k[i+1:], 0)
	if j < 0 {
		return 0, false
	}
	rest := k[i+1+j+1:]
	if len(rest) < 8 {
		return 0, false
	}
	return binary.BigEndian.Uint64(rest[:8]), true
}

// deleteWhere deletes the keys of b (nil: none) for which old is true.
func deleteWhere(b *bolt.Bucket, old func(k, v []byte) bool) (int, error) {
	if b == nil {
		return 0, nil
	}
	var doomed [][]byte
	b.ForEach(func(k, v []byte) error {
		if old(k, v) {
			doomed = append(doomed, bytes.Clone(k))
		}
		return nil
	})
	for _, k := range doomed {
		if err := b.Delete(k); err != nil {
			return 0, err
		}
	}
	return len(doomed), nil
}
