package tflite

import (
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/edgeinfer/edgeinfer/internal/sharedtest"
	"github.com/edgeinfer/edgeinfer/runtime"
)

// helloWorld returns the bytes of the float hello_world model (three
// FULLY_CONNECTED operators), a copy the test may change.
func helloWorld(t *testing.T) []byte {
	t.Helper()
	p := filepath.Join(sharedtest.Dir(t), "conformance", "tflm_hello_world_float", "model.tflite")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// renameOpcode rewrites operator code k of the model in b to the builtin
// code 127 (PLACEHOLDER_FOR_GREATER_OP_CODES), an operator no engine has.
func renameOpcode(t *testing.T, b []byte, k int) {
	t.Helper()
	r := newFBReader(b)
	codes := fbRoot(r).tables(1)
	if r.Err() != nil || k >= len(codes) {
		t.Fatalf("operator code %d not found: %v", k, r.Err())
	}
	if p := codes[k].Field(0, 1); p != 0 {
		b[p] = 127
	}
	if p := codes[k].Field(3, 4); p != 0 {
		binary.LittleEndian.PutUint32(b[p:], 127)
	}
	if codes[k].Field(0, 1) == 0 && codes[k].Field(3, 4) == 0 {
		t.Fatalf("operator code %d stores no builtin code to change", k)
	}
}

func TestDescribeSupported(t *testing.T) {
	d, err := DescribeBytes(helloWorld(t))
	if err != nil {
		t.Fatal(err)
	}
	if !d.Supported() || d.LoadError() != nil || len(d.Unsupported()) != 0 {
		t.Errorf("hello_world: supported=%v, load error %v, unsupported %v", d.Supported(), d.LoadError(), d.Unsupported())
	}
	if len(d.Ops) != 3 || d.OpCounts["FULLY_CONNECTED"] != 3 {
		t.Errorf("ops %v, counts %v; want 3 FULLY_CONNECTED", d.Ops, d.OpCounts)
	}
	if len(d.Inputs) != 1 || len(d.Outputs) != 1 || d.Inputs[0].DType != runtime.Float32 {
		t.Errorf("inputs %v outputs %v", d.Inputs, d.Outputs)
	}
	m, err := Load(helloWorld(t))
	if err != nil {
		t.Fatal(err)
	}
	if d.ArenaBytes != m.ArenaBytes() || d.ArenaBytes == 0 {
		t.Errorf("arena %d bytes, Load plans %d", d.ArenaBytes, m.ArenaBytes())
	}
}

func TestDescribeUnsupported(t *testing.T) {
	b := helloWorld(t)
	renameOpcode(t, b, 0)
	if _, err := Load(b); !errors.Is(err, runtime.ErrUnsupported) {
		t.Fatalf("Load of the renamed model: %v, want ErrUnsupported", err)
	}
	d, err := DescribeBytes(b)
	if err != nil {
		t.Fatalf("Describe must succeed on a model with unsupported operators: %v", err)
	}
	if d.Supported() {
		t.Fatal("Supported() = true for an unknown operator")
	}
	bad := d.Unsupported()
	if len(bad) != 3 {
		t.Fatalf("unsupported %v, want all 3 operators", bad)
	}
	for _, o := range bad {
		if o.Name != "PLACEHOLDER_FOR_GREATER_OP_CODES" || !errors.Is(o.Err, runtime.ErrUnsupported) {
			t.Errorf("operator %d: %s, %v", o.Index, o.Name, o.Err)
		}
	}
	if err := d.LoadError(); !errors.Is(err, runtime.ErrUnsupported) {
		t.Errorf("LoadError() = %v", err)
	}
}

func TestDescribeInvalid(t *testing.T) {
	for _, tc := range []struct {
		name string
		b    []byte
	}{
		{"empty", nil},
		{"not a flatbuffer", []byte("0123456789abcdef")},
		{"truncated", helloWorld(t)[:100]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := DescribeBytes(tc.b); !errors.Is(err, runtime.ErrInvalidModel) {
				t.Errorf("err = %v, want ErrInvalidModel", err)
			}
		})
	}
	if _, err := Describe(filepath.Join(t.TempDir(), "missing.tflite")); err == nil {
		t.Error("Describe of a missing file succeeded")
	}
}

// TestDescribeMetadata checks that Describe reads TFLite Metadata where a
// model has it and reports none where it has not.
func TestDescribeMetadata(t *testing.T) {
	dir := sharedtest.Dir(t)
	d, err := Describe(filepath.Join(dir, "conformance", "tfls_mobilenet_v1_025_224_quant", "model.tflite"))
	if err != nil {
		t.Fatal(err)
	}
	if d.MetadataError != nil || d.Metadata == nil {
		t.Fatalf("Metadata = %v, %v; want the model's", d.Metadata, d.MetadataError)
	}
	if l := d.Metadata.Outputs[0].Labels; l == nil || len(l.List) != 1001 || l.List[0] != "background" {
		t.Errorf("labels = %+v, want 1001 from background", l)
	}
	d, err = DescribeBytes(helloWorld(t))
	if err != nil {
		t.Fatal(err)
	}
	if d.Metadata != nil || d.MetadataError != nil {
		t.Errorf("hello_world: Metadata = %v, %v; want none", d.Metadata, d.MetadataError)
	}
}
