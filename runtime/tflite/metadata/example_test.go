package metadata_test

import (
	"encoding/base64"
	"fmt"
	"os"

	"github.com/edgeinfer/edgeinfer/runtime/tflite/metadata"
)

func ExampleRead() {
	// A small model with metadata and a zip of labels (see exampleModel).
	b64, err := os.ReadFile("testdata/example.b64")
	if err != nil {
		fmt.Println(err)
		return
	}
	model, err := base64.StdEncoding.DecodeString(string(b64))
	if err != nil {
		fmt.Println(err)
		return
	}
	md, err := metadata.Read(model)
	switch {
	case err != nil:
		fmt.Println(err)
		return
	case md == nil:
		fmt.Println("no metadata")
		return
	}
	fmt.Printf("%s %s by %s (%s): %s\n", md.Name, md.Version, md.Author, md.License, md.Description)
	in := md.Inputs[0]
	fmt.Printf("input %s: %s %s, mean %v std %v\n", in.Name, in.Kind, in.Image.ColorSpace, in.Normalization.Mean, in.Normalization.Std)
	out := md.Outputs[0]
	fmt.Printf("output %s: %d labels from %s: %q\n", out.Name, len(out.Labels.List), out.Labels.File, out.Labels.List)
	// Output:
	// pets v1 by edgeinfer (Apache-2.0): Tells cats from dogs and birds.
	// input image: image RGB, mean [127.5] std [127.5]
	// output probability: 3 labels from labels.txt: ["cat" "dog" "bird"]
}
