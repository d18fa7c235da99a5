package agent

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// installPath installs the file at path as the socket API would: opened
// by the caller and handed over.
func installPath(t testing.TB, a *Agent, name, path string) (ModelStatus, error) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return a.Install(context.Background(), name, f)
}

// modelFiles lists the files under the agent's models directory.
func modelFiles(t *testing.T, a *Agent) []string {
	t.Helper()
	var files []string
	filepath.WalkDir(a.modelDir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, strings.TrimPrefix(p, a.modelDir+"/"))
		}
		return nil
	})
	return files
}

// TestInstallRefusals: files that are not regular, over the size cap, or
// fail to load are refused with an error that says why, and leave no copy
// in the data directory; the serving version keeps serving.
func TestInstallRefusals(t *testing.T) {
	c := testConfig(t, map[string]ModelConfig{tinyModel: {}})
	c.MaxInstallBytes = 100 << 10
	a, _ := newAgent(t, c)
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big.tflite")
	os.WriteFile(big, make([]byte, 100<<10+1), 0o600)
	notModel := filepath.Join(dir, "text.tflite")
	os.WriteFile(notModel, []byte("not a model at all, just text"), 0o600)
	for _, tc := range []struct {
		path   string
		target error
		want   string
	}{
		{"/dev/zero", ErrBadRequest, "not a regular file (a character device)"},
		{dir, ErrBadRequest, "not a regular file (a directory)"},
		{fifo, ErrBadRequest, "not a regular file (a named pipe)"},
		{big, ErrTooLarge, "102401 bytes, more than the limit of 102400"},
		{notModel, ErrInvalidModel, "model " + tinyModel},
	} {
		flags := os.O_RDONLY
		if tc.path == fifo {
			flags |= syscall.O_NONBLOCK
		}
		f, err := os.OpenFile(tc.path, flags, 0)
		if err != nil {
			t.Fatal(err)
		}
		_, err = a.Install(context.Background(), tinyModel, f)
		f.Close()
		if !errors.Is(err, tc.target) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %v saying %q", tc.path, err, tc.target, tc.want)
		}
	}
	if files := modelFiles(t, a); len(files) != 0 {
		t.Errorf("refused installs left %v", files)
	}
	if st, _ := a.Model(tinyModel); st.State != StateReady || st.Path != modelPath(t, tinyModel) {
		t.Errorf("the configured version: %s %s", st.State, st.Path)
	}
}

// TestInstallCancelled: a caller that leaves stops the copy at once, and
// its partial copy is removed.
func TestInstallCancelled(t *testing.T) {
	a, _ := newAgent(t, testConfig(t, nil))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	f, err := os.Open(modelPath(t, quantModel))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	_, err = a.Install(ctx, "m", f)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("install with the caller gone: %v, want context.Canceled", err)
	}
	if files := modelFiles(t, a); len(files) != 0 {
		t.Errorf("the cancelled install left %v", files)
	}
	if _, err := a.Model("m"); !errors.Is(err, ErrNoModel) {
		t.Errorf("model m after a cancelled install: %v", err)
	}
}

// TestInstallReadsFromTheStart: the caller's file offset does not change
// what is installed (the agent reads from byte 0), and the digest is the
// one of the bytes copied.
func TestInstallReadsFromTheStart(t *testing.T) {
	a, _ := newAgent(t, testConfig(t, nil))
	f, err := os.Open(modelPath(t, tinyModel))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	f.Seek(100, 0)
	st, err := a.Install(context.Background(), "sine", f)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := fileDigest(modelPath(t, tinyModel))
	if st.Digest != want {
		t.Errorf("digest %s, want the file's %s", st.Digest, want)
	}
	if files := modelFiles(t, a); len(files) != 1 || files[0] != "sine/"+want[:12]+".tflite" {
		t.Errorf("model files %v", files)
	}
}

// TestInstallTempsSweptAtStart: copies left by a kill -9 during an install
// are removed when the agent starts; installed models stay.
func TestInstallTempsSweptAtStart(t *testing.T) {
	c := testConfig(t, nil)
	leftover := filepath.Join(c.DataDir, "models", "m", installTempPrefix+"123")
	kept := filepath.Join(c.DataDir, "models", "m", "abc.tflite")
	os.MkdirAll(filepath.Dir(leftover), 0o750)
	os.WriteFile(leftover, []byte("half a model"), 0o600)
	os.WriteFile(kept, []byte("x"), 0o600)
	newAgent(t, c)
	if _, err := os.Stat(leftover); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the interrupted install's copy is still there: %v", err)
	}
	if _, err := os.Stat(kept); err != nil {
		t.Errorf("an installed file was removed: %v", err)
	}
}

// cancelAfter is a file of size bytes that ends ctx once the copy has
// read its first chunk, as a caller leaving mid-install does.
type cancelAfter struct {
	size   int64
	cancel context.CancelFunc
	reads  int
}

func (c *cancelAfter) ReadAt(b []byte, off int64) (int, error) {
	c.reads++
	c.cancel()
	if off >= c.size {
		return 0, io.EOF
	}
	return len(b[:min(int64(len(b)), c.size-off)]), nil
}

// TestCopyStopsWhenTheCallerLeaves: a copy in progress stops at the next
// chunk once the caller's context ends, and removes its temporary.
func TestCopyStopsWhenTheCallerLeaves(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	src := &cancelAfter{size: 1 << 30, cancel: cancel}
	_, _, err := copyIn(ctx, src, dir, 2<<30)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("copy with the caller gone: %v", err)
	}
	if src.reads != 1 {
		t.Errorf("%d reads of a 1 GiB file after the caller left, want 1", src.reads)
	}
	if files, _ := os.ReadDir(dir); len(files) != 0 {
		t.Errorf("the stopped copy left %v", files)
	}
}
