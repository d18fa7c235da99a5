package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func TestCompress(t *testing.T) {
	in := conformance(t, "tfls_mobilenet_v1_025_224_float", "model.tflite")
	out := filepath.Join(t.TempDir(), "fp16.tflite")
	stdout, stderr, code := edgeinfer("compress", in, "-o", out, "--to", "fp16", "--samples", "2", "--seed", "5")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	st, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout, "1882904 bytes -> "+out+": "+strconv.FormatInt(st.Size(), 10)+" bytes") || !strings.Contains(stdout, "agreement on 2 random inputs (seed 5)") {
		t.Errorf("stdout:\n%s", stdout)
	}
	m := regexp.MustCompile(`output 0 MobilenetV1/Predictions/Reshape_1: mean \|diff\| (\S+), max \|diff\| (\S+)\n`).FindStringSubmatch(stdout)
	if m == nil {
		t.Fatalf("no agreement line in:\n%s", stdout)
	}
	mean, _ := strconv.ParseFloat(m[1], 64)
	maxd, _ := strconv.ParseFloat(m[2], 64)
	if mean <= 0 || mean > maxd || maxd > 5e-3 {
		t.Errorf("mean %g max %g, want 0 < mean <= max <= 5e-3", mean, maxd)
	}
	stdout, stderr, code = edgeinfer("inspect", out)
	if code != 0 || !strings.Contains(stdout, "DEQUANTIZE         56") || !strings.Contains(stdout, "supported: yes") {
		t.Errorf("inspect of the output: exit %d\n%s%s", code, stdout, stderr)
	}
}

func TestCompressRefuses(t *testing.T) {
	quant := conformance(t, "tfls_mobilenet_v1_025_224_quant", "model.tflite")
	out := filepath.Join(t.TempDir(), "out.tflite")
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no output", []string{quant, "--to", "fp16"}, 2, "missing -o OUT.tflite"},
		{"unknown target", []string{quant, "-o", out, "--to", "int4"}, 2, `--to "int4": want fp16`},
		{"integer model", []string{quant, "-o", out, "--to", "fp16"}, 1, "no float32 constant tensor to convert"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, code := edgeinfer(append([]string{"compress"}, tc.args...)...)
			if code != tc.code || !strings.Contains(stderr, tc.want) {
				t.Fatalf("exit %d, stderr %q; want %d and %q", code, stderr, tc.code, tc.want)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Fatalf("%s was written", out)
			}
		})
	}
}
