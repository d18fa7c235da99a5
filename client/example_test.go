package client_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/edgeinfer/edgeinfer/client"
)

// The zero Client talks to the agent's default socket (here a test agent
// whose model "double" doubles its input).
func ExampleClient_Infer() {
	var c client.Client
	x := client.Float32Tensor("x", []int64{1, 3}, []float32{1, 2, 3})
	res, err := c.Infer(context.Background(), "double", []client.Tensor{x}, client.Outputs("y"))
	if err != nil {
		log.Fatal(err)
	}
	y, _ := res.Outputs[0].Values()
	fmt.Println(res.Outputs[0].Name, res.Outputs[0].Datatype, res.Outputs[0].Shape, y, "cache:", res.Cache)
	// Output: y FP32 [1 3] [2 4 6] cache: miss
}

func ExampleClient_Models() {
	var c client.Client
	list, err := c.Models(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	for _, m := range list[:3] {
		fmt.Println(m.Name, m.Version, m.State, m.Digest[:12])
	}
	// Output:
	// broken 1 failed 232323232323
	// bytes 1 ready cdcdcdcdcdcd
	// classify 1 ready 454545454545
}

// Errors the agent answers carry its HTTP status and message.
func ExampleError() {
	var c client.Client
	_, err := c.Model(context.Background(), "no-such-model")
	var e *client.Error
	if errors.As(err, &e) {
		fmt.Println(e.Status, e.Message)
	}
	// Output: 404 agent: no such model: "no-such-model"
}

// InferMedia sends an encoded image or WAV file; the agent prepares it as
// the model says and answers with its classes (here the test agent's
// "classify", which labels its one class with the content type it got).
func ExampleClient_InferMedia() {
	var c client.Client
	photo := []byte("\x89PNG\r\n\x1a\n...") // os.ReadFile("cat.png")
	d, err := c.InferMedia(context.Background(), "classify", "", photo, client.TopK(3))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(d.Kind)
	for _, cl := range d.Classes {
		fmt.Printf("%.2f %s\n", cl.Score, cl.Label)
	}
	// Output:
	// classification
	// 1.00 image/png
}
