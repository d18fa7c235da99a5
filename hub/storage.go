package hub

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/edgeinfer/edgeinfer/store"
)

// The hub's database is a store file of its own (DIR/hub.db). The store
// owns the file (layout checks, corruption, fsync); this file owns the
// hub's three buckets, their keys and encodings:
//
//	hub_keys     idempotency key → time received (8 bytes, big-endian ns)
//	hub_devices  device id → deviceRecord (JSON)
//	hub_series   device ‖ 0 ‖ model ‖ 0 ‖ time (8 bytes) ‖ version → point (JSON)
const (
	bucketKeys    = "hub_keys"
	bucketDevices = "hub_devices"
	bucketSeries  = "hub_series"
)

// errBadName reports a device or model name the hub cannot key on.
var errBadName = errors.New("hub: name is empty or contains a NUL byte")

// storage is the hub's database.
type storage struct{ st *store.Store }

// openStorage opens or creates the hub's database at path.
func openStorage(path string) (*storage, error) {
	// A lone upload waits 1 ms for others to share its commit (bbolt's
	// default, 10 ms, is paid in full when the fleet is quiet).
	st, err := store.Open(path, store.Options{MaxBatchDelay: time.Millisecond})
	if err != nil {
		return nil, err
	}
	if err := st.CreateBuckets(bucketKeys, bucketDevices, bucketSeries); err != nil {
		st.Close()
		return nil, err
	}
	return &storage{st: st}, nil
}

func (s *storage) close() error { return s.st.Close() }

// ingestTx is the write transaction ingest hands to its function.
type ingestTx struct{ tx store.Tx }

// device returns a device's record; ok is false for a new device.
func (t ingestTx) device(id string) (rec deviceRecord, ok bool, err error) {
	raw, err := t.tx.Get(bucketDevices, []byte(id))
	if err != nil || raw == nil {
		return rec, false, err
	}
	if err := json.Unmarshal(raw, &rec); err != nil {
		return rec, false, fmt.Errorf("hub: record of device %s: %w", id, err)
	}
	return rec, true, nil
}

// putDevice stores a device's record.
func (t ingestTx) putDevice(rec deviceRecord) error {
	if !validName(rec.ID) {
		return fmt.Errorf("%w: device %q", errBadName, rec.ID)
	}
	raw, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	return t.tx.Put(bucketDevices, []byte(rec.ID), raw)
}

// putPoint stores one point of a model version's series on a device.
func (t ingestTx) putPoint(device, model, version string, at time.Time, p point) error {
	if !validName(device) || !validName(model) || strings.IndexByte(version, 0) >= 0 {
		return fmt.Errorf("%w: device %q, model %q, version %q", errBadName, device, model, version)
	}
	raw, err := json.Marshal(p)
	if err != nil {
		return err
	}
	k := append(seriesPrefix(device, model), timeKey(at)...)
	return t.tx.Put(bucketSeries, append(k, version...), raw)
}

// ingest runs fn in one durable transaction and records key as seen,
// unless key was seen before: then it returns dup and runs nothing. So a
// batch retried with the same idempotency key counts once, even across a
// crash between the write and the answer. An empty key skips the check.
//
// Concurrent calls share one commit, so fn may run more than once, each
// time in a fresh transaction: it must have no effect outside the
// ingestTx.
func (s *storage) ingest(key string, at time.Time, fn func(ingestTx) error) (dup bool, err error) {
	err = s.st.Batch(func(tx store.Tx) error {
		dup = false
		if key != "" {
			seen, err := tx.Get(bucketKeys, []byte(key))
			if err != nil {
				return err
			}
			if seen != nil {
				dup = true
				return nil
			}
			if err := tx.Put(bucketKeys, []byte(key), timeKey(at)); err != nil {
				return err
			}
		}
		return fn(ingestTx{tx})
	})
	return dup, err
}

// devices returns every device's record, ordered by id.
func (s *storage) devices() ([]deviceRecord, error) {
	var out []deviceRecord
	err := s.st.View(func(tx store.Tx) error {
		return tx.Ascend(bucketDevices, nil, func(k, v []byte) (bool, error) {
			var rec deviceRecord
			if err := json.Unmarshal(v, &rec); err != nil {
				return false, fmt.Errorf("hub: record of device %s: %w", k, err)
			}
			out = append(out, rec)
			return true, nil
		})
	})
	return out, err
}

// seriesPoint is one stored point of a series.
type seriesPoint struct {
	T       time.Time
	Version string
	point
}

// series returns the points of every version of a model on a device from
// since on, oldest first. A point that does not decode is skipped and
// counted in bad.
func (s *storage) series(device, model string, since time.Time) (pts []seriesPoint, bad int, err error) {
	if !validName(device) || !validName(model) {
		return nil, 0, fmt.Errorf("%w: device %q, model %q", errBadName, device, model)
	}
	prefix := seriesPrefix(device, model)
	err = s.st.View(func(tx store.Tx) error {
		return tx.Ascend(bucketSeries, append(bytes.Clone(prefix), timeKey(since)...), func(k, v []byte) (bool, error) {
			if !bytes.HasPrefix(k, prefix) {
				return false, nil
			}
			rest := k[len(prefix):]
			if len(rest) < 8 {
				return true, nil
			}
			p := seriesPoint{T: time.Unix(0, int64(binary.BigEndian.Uint64(rest[:8]))).UTC(), Version: string(rest[8:])}
			if err := json.Unmarshal(v, &p.point); err != nil {
				bad++
				return true, nil
			}
			pts = append(pts, p)
			return true, nil
		})
	})
	return pts, bad, err
}

// prune deletes idempotency keys received and series points dated before
// a time, and returns how many of each went.
func (s *storage) prune(before time.Time) (keys, points int, err error) {
	limit := uint64(before.UnixNano())
	err = s.st.Update(func(tx store.Tx) error {
		var err error
		if keys, err = deleteWhere(tx, bucketKeys, func(_, v []byte) bool {
			return len(v) == 8 && binary.BigEndian.Uint64(v) < limit
		}); err != nil {
			return err
		}
		points, err = deleteWhere(tx, bucketSeries, func(k, _ []byte) bool {
			t, ok := seriesTime(k)
			return ok && t < limit
		})
		return err
	})
	return keys, points, err
}

// deleteWhere deletes the keys of a bucket for which old is true.
func deleteWhere(tx store.Tx, bucket string, old func(k, v []byte) bool) (int, error) {
	var doomed [][]byte
	err := tx.Ascend(bucket, nil, func(k, v []byte) (bool, error) {
		if old(k, v) {
			doomed = append(doomed, bytes.Clone(k))
		}
		return true, nil
	})
	if err != nil {
		return 0, err
	}
	for _, k := range doomed {
		if err := tx.Delete(bucket, k); err != nil {
			return 0, err
		}
	}
	return len(doomed), nil
}

func validName(s string) bool { return s != "" && strings.IndexByte(s, 0) < 0 }

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
