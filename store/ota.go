package store

import "time"

// Download records the progress of a model download so a restarted agent
// resumes it with a Range request instead of starting over.
type Download struct {
	Model   string    `json:"model"`
	Version string    `json:"version"`
	URL     string    `json:"url"`
	SHA256  string    `json:"sha256"`
	Path    string    `json:"path"` // the partial file
	Size    int64     `json:"size"` // expected total
	Have    int64     `json:"have"` // bytes written and synced
	Updated time.Time `json:"updated"`
}

// PutDownload stores the progress of the download of d.Model.
func (s *Store) PutDownload(d Download) error {
	d.Updated = s.now().UTC()
	return s.putJSON(bucketOTA, d.Model, d)
}

// GetDownload returns the recorded download of model.
func (s *Store) GetDownload(model string) (Download, bool, error) {
	var d Download
	ok, err := s.getJSON(bucketOTA, model, &d)
	return d, ok, err
}

// DeleteDownload forgets the download of model.
func (s *Store) DeleteDownload(model string) error { return s.deleteKey(bucketOTA, model) }
