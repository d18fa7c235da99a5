package store

import "time"

// Rejected records a model version the OTA loop gave up on (its file did
// not match, it failed to load or its smoke test, or it was rolled back),
// so the retained desired state that still names it is not taken again.
// A re-push of the same version with a different file (sha256) is a new
// candidate.
type Rejected struct {
	Model   string    `json:"model"`
	Version string    `json:"version"`
	SHA256  string    `json:"sha256"`
	Reason  string    `json:"reason"`
	At      time.Time `json:"at"`
}

// rejectedKey keeps rejections in the ota bucket beside download records;
// model names never contain a slash.
func rejectedKey(model string) string { return "rejected/" + model }

// PutRejected durably records r as the latest rejection for r.Model.
func (s *Store) PutRejected(r Rejected) error {
	r.At = s.now().UTC()
	return s.putJSON(bucketOTA, rejectedKey(r.Model), r)
}

// GetRejected returns the latest rejection recorded for model.
func (s *Store) GetRejected(model string) (Rejected, bool, error) {
	var r Rejected
	ok, err := s.getJSON(bucketOTA, rejectedKey(model), &r)
	return r, ok, err
}
