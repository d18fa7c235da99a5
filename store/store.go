package store

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// SchemaVersion is the layout version this code reads and writes.
const SchemaVersion = 1

var (
	bucketCache    = []byte("cache")
	bucketCacheAge = []byte("cache_age")
	bucketModels   = []byte("models")
	bucketOTA      = []byte("ota")
	bucketSpool    = []byte("spool")
	bucketMeta     = []byte("meta")
	allBuckets     = [][]byte{bucketCache, bucketCacheAge, bucketModels, bucketOTA, bucketSpool, bucketMeta}

	keyApp        = []byte("app")
	keySchema     = []byte("schema")
	keyDeviceID   = []byte("device_id")
	keyCacheBytes = []byte("cache_bytes")
	keySpoolBytes = []byte("spool_bytes")
	keySpoolDrops = []byte("spool_dropped")
	appName       = []byte("edgeinfer")
)

// Options tune Open. The zero value is the default.
type Options struct {
	// LockTimeout is how long Open waits for another process to release
	// the file; default 1s.
	LockTimeout time.Duration
	// SkipCheck skips the consistency check of every page at Open.
	SkipCheck bool
	// MaxBatchDelay is the longest a Batch waits for other callers to
	// share its commit; default bbolt's 10 ms.
	MaxBatchDelay time.Duration
	// Now is the clock (tests); default time.Now.
	Now func() time.Time
}

// Store is an open state file. It is safe for concurrent use.
type Store struct {
	db   *bolt.DB
	path string
	now  func() time.Time
}

// Open opens or creates the state file at path.
func Open(path string, opts Options) (*Store, error) {
	if opts.LockTimeout == 0 {
		opts.LockTimeout = time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return nil, fmt.Errorf("store: %s is a directory, want a file", path)
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: opts.LockTimeout})
	if err != nil {
		switch {
		case errors.Is(err, bolterrors.ErrTimeout):
			return nil, fmt.Errorf("%w: %s", ErrLocked, path)
		case errors.Is(err, bolterrors.ErrInvalid), errors.Is(err, bolterrors.ErrVersionMismatch):
			return nil, fmt.Errorf("%w: %s is not a bbolt database (%v); it was left untouched", ErrForeign, path, err)
		case errors.Is(err, bolterrors.ErrChecksum):
			return nil, fmt.Errorf("%w: %s: %v; it was left untouched", ErrCorrupt, path, err)
		}
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	if opts.MaxBatchDelay > 0 {
		db.MaxBatchDelay = opts.MaxBatchDelay
	}
	s := &Store{db: db, path: path, now: opts.Now}
	if err := s.init(!opts.SkipCheck); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// init checks an existing file or lays out a new one.
func (s *Store) init(check bool) error {
	fresh := false
	err := s.view(func(tx *bolt.Tx) error {
		if check {
			if err := walk(tx); err != nil {
				return fmt.Errorf("%w: %s: %v; it was left untouched", ErrCorrupt, s.path, err)
			}
		}
		meta := tx.Bucket(bucketMeta)
		if meta == nil {
			empty := true
			tx.ForEach(func([]byte, *bolt.Bucket) error { empty = false; return nil })
			if !empty {
				return fmt.Errorf("%w: %s is a bbolt database of another program; it was left untouched", ErrForeign, s.path)
			}
			fresh = true
			return nil
		}
		if string(meta.Get(keyApp)) != string(appName) {
			return fmt.Errorf("%w: %s has no edgeinfer marker; it was left untouched", ErrForeign, s.path)
		}
		if v := getUint(meta, keySchema); v > SchemaVersion {
			return fmt.Errorf("%w: %s has schema %d, this edgeinfer reads up to %d", ErrNewerSchema, s.path, v, SchemaVersion)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if !fresh {
		return s.moveCreatedToJournal()
	}
	return s.update(func(tx *bolt.Tx) error {
		for _, name := range allBuckets {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		meta := tx.Bucket(bucketMeta)
		if err := meta.Put(keyApp, appName); err != nil {
			return err
		}
		return putUint(meta, keySchema, SchemaVersion)
	})
}

// moveCreatedToJournal copies, once, what an older file keeps in its
// model records for the journal; a file with nothing to copy is not
// written.
func (s *Store) moveCreatedToJournal() error {
	var n int
	err := s.view(func(tx *bolt.Tx) (err error) {
		n, err = moveCreated(tx, false)
		return err
	})
	if err != nil || n == 0 {
		return err
	}
	return s.update(func(tx *bolt.Tx) error {
		_, err := moveCreated(tx, true)
		return err
	})
}

// walk reads every key of every bucket, so a damaged page shows up now, as
// an error or a panic that view turns into ErrCorrupt, rather than in the
// middle of serving. (bbolt's own Tx.Check runs in a goroutine of its own,
// where a damaged page's panic would kill the process.)
func walk(tx *bolt.Tx) error {
	var visit func(b *bolt.Bucket) error
	visit = func(b *bolt.Bucket) error {
		return b.ForEach(func(k, v []byte) error {
			if v == nil {
				if sub := b.Bucket(k); sub != nil {
					return visit(sub)
				}
			}
			return nil
		})
	}
	return tx.ForEach(func(_ []byte, b *bolt.Bucket) error { return visit(b) })
}

// Close closes the file.
func (s *Store) Close() error { return s.db.Close() }

// Path is the file's path.
func (s *Store) Path() string { return s.path }

// view and update run a transaction, turning a panic inside bbolt (which
// it raises on some kinds of page corruption) into ErrCorrupt.
func (s *Store) view(fn func(*bolt.Tx) error) (err error) {
	defer s.recoverCorrupt(&err)
	return s.db.View(fn)
}

func (s *Store) update(fn func(*bolt.Tx) error) (err error) {
	defer s.recoverCorrupt(&err)
	return s.db.Update(fn)
}

func (s *Store) recoverCorrupt(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("%w: %s: %v", ErrCorrupt, s.path, r)
	}
}

// DeviceID returns the device id stored in the file, creating a random one
// the first time.
func (s *Store) DeviceID() (string, error) {
	var id string
	err := s.update(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if v := meta.Get(keyDeviceID); v != nil {
			id = string(v)
			return nil
		}
		var b [8]byte
		if _, err := rand.Read(b[:]); err != nil {
			return err
		}
		id = "dev-" + hex.EncodeToString(b[:])
		return meta.Put(keyDeviceID, []byte(id))
	})
	return id, err
}

// SetDeviceID stores an explicit device id.
func (s *Store) SetDeviceID(id string) error {
	return s.update(func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Put(keyDeviceID, []byte(id)) })
}

func getUint(b *bolt.Bucket, key []byte) uint64 {
	v := b.Get(key)
	if len(v) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(v)
}

func putUint(b *bolt.Bucket, key []byte, v uint64) error {
	var buf [8]byte
	binary.BigEndian.PutUint64(buf[:], v)
	return b.Put(key, buf[:])
}
