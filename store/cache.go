package store

import (
	"bytes"
	"encoding/binary"
	"time"

	bolt "go.etcd.io/bbolt"
)

// CacheEntry is one cached result.
type CacheEntry struct {
	Key   []byte
	Value []byte
}

// A cache value is stored as created (unix nanoseconds, 8 bytes big
// endian) followed by the payload; cache_age indexes keys by creation time
// so eviction walks oldest-first without a scan.

func entrySize(key, value []byte) int64 { return int64(len(key) + len(value) + 8) }

// CacheGet returns a copy of the value for key if it is present and younger
// than ttl (ttl <= 0: any age).
func (s *Store) CacheGet(key []byte, ttl time.Duration) ([]byte, bool, error) {
	var out []byte
	err := s.view(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketCache).Get(key)
		if len(v) < 8 {
			return nil
		}
		created := time.Unix(0, int64(binary.BigEndian.Uint64(v)))
		if ttl > 0 && s.now().Sub(created) > ttl {
			return nil
		}
		out = bytes.Clone(v[8:])
		if out == nil {
			out = []byte{}
		}
		return nil
	})
	return out, out != nil, err
}

// CachePut stores entries in one transaction, then evicts the oldest
// entries until the cache holds at most capBytes (capBytes <= 0: no cap).
// It returns how many entries were evicted.
func (s *Store) CachePut(entries []CacheEntry, capBytes int64) (evicted int, err error) {
	now := uint64(s.now().UnixNano())
	err = s.update(func(tx *bolt.Tx) error {
		cache, age, meta := tx.Bucket(bucketCache), tx.Bucket(bucketCacheAge), tx.Bucket(bucketMeta)
		total := int64(getUint(meta, keyCacheBytes))
		for _, e := range entries {
			if old := cache.Get(e.Key); len(old) >= 8 {
				total -= entrySize(e.Key, old[8:])
				if err := age.Delete(ageKey(binary.BigEndian.Uint64(old), e.Key)); err != nil {
					return err
				}
			}
			v := make([]byte, 8+len(e.Value))
			binary.BigEndian.PutUint64(v, now)
			copy(v[8:], e.Value)
			if err := cache.Put(e.Key, v); err != nil {
				return err
			}
			if err := age.Put(ageKey(now, e.Key), nil); err != nil {
				return err
			}
			total += entrySize(e.Key, e.Value)
		}
		if capBytes > 0 {
			var err error
			evicted, err = evictOldest(cache, age, &total, func(uint64) bool { return total > capBytes })
			if err != nil {
				return err
			}
		}
		return putUint(meta, keyCacheBytes, uint64(max(total, 0)))
	})
	return evicted, err
}

// CacheExpire deletes entries older than ttl and returns how many.
func (s *Store) CacheExpire(ttl time.Duration) (int, error) {
	cutoff := uint64(s.now().Add(-ttl).UnixNano())
	n := 0
	err := s.update(func(tx *bolt.Tx) error {
		cache, age, meta := tx.Bucket(bucketCache), tx.Bucket(bucketCacheAge), tx.Bucket(bucketMeta)
		total := int64(getUint(meta, keyCacheBytes))
		var err error
		n, err = evictOldest(cache, age, &total, func(created uint64) bool { return created < cutoff })
		if err != nil {
			return err
		}
		return putUint(meta, keyCacheBytes, uint64(max(total, 0)))
	})
	return n, err
}

// evictOldest deletes entries oldest first while more(created) holds,
// keeping *total (the accounted bytes) in step, and returns how many.
func evictOldest(cache, age *bolt.Bucket, total *int64, more func(created uint64) bool) (int, error) {
	n := 0
	c := age.Cursor()
	for k, _ := c.First(); k != nil && more(binary.BigEndian.Uint64(k)); k, _ = c.First() {
		key := bytes.Clone(k[8:])
		if v := cache.Get(key); len(v) >= 8 {
			*total -= entrySize(key, v[8:])
			if err := cache.Delete(key); err != nil {
				return n, err
			}
		}
		if err := c.Delete(); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// CacheStats reports the number of entries and their accounted bytes.
func (s *Store) CacheStats() (entries int, bytes int64, err error) {
	err = s.view(func(tx *bolt.Tx) error {
		entries = tx.Bucket(bucketCache).Stats().KeyN
		bytes = int64(getUint(tx.Bucket(bucketMeta), keyCacheBytes))
		return nil
	})
	return entries, bytes, err
}

func ageKey(created uint64, key []byte) []byte {
	k := make([]byte, 8+len(key))
	binary.BigEndian.PutUint64(k, created)
	copy(k[8:], key)
	return k
}
