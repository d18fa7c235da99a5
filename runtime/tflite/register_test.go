package tflite

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/internal/sharedtest"
	"github.com/edgeinfer/edgeinfer/runtime"
)

// TestRegisteredBackend: runtime.Open and runtime.Load reach this package
// by the file identifier or by name, with or without a batch, and give the
// same answers as Open; a file without the identifier is not taken.
func TestRegisteredBackend(t *testing.T) {
	path := filepath.Join(sharedtest.Dir(t), "conformance", "tflm_hello_world_float", "model.tflite")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	direct, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer direct.Close()
	in := make([]byte, direct.Inputs()[0].ByteSize())
	want, err := direct.Run(context.Background(), runtime.Options{}, [][]byte{in})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		open  func() (runtime.Model, error)
		batch int
	}{
		{"Open, identified", func() (runtime.Model, error) { return runtime.Open(path, runtime.OpenOptions{}) }, 1},
		{"Open, named, batch 4", func() (runtime.Model, error) {
			return runtime.Open(path, runtime.OpenOptions{Backend: BackendName, Batch: 4})
		}, 4},
		{"Load, identified", func() (runtime.Model, error) { return runtime.Load(b, runtime.OpenOptions{}) }, 1},
		{"Load, batch 2", func() (runtime.Model, error) { return runtime.Load(b, runtime.OpenOptions{Batch: 2}) }, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rm, err := tc.open()
			if err != nil {
				t.Fatal(err)
			}
			m, ok := rm.(*Model)
			if !ok {
				t.Fatalf("runtime gave a %T, want *tflite.Model", rm)
			}
			defer m.Close()
			if m.Batch() != tc.batch {
				t.Errorf("batch %d, want %d", m.Batch(), tc.batch)
			}
			got, err := m.Run(context.Background(), runtime.Options{}, [][]byte{bytes.Repeat(in, tc.batch)})
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got[0], bytes.Repeat(want[0], tc.batch)) {
				t.Errorf("outputs %v, want %v per row", got[0], want[0])
			}
		})
	}
	if err := (backend{}).Identify([]byte("\x1c\x00\x00\x00TFL2")); err == nil {
		t.Error("Identify took a file without TFL3")
	}
	if _, err := runtime.Load(b, runtime.OpenOptions{Batch: maxBatch + 1}); err == nil || !strings.Contains(err.Error(), "outside 1..") {
		t.Errorf("a batch past the bound: %v", err)
	}
}
