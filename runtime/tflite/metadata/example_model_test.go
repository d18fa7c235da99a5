package metadata

import (
	"encoding/base64"
	"flag"
	"os"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/example.b64")

// exampleModel is the model of ExampleRead: one image input, normalized
// as (x - 127.5) / 127.5, and one output labelled by labels.txt.
func exampleModel(t testing.TB) []byte {
	meta := buildFB("M001", tbl{
		0: "pets", 1: "Tells cats from dogs and birds.", 2: "v1", 4: "edgeinfer", 5: "Apache-2.0",
		3: []tbl{{
			2: []tbl{{0: "image", 3: tbl{0: uint8(contentImage), 1: tbl{0: uint8(1)}},
				4: []tbl{normalization([]float32{127.5}, []float32{127.5})}}},
			3: []tbl{{0: "probability", 3: tbl{0: uint8(contentFeature), 1: tbl{}},
				6: []tbl{assocFile("labels.txt", 2)}}},
		}},
	})
	return testModel(t, 1, 1, meta, map[string]string{"labels.txt": "cat\ndog\nbird\n"})
}

// TestExampleModel checks that testdata/example.b64, which ExampleRead
// reads, is exampleModel; -update rewrites it.
func TestExampleModel(t *testing.T) {
	want := base64.StdEncoding.EncodeToString(exampleModel(t)) + "\n"
	if *update {
		if err := os.WriteFile("testdata/example.b64", []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile("testdata/example.b64")
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Fatalf("testdata/example.b64 is not exampleModel (run with -update)")
	}
}
