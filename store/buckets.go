package store

import (
	"bytes"
	"errors"
	"fmt"
	"slices"

	bolt "go.etcd.io/bbolt"
)

// A program that keeps records of its own in a store file (edgeinfer hub
// keeps its devices, series and idempotency keys in DIR/hub.db) reads and
// writes buckets of its own through Tx. The store owns the file: its
// layout checks at Open, the turning of corruption into ErrCorrupt, and
// durability (every committed transaction is fsynced). The caller owns its
// buckets' names, keys and encodings; the store knows nothing of them,
// and a Tx cannot reach the store's own buckets (cache, models, ota, spool,
// meta).

// Errors of Tx.
var (
	// ErrReservedBucket means a Tx named one of the store's own buckets.
	ErrReservedBucket = errors.New("store: bucket is the store's own")
	// ErrNoBucket means a Tx named a bucket that CreateBuckets did not make.
	ErrNoBucket = errors.New("store: no such bucket")
)

// Tx is a transaction over the caller's buckets. It is valid only during
// the function it is passed to; so are the keys and values Ascend hands
// out.
type Tx struct{ tx *bolt.Tx }

// CreateBuckets creates the named buckets if they are missing.
func (s *Store) CreateBuckets(names ...string) error {
	return s.update(func(tx *bolt.Tx) error {
		for _, name := range names {
			if reserved(name) {
				return fmt.Errorf("%w: %q", ErrReservedBucket, name)
			}
			if _, err := tx.CreateBucketIfNotExists([]byte(name)); err != nil {
				return fmt.Errorf("store: create bucket %q: %w", name, err)
			}
		}
		return nil
	})
}

// View runs fn in a read-only transaction.
func (s *Store) View(fn func(Tx) error) error {
	return s.view(func(tx *bolt.Tx) error { return fn(Tx{tx}) })
}

// Update runs fn in a write transaction, committed (and fsynced) when fn
// returns nil and rolled back otherwise.
func (s *Store) Update(fn func(Tx) error) error {
	return s.update(func(tx *bolt.Tx) error { return fn(Tx{tx}) })
}

// Batch is Update for many concurrent callers: their functions share one
// commit (waiting at most Options.MaxBatchDelay for company), so fn may
// run more than once, each time in a fresh transaction. It must have no
// effect outside the Tx.
func (s *Store) Batch(fn func(Tx) error) (err error) {
	defer s.recoverCorrupt(&err)
	return s.db.Batch(func(tx *bolt.Tx) error { return fn(Tx{tx}) })
}

// bucket returns the caller's bucket of that name.
func (t Tx) bucket(name string) (*bolt.Bucket, error) {
	if reserved(name) {
		return nil, fmt.Errorf("%w: %q", ErrReservedBucket, name)
	}
	b := t.tx.Bucket([]byte(name))
	if b == nil {
		return nil, fmt.Errorf("%w: %q", ErrNoBucket, name)
	}
	return b, nil
}

// Get returns a copy of the value of key in bucket, or nil.
func (t Tx) Get(bucket string, key []byte) ([]byte, error) {
	b, err := t.bucket(bucket)
	if err != nil {
		return nil, err
	}
	return bytes.Clone(b.Get(key)), nil
}

// Put sets the value of key in bucket.
func (t Tx) Put(bucket string, key, value []byte) error {
	b, err := t.bucket(bucket)
	if err != nil {
		return err
	}
	return b.Put(key, value)
}

// Delete removes key from bucket (a missing key is no error).
func (t Tx) Delete(bucket string, key []byte) error {
	b, err := t.bucket(bucket)
	if err != nil {
		return err
	}
	return b.Delete(key)
}

// Ascend calls fn with the keys of bucket from the first key at or after
// from (nil: the first key) in ascending byte order, until fn returns
// false or an error. k and v are valid only during fn; fn must not write
// to bucket (collect the keys, then Delete them).
func (t Tx) Ascend(bucket string, from []byte, fn func(k, v []byte) (more bool, err error)) error {
	b, err := t.bucket(bucket)
	if err != nil {
		return err
	}
	c := b.Cursor()
	k, v := c.First()
	if from != nil {
		k, v = c.Seek(from)
	}
	for ; k != nil; k, v = c.Next() {
		more, err := fn(k, v)
		if err != nil || !more {
			return err
		}
	}
	return nil
}

// reserved reports whether name is one of the store's own buckets.
func reserved(name string) bool {
	return slices.ContainsFunc(allBuckets, func(b []byte) bool { return string(b) == name })
}
