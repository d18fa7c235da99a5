package store

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Journal is the ota bucket: what the update loop keeps of its own
// (download progress, refused versions, the newest manifest time taken
// per model), as values by key whose encoding is the loop's business.
// Every write is durable. Get it with Store.OTAJournal.
type Journal struct{ s *Store }

// OTAJournal returns the update loop's journal in this file.
func (s *Store) OTAJournal() Journal { return Journal{s} }

// Get returns the value of key.
func (j Journal) Get(key string) ([]byte, bool, error) {
	var out []byte
	err := j.s.view(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketOTA).Get([]byte(key)); v != nil {
			out = append([]byte{}, v...)
		}
		return nil
	})
	return out, out != nil, err
}

// Put stores value under key durably.
func (j Journal) Put(key string, value []byte) error {
	if key == "" {
		return fmt.Errorf("store: journal entry without a key")
	}
	return j.s.update(func(tx *bolt.Tx) error { return tx.Bucket(bucketOTA).Put([]byte(key), value) })
}

// Delete removes key.
func (j Journal) Delete(key string) error { return j.s.deleteKey(bucketOTA, key) }

// createdPrefix keys the newest created time of the manifests taken per
// model in the journal. Files written before the journal kept it hold it
// in the model records' "created" field; moveCreated copies it over.
const createdPrefix = "created/"

// moveCreated copies into the journal the "created" time that older files
// keep in model records, where the journal has none or an older one (the
// value is the time as JSON, as the update loop writes it). With write
// false it only counts the records to copy, in a read transaction.
func moveCreated(tx *bolt.Tx, write bool) (n int, err error) {
	models, journal := tx.Bucket(bucketModels), tx.Bucket(bucketOTA)
	err = models.ForEach(func(k, v []byte) error {
		var old struct {
			Created time.Time `json:"created"`
		}
		if json.Unmarshal(v, &old) != nil || old.Created.IsZero() || strings.ContainsRune(string(k), '/') {
			return nil
		}
		key := []byte(createdPrefix + string(k))
		var have time.Time
		if cur := journal.Get(key); cur != nil && json.Unmarshal(cur, &have) == nil && !have.Before(old.Created) {
			return nil
		}
		n++
		if !write {
			return nil
		}
		b, err := json.Marshal(old.Created)
		if err != nil {
			return err
		}
		return journal.Put(key, b)
	})
	return n, err
}
