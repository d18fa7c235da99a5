package hub

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// validHex reports whether h is a sha256 digest in lower-case hex.
func validHex(h string) bool {
	if len(h) != 64 {
		return false
	}
	for _, c := range h {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

func (s *Server) blobPath(h string) string {
	return filepath.Join(s.o.DataDir, "blobs", "sha256", h)
}

// handlePutBlob stores a blob under its digest: the body is hashed while
// it streams to a temporary file, which is renamed into place (after
// fsync) only when the digest matches.
func (s *Server) handlePutBlob(w http.ResponseWriter, r *http.Request) {
	if s.o.Token == "" {
		s.httpError(w, r, http.StatusForbidden, "uploads are disabled: the hub was started without --token")
		return
	}
	if !s.authorized(r) {
		s.httpError(w, r, http.StatusUnauthorized, "missing or wrong bearer token")
		return
	}
	h := r.PathValue("hex")
	if !validHex(h) {
		s.httpError(w, r, http.StatusBadRequest, "want /v1/blobs/sha256/<64 lower-case hex digits>")
		return
	}
	if r.ContentLength > s.o.MaxBlob {
		s.httpError(w, r, http.StatusRequestEntityTooLarge, fmt.Sprintf("blob larger than %d bytes", s.o.MaxBlob))
		return
	}
	// The uploader is authorized: past the request's read timeout its body
	// may take as long as it needs while bytes keep coming.
	body := &progressReader{r: http.MaxBytesReader(w, r.Body, s.o.MaxBlob), rc: http.NewResponseController(w), idle: s.o.ReadTimeout}
	size, status, err := s.storeBlob(h, body)
	if err != nil {
		if status == http.StatusInternalServerError {
			s.log.Error("storing a blob failed", "digest", h, "err", err)
		}
		s.httpError(w, r, status, err.Error())
		return
	}
	writeJSON(w, status, map[string]any{"url": s.baseURL(r) + "/v1/blobs/sha256/" + h, "digest": "sha256:" + h, "size": size})
}

// progressReader moves the connection's read deadline idle ahead of
// every read, so a body is cut when it stalls rather than when it is long.
type progressReader struct {
	r    io.Reader
	rc   *http.ResponseController
	idle time.Duration
}

func (p *progressReader) Read(b []byte) (int, error) {
	if err := p.rc.SetReadDeadline(time.Now().Add(p.idle)); err != nil {
		return 0, fmt.Errorf("read deadline: %w", err)
	}
	return p.r.Read(b)
}

// storeBlob writes body as blob h and returns its size and the status to
// answer: 201 when stored, 200 when it was there already.
func (s *Server) storeBlob(h string, body io.Reader) (int64, int, error) {
	tmp, err := os.CreateTemp(filepath.Join(s.o.DataDir, "blobs", "tmp"), "upload-*")
	if err != nil {
		return 0, http.StatusInternalServerError, fmt.Errorf("temporary file: %w", err)
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	sum := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, sum), body)
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return 0, http.StatusRequestEntityTooLarge, fmt.Errorf("blob larger than %d bytes", s.o.MaxBlob)
	case err != nil:
		return 0, http.StatusBadRequest, fmt.Errorf("reading body: %w", err)
	}
	if got := hex.EncodeToString(sum.Sum(nil)); got != h {
		return 0, http.StatusBadRequest, fmt.Errorf("digest mismatch: the body's sha256 is %s", got)
	}
	final := s.blobPath(h)
	if _, err := os.Stat(final); err == nil {
		return n, http.StatusOK, nil
	}
	if err := tmp.Sync(); err != nil {
		return 0, http.StatusInternalServerError, fmt.Errorf("sync %s: %w", tmp.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		return 0, http.StatusInternalServerError, fmt.Errorf("close %s: %w", tmp.Name(), err)
	}
	if err := os.Rename(tmp.Name(), final); err != nil {
		return 0, http.StatusInternalServerError, fmt.Errorf("rename into place: %w", err)
	}
	if dir, err := os.Open(filepath.Dir(final)); err == nil {
		dir.Sync()
		dir.Close()
	}
	return n, http.StatusCreated, nil
}

// baseURL is the URL prefix of the hub as clients see it.
func (s *Server) baseURL(r *http.Request) string {
	if s.o.PublicURL != "" {
		return strings.TrimSuffix(s.o.PublicURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// handleGetBlob serves a blob, with Range and conditional requests.
func (s *Server) handleGetBlob(w http.ResponseWriter, r *http.Request) {
	h := r.PathValue("hex")
	if !validHex(h) {
		s.httpError(w, r, http.StatusBadRequest, "want /v1/blobs/sha256/<64 lower-case hex digits>")
		return
	}
	f, err := os.Open(s.blobPath(h))
	if errors.Is(err, os.ErrNotExist) {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "no blob sha256:" + h})
		return
	}
	if err != nil {
		s.log.Error("opening a blob failed", "digest", h, "err", err)
		s.httpError(w, r, http.StatusInternalServerError, "opening the blob failed")
		return
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		s.httpError(w, r, http.StatusInternalServerError, "reading the blob failed")
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("ETag", `"sha256:`+h+`"`)
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	http.ServeContent(w, r, "", st.ModTime(), f)
}
