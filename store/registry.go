package store

import (
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// ModelVersion is one installed version of a model.
type ModelVersion struct {
	Version   string    `json:"version"`
	Digest    string    `json:"digest"` // sha256 of the file, hex
	Path      string    `json:"path"`
	Activated time.Time `json:"activated,omitzero"`
}

// ModelRecord is the registry entry of one model name. The agent is its
// only writer: an activation, a rollback or the end of a health watch is
// one call of UpdateModel, so the record never holds half of one.
type ModelRecord struct {
	Name     string        `json:"name"`
	Active   *ModelVersion `json:"active,omitempty"`
	Previous *ModelVersion `json:"previous,omitempty"`
	// State is the agent's word for the model: "active", "watching",
	// "rolled back: reason".
	State string `json:"state"`
	// WatchUntil is the end of the active version's health window while
	// State is "watching".
	WatchUntil time.Time `json:"watch_until,omitzero"`
	// Manifest is the signed envelope the active version came in (over
	// the air), or empty.
	Manifest json.RawMessage `json:"manifest,omitempty"`
	Updated  time.Time       `json:"updated"`
}

// UpdateModel reads the record of name (the zero record with Name set
// when there is none; found tells), lets fn change it and stores it, all
// in one durable transaction. An error from fn stores nothing and is
// returned.
func (s *Store) UpdateModel(name string, fn func(rec *ModelRecord, found bool) error) error {
	if name == "" {
		return fmt.Errorf("store: model record without a name")
	}
	return s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketModels)
		rec := ModelRecord{Name: name}
		found := false
		if v := b.Get([]byte(name)); v != nil {
			found = true
			if err := json.Unmarshal(v, &rec); err != nil {
				return fmt.Errorf("%w: %s: model record %q: %v", ErrCorrupt, s.path, name, err)
			}
		}
		if err := fn(&rec, found); err != nil {
			return err
		}
		rec.Name = name
		rec.Updated = s.now().UTC()
		v, err := json.Marshal(rec)
		if err != nil {
			return fmt.Errorf("store: encode model record %q: %w", name, err)
		}
		return b.Put([]byte(name), v)
	})
}

// GetModel returns the record of name.
func (s *Store) GetModel(name string) (ModelRecord, bool, error) {
	var r ModelRecord
	ok, err := s.getJSON(bucketModels, name, &r)
	return r, ok, err
}

// DeleteModel removes the record of name.
func (s *Store) DeleteModel(name string) error { return s.deleteKey(bucketModels, name) }

// Models lists every registry record, ordered by name.
func (s *Store) Models() ([]ModelRecord, error) {
	var out []ModelRecord
	err := s.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketModels).ForEach(func(k, v []byte) error {
			var r ModelRecord
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("%w: %s: model record %q: %v", ErrCorrupt, s.path, k, err)
			}
			out = append(out, r)
			return nil
		})
	})
	return out, err
}

func (s *Store) getJSON(bucket []byte, key string, v any) (bool, error) {
	found := false
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucket).Get([]byte(key))
		if b == nil {
			return nil
		}
		found = true
		if err := json.Unmarshal(b, v); err != nil {
			return fmt.Errorf("%w: %s: %s/%s: %v", ErrCorrupt, s.path, bucket, key, err)
		}
		return nil
	})
	return found, err
}

func (s *Store) deleteKey(bucket []byte, key string) error {
	return s.update(func(tx *bolt.Tx) error { return tx.Bucket(bucket).Delete([]byte(key)) })
}
