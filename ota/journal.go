package ota

import (
	"encoding/json"
	"fmt"
	"time"
)

// Journal keeps what the update loop owns across restarts: the progress of
// each model's download (for a Range resume), the versions it refused for
// good, and the newest manifest creation time it took per model. Values
// are opaque to it and every write is durable; the store's OTAJournal
// implements it.
type Journal interface {
	Get(key string) ([]byte, bool, error)
	Put(key string, value []byte) error
	Delete(key string) error
}

// The loop's journal entries, by key: a model's download progress under
// its name, its refused version under "rejected/NAME", the newest created
// time taken under "created/NAME" (JSON time).
func rejectedKey(model string) string { return "rejected/" + model }
func createdKey(model string) string  { return "created/" + model }

// downloadRecord records the progress of a model download so a restarted
// agent resumes it with a Range request instead of starting over.
type downloadRecord struct {
	Model   string    `json:"model"`
	Version string    `json:"version"`
	URL     string    `json:"url"`
	SHA256  string    `json:"sha256"`
	Path    string    `json:"path"` // the partial file
	Size    int64     `json:"size"` // expected total
	Have    int64     `json:"have"` // bytes written and synced
	Updated time.Time `json:"updated"`
}

// rejection records a model version the loop gave up on (its file did not
// match, it failed to load or its smoke test, or it was rolled back), so
// the retained desired state that still names it is not taken again. A
// re-push of the same version with a different file (sha256) is a new
// candidate.
type rejection struct {
	Model   string    `json:"model"`
	Version string    `json:"version"`
	SHA256  string    `json:"sha256"`
	Reason  string    `json:"reason"`
	At      time.Time `json:"at"`
}

// journal reads and writes the loop's entries in a Journal.
type journal struct{ j Journal }

func (j journal) get(key string, v any) (bool, error) {
	b, ok, err := j.j.Get(key)
	if err != nil || !ok {
		return false, err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return false, fmt.Errorf("ota: journal entry %q: %w", key, err)
	}
	return true, nil
}

func (j journal) put(key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("ota: journal entry %q: %w", key, err)
	}
	return j.j.Put(key, b)
}

func (j journal) download(model string) (d downloadRecord, ok bool, err error) {
	ok, err = j.get(model, &d)
	return d, ok, err
}

func (j journal) putDownload(d downloadRecord) error {
	d.Updated = time.Now().UTC()
	return j.put(d.Model, d)
}

func (j journal) deleteDownload(model string) error { return j.j.Delete(model) }

func (j journal) rejected(model string) (r rejection, ok bool, err error) {
	ok, err = j.get(rejectedKey(model), &r)
	return r, ok, err
}

func (j journal) reject(r rejection) error {
	r.At = time.Now().UTC()
	return j.put(rejectedKey(r.Model), r)
}

// created returns the newest created time of the manifests taken for
// model (zero when none).
func (j journal) created(model string) (time.Time, error) {
	var t time.Time
	_, err := j.get(createdKey(model), &t)
	return t, err
}

// took records that a manifest created at t was taken for model, unless
// a newer one was.
func (j journal) took(model string, t time.Time) error {
	have, err := j.created(model)
	if err != nil || !t.After(have) {
		return err
	}
	return j.put(createdKey(model), t.UTC())
}
