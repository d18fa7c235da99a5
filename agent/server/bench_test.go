package server

import (
	"context"
	"testing"

	"github.com/edgeinfer/edgeinfer/client"
	"github.com/edgeinfer/edgeinfer/internal/apitest"
)

// BenchmarkSocket measures the API's own cost per inference: a client
// request over the real socket to a backend that answers at once (decode,
// validate, encode, HTTP/1.1 over the Unix socket, both ways).
func BenchmarkSocket(b *testing.B) {
	dir := b.TempDir()
	ln, err := Listen(dir+"/s.sock", 0, "")
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, ln, apitest.New(), Options{}) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			b.Error(err)
		}
	}()
	c := &client.Client{Socket: dir + "/s.sock"}
	x := []client.Tensor{client.Float32Tensor("x", []int64{1, 3}, []float32{1, 2, 3})}
	image := []client.Tensor{{Name: "b", Datatype: "UINT8", Shape: []int64{1, 4}, Data: []byte{1, 2, 3, 4}}}
	for _, bc := range []struct {
		name   string
		infer  func(context.Context, string, []client.Tensor, ...client.InferOption) (*client.Result, error)
		model  string
		inputs []client.Tensor
	}{
		{"binary", c.Infer, "double", x},
		{"json", c.InferJSON, "double", x},
		{"binary-uint8", c.Infer, "bytes", image},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := bc.infer(context.Background(), bc.model, bc.inputs); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
