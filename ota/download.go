package ota

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

const (
	// checkpointBytes is how often a download syncs its partial file and
	// records its progress, bounding what a kill -9 costs.
	checkpointBytes = 256 << 10
	// diskMargin is kept free beyond the file itself.
	diskMargin = 8 << 20
	// downloadAttempts is how many times one update resumes a cut
	// transfer before it gives up until the next retry.
	downloadAttempts = 6
)

// download is one file transfer into a partial file, resumable across
// attempts and across restarts through the journal's download record.
type download struct {
	m       *Manifest
	partial string
	journal journal
	client  *http.Client
	// sync flushes the partial file to disk.
	sync func(*os.File) error
	// headerTimeout bounds the wait for answer headers, idleTimeout the
	// time without a byte received, per request.
	headerTimeout, idleTimeout time.Duration
	// progress is called as bytes arrive (have of m.Size).
	progress func(have int64)

	f    *os.File
	h    hash.Hash
	have int64
	// Fetched counts the bytes received from the network by this
	// download, Resumed the bytes it found already on disk.
	Fetched, Resumed int64
}

// open prepares the partial file: it keeps the bytes a matching download
// record vouches for and hashes them, or starts from zero.
func (d *download) open() error {
	rec, ok, err := d.journal.download(d.m.Name)
	if err != nil {
		return err
	}
	if ok && (rec.Version != d.m.Version || rec.SHA256 != d.m.SHA256 || rec.Path != d.partial) {
		if rec.Path != d.partial {
			os.Remove(rec.Path) // an older update's partial file
		}
		ok = false
	}
	d.f, err = os.OpenFile(d.partial, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("ota: staging file: %w", err)
	}
	if ok && rec.Have > 0 && rec.Have <= d.m.Size {
		if st, err := d.f.Stat(); err == nil && st.Size() >= rec.Have {
			d.have = rec.Have
		}
	}
	if err := d.f.Truncate(d.have); err != nil {
		return fmt.Errorf("ota: staging file: %w", err)
	}
	d.h = sha256.New()
	if _, err := io.Copy(d.h, io.NewSectionReader(d.f, 0, d.have)); err != nil {
		return fmt.Errorf("ota: staging file %s: %w", d.partial, err)
	}
	if _, err := d.f.Seek(d.have, io.SeekStart); err != nil {
		return fmt.Errorf("ota: staging file: %w", err)
	}
	d.Resumed = d.have
	return d.checkpoint()
}

// restart throws away what was downloaded (the server ignored the Range).
func (d *download) restart() error {
	d.have = 0
	d.h.Reset()
	if err := d.f.Truncate(0); err != nil {
		return err
	}
	_, err := d.f.Seek(0, io.SeekStart)
	return err
}

// checkpoint makes the bytes so far durable, then records them.
func (d *download) checkpoint() error {
	if err := d.sync(d.f); err != nil {
		return fmt.Errorf("ota: sync %s: %w", d.partial, err)
	}
	return d.journal.putDownload(downloadRecord{
		Model: d.m.Name, Version: d.m.Version, URL: d.m.URLs[0], SHA256: d.m.SHA256,
		Path: d.partial, Size: d.m.Size, Have: d.have,
	})
}

func (d *download) close() error { return d.f.Close() }

// run transfers the rest of the file, resuming after a cut, and checks its
// size and sha256. It leaves a complete, synced, verified partial file.
func (d *download) run(ctx context.Context, wait time.Duration) error {
	var last error
	for attempt := 0; attempt < downloadAttempts && d.have < d.m.Size; attempt++ {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return context.Cause(ctx)
			case <-time.After(wait << min(attempt-1, 4)):
			}
		}
		url := d.m.URLs[attempt%len(d.m.URLs)]
		err := d.fetch(ctx, url)
		if cerr := d.checkpoint(); err == nil {
			err = cerr
		}
		if err == nil {
			continue
		}
		if ctx.Err() != nil {
			return context.Cause(ctx)
		}
		if errors.Is(err, ErrHashMismatch) {
			return err
		}
		last = err
	}
	if d.have < d.m.Size {
		return fmt.Errorf("ota: download %s %s: %d of %d bytes after %d attempts: %w", d.m.Name, d.m.Version, d.have, d.m.Size, downloadAttempts, last)
	}
	if got := hex.EncodeToString(d.h.Sum(nil)); got != d.m.SHA256 {
		return fmt.Errorf("%w: %s %s: sha256 %s, manifest says %s", ErrHashMismatch, d.m.Name, d.m.Version, got, d.m.SHA256)
	}
	return nil
}

// fetch makes one request, from d.have on, and appends what arrives. It
// gives up when the answer headers take longer than headerTimeout or no
// byte arrives for idleTimeout.
func (d *download) fetch(parent context.Context, url string) error {
	ctx, cancel := context.WithCancelCause(parent)
	defer cancel(nil)
	stalled := func() error {
		if parent.Err() == nil {
			return context.Cause(ctx)
		}
		return nil
	}
	timer := time.AfterFunc(d.headerTimeout, func() {
		cancel(fmt.Errorf("%w: no answer from %s within %s", ErrStalled, url, d.headerTimeout))
	})
	defer func() { timer.Stop() }()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("ota: download %s: %w", url, err)
	}
	if d.have > 0 {
		req.Header.Set("Range", "bytes="+strconv.FormatInt(d.have, 10)+"-")
	}
	resp, err := d.client.Do(req)
	if err != nil {
		if cause := stalled(); cause != nil {
			return cause
		}
		return fmt.Errorf("ota: download: %w", err)
	}
	defer resp.Body.Close()
	idle := func() {
		cancel(fmt.Errorf("%w: no data from %s for %s", ErrStalled, url, d.idleTimeout))
	}
	timer.Stop()
	timer = time.AfterFunc(d.idleTimeout, idle)
	switch resp.StatusCode {
	case http.StatusOK:
		if d.have > 0 {
			if err := d.restart(); err != nil {
				return fmt.Errorf("ota: staging file: %w", err)
			}
		}
	case http.StatusPartialContent:
		if start, ok := rangeStart(resp.Header.Get("Content-Range")); !ok || start != d.have {
			return fmt.Errorf("ota: download %s: Content-Range %q does not start at byte %d", url, resp.Header.Get("Content-Range"), d.have)
		}
	default:
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
		return fmt.Errorf("ota: download %s: %s: %s", url, resp.Status, strings.TrimSpace(string(msg)))
	}
	buf := make([]byte, 64<<10)
	since := int64(0)
	body := io.LimitReader(resp.Body, d.m.Size-d.have+1)
	for {
		n, rerr := body.Read(buf)
		if n > 0 {
			timer.Reset(d.idleTimeout)
			if d.have+int64(n) > d.m.Size {
				d.failMismatch()
				return fmt.Errorf("%w: %s %s: the server sent more than the manifest's %d bytes", ErrHashMismatch, d.m.Name, d.m.Version, d.m.Size)
			}
			if _, err := d.f.Write(buf[:n]); err != nil {
				return fmt.Errorf("ota: write %s: %w", d.partial, err)
			}
			d.h.Write(buf[:n])
			d.have += int64(n)
			d.Fetched += int64(n)
			since += int64(n)
			if since >= checkpointBytes {
				since = 0
				if err := d.checkpoint(); err != nil {
					return err
				}
			}
			d.progress(d.have)
		}
		if rerr == io.EOF {
			if d.have < d.m.Size {
				return fmt.Errorf("ota: download %s: the server ended the body at byte %d of %d", url, d.have, d.m.Size)
			}
			return nil
		}
		if rerr != nil {
			if cause := stalled(); cause != nil {
				return fmt.Errorf("%w at byte %d of %d", cause, d.have, d.m.Size)
			}
			return fmt.Errorf("ota: download %s at byte %d: %w", url, d.have, rerr)
		}
	}
}

// failMismatch forgets a download whose bytes cannot be right.
func (d *download) failMismatch() {
	d.have = 0
	d.f.Truncate(0)
}

// rangeStart reads the first byte of "bytes START-END/TOTAL".
func rangeStart(cr string) (int64, bool) {
	rest, ok := strings.CutPrefix(cr, "bytes ")
	if !ok {
		return 0, false
	}
	start, _, ok := strings.Cut(rest, "-")
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(start, 10, 64)
	return n, err == nil
}
