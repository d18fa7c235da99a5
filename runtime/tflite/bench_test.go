package tflite_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/edgeinfer/edgeinfer/internal/sharedtest"
	"github.com/edgeinfer/edgeinfer/runtime"
	"github.com/edgeinfer/edgeinfer/runtime/tflite"
)

// BenchmarkModel runs every conformance model on its first case's inputs,
// at one and two threads: go test -run '^$' -bench Model ./runtime/tflite
func BenchmarkModel(b *testing.B) {
	dir := filepath.Join(sharedtest.Dir(b), "conformance")
	paths, _ := filepath.Glob(filepath.Join(dir, "*", "model.tflite"))
	for _, p := range paths {
		name := filepath.Base(filepath.Dir(p))
		m, err := tflite.Open(p)
		if err != nil {
			b.Logf("%s: %v", name, err)
			continue
		}
		for _, threads := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/threads=%d", name, threads), func(b *testing.B) {
				s, err := m.NewSession(runtime.Options{Threads: threads})
				if err != nil {
					b.Fatal(err)
				}
				defer s.Close()
				for i := range m.Inputs() {
					in, err := os.ReadFile(filepath.Join(filepath.Dir(p), "case_0", fmt.Sprintf("in_%d.bin", i)))
					if err != nil {
						b.Fatal(err)
					}
					copy(s.Input(i), in)
				}
				ctx := context.Background()
				b.ReportAllocs()
				b.ResetTimer()
				for b.Loop() {
					if err := s.Run(ctx); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
		m.Close()
	}
}
