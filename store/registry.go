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

// ModelRecord is the registry entry of one model name.
type ModelRecord struct {
	Name     string        `json:"name"`
	Active   *ModelVersion `json:"active,omitempty"`
	Previous *ModelVersion `json:"previous,omitempty"`
	// State is the agent's word for the model: "active", "updating",
	// "failed: reason", ...
	State    string          `json:"state"`
	Manifest json.RawMessage `json:"manifest,omitempty"`
	// Created is the newest created time of the manifests taken for the
	// model; older manifests are refused as replays.
	Created time.Time `json:"created,omitzero"`
	Updated time.Time `json:"updated"`
}

// PutModel stores a registry record durably.
func (s *Store) PutModel(r ModelRecord) error {
	if r.Name == "" {
		return fmt.Errorf("store: model record without a name")
	}
	r.Updated = s.now().UTC()
	return s.putJSON(bucketModels, r.Name, r)
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

func (s *Store) putJSON(bucket []byte, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("store: encode %s/%s: %w", bucket, key, err)
	}
	return s.update(func(tx *bolt.Tx) error { return tx.Bucket(bucket).Put([]byte(key), b) })
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
