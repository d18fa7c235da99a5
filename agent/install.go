package agent

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// installTempPrefix starts the name of a model file being copied in; such
// files left by a kill are removed at start.
const installTempPrefix = ".install-"

// Install copies the model file f into the agent's data directory, loads
// it and makes it the serving version of name (a new model, or a
// replacement). The caller opened f with its own rights (the agent never
// opens a caller's path); it must be a regular file of at most
// Config.MaxInstallBytes, read from its start whatever its offset. The copy
// is hashed as it is written, ends when ctx ends, and is removed when the
// install fails. If the new version fails to load, the serving version,
// if any, keeps serving and the error says why. The install is remembered
// across restarts when the agent has a store.
func (a *Agent) Install(ctx context.Context, name string, f *os.File) (ModelStatus, error) {
	if !ValidModelName(name) {
		return ModelStatus{}, fmt.Errorf("%w: model name %q must be 1-64 letters, digits, '_', '.' or '-'", ErrBadRequest, name)
	}
	fi, err := f.Stat()
	if err != nil {
		return ModelStatus{}, fmt.Errorf("%w: the model file: %w", ErrBadRequest, err)
	}
	if !fi.Mode().IsRegular() {
		return ModelStatus{}, fmt.Errorf("%w: the model file is not a regular file (%s)", ErrBadRequest, fileKind(fi.Mode()))
	}
	limit := a.maxInstallBytes()
	if fi.Size() > limit {
		return ModelStatus{}, fmt.Errorf("%w: the model file has %d bytes, more than the limit of %d (max_install_bytes)", ErrTooLarge, fi.Size(), limit)
	}
	dir := filepath.Join(a.modelDir, name)
	tmp, digest, err := copyIn(ctx, f, dir, limit)
	if err != nil {
		return ModelStatus{}, fmt.Errorf("agent: installing %s: %w", name, err)
	}
	dst := filepath.Join(dir, digest[:12]+".tflite")
	created := false
	if have, err := fileDigest(dst); err == nil && have == digest {
		os.Remove(tmp) // same content already installed
	} else {
		if err := os.Rename(tmp, dst); err != nil {
			os.Remove(tmp)
			return ModelStatus{}, fmt.Errorf("agent: installing %s: %w", name, err)
		}
		created = true
		syncDir(dir)
	}
	st, err := a.Activate(ctx, Activation{Name: name, Version: digest[:12], Path: dst})
	if err != nil && created {
		os.Remove(dst)
		syncDir(dir)
	}
	return st, err
}

// fileKind names a non-regular file's type for an error.
func fileKind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	}
	return "type " + m.Type().String()
}

func (a *Agent) maxInstallBytes() int64 {
	a.cfgMu.RLock()
	defer a.cfgMu.RUnlock()
	if a.cfg.MaxInstallBytes > 0 {
		return a.cfg.MaxInstallBytes
	}
	return DefaultMaxInstall
}

// copyIn copies src, from its start, into a new temporary file in dir,
// hashing what it writes, and syncs it. It stops with an error when ctx
// ends or src holds more than limit bytes (it may grow while it is read),
// and then leaves nothing behind. It returns the temporary file's path and
// the sha256 of its content.
func copyIn(ctx context.Context, src io.ReaderAt, dir string, limit int64) (string, string, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", "", err
	}
	tmp, err := os.CreateTemp(dir, installTempPrefix+"*")
	if err != nil {
		return "", "", err
	}
	h := sha256.New()
	n, err := copyCtx(ctx, io.MultiWriter(tmp, h), io.NewSectionReader(src, 0, limit+1))
	if err == nil && n > limit {
		err = fmt.Errorf("%w: the model file grew past the limit of %d bytes while it was read", ErrTooLarge, limit)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp.Name())
		return "", "", err
	}
	return tmp.Name(), hexSum(h), nil
}

func hexSum(h hash.Hash) string { return hex.EncodeToString(h.Sum(nil)) }

// copyCtx is io.Copy in 1 MiB steps that stops when ctx ends.
func copyCtx(ctx context.Context, dst io.Writer, src io.Reader) (int64, error) {
	buf := make([]byte, 1<<20)
	var n int64
	for {
		if err := ctx.Err(); err != nil {
			return n, fmt.Errorf("copy stopped after %d bytes: %w", n, err)
		}
		r, rerr := src.Read(buf)
		if r > 0 {
			w, werr := dst.Write(buf[:r])
			n += int64(w)
			if werr != nil {
				return n, werr
			}
		}
		if errors.Is(rerr, io.EOF) {
			return n, nil
		}
		if rerr != nil {
			return n, fmt.Errorf("reading the model file: %w", rerr)
		}
	}
}

// syncDir makes a rename or removal in dir durable (best effort).
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// sweepInstallTemps removes the temporary copies of installs a kill
// interrupted (models/NAME/.install-*).
func (a *Agent) sweepInstallTemps() {
	dirs, err := os.ReadDir(a.modelDir)
	if err != nil {
		return
	}
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		files, _ := os.ReadDir(filepath.Join(a.modelDir, d.Name()))
		for _, f := range files {
			if strings.HasPrefix(f.Name(), installTempPrefix) {
				p := filepath.Join(a.modelDir, d.Name(), f.Name())
				if err := os.Remove(p); err == nil {
					a.log.Info("removed the copy of an interrupted install", "file", p)
				}
			}
		}
	}
}
