package store

import (
	"bytes"
	"encoding/binary"

	bolt "go.etcd.io/bbolt"
)

// SpoolAppend adds a batch under the next sequence number, then drops the
// oldest batches while the spool holds more than capBytes (capBytes <= 0:
// no cap). Dropped batches are counted in SpoolStats.
func (s *Store) SpoolAppend(data []byte, capBytes int64) (seq uint64, dropped int, err error) {
	err = s.update(func(tx *bolt.Tx) error {
		sp, meta := tx.Bucket(bucketSpool), tx.Bucket(bucketMeta)
		var err error
		if seq, err = sp.NextSequence(); err != nil {
			return err
		}
		if err := sp.Put(seqKey(seq), data); err != nil {
			return err
		}
		total := int64(getUint(meta, keySpoolBytes)) + int64(len(data))
		if capBytes > 0 {
			c := sp.Cursor()
			for k, v := c.First(); k != nil && total > capBytes; k, v = c.First() {
				total -= int64(len(v))
				if err := c.Delete(); err != nil {
					return err
				}
				dropped++
			}
		}
		if dropped > 0 {
			if err := putUint(meta, keySpoolDrops, getUint(meta, keySpoolDrops)+uint64(dropped)); err != nil {
				return err
			}
		}
		return putUint(meta, keySpoolBytes, uint64(max(total, 0)))
	})
	return seq, dropped, err
}

// SpoolOldest returns the oldest batch and its sequence number; ok is
// false when the spool is empty.
func (s *Store) SpoolOldest() (seq uint64, data []byte, ok bool, err error) {
	err = s.view(func(tx *bolt.Tx) error {
		k, v := tx.Bucket(bucketSpool).Cursor().First()
		if k == nil {
			return nil
		}
		seq, data, ok = binary.BigEndian.Uint64(k), bytes.Clone(v), true
		return nil
	})
	return seq, data, ok, err
}

// SpoolDelete removes a delivered batch.
func (s *Store) SpoolDelete(seq uint64) error {
	return s.update(func(tx *bolt.Tx) error {
		sp, meta := tx.Bucket(bucketSpool), tx.Bucket(bucketMeta)
		v := sp.Get(seqKey(seq))
		if v == nil {
			return nil
		}
		total := int64(getUint(meta, keySpoolBytes)) - int64(len(v))
		if err := sp.Delete(seqKey(seq)); err != nil {
			return err
		}
		return putUint(meta, keySpoolBytes, uint64(max(total, 0)))
	})
}

// SpoolStats reports the spooled batches, their bytes and how many batches
// the cap has dropped since the file was created.
func (s *Store) SpoolStats() (batches int, bytes int64, dropped uint64, err error) {
	err = s.view(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		batches = tx.Bucket(bucketSpool).Stats().KeyN
		bytes = int64(getUint(meta, keySpoolBytes))
		dropped = getUint(meta, keySpoolDrops)
		return nil
	})
	return batches, bytes, dropped, err
}

func seqKey(seq uint64) []byte {
	var k [8]byte
	binary.BigEndian.PutUint64(k[:], seq)
	return k[:]
}
