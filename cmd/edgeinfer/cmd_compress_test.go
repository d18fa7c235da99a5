package main

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
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
	m := regexp.MustCompile(`output 0 MobilenetV1/Predictions/Reshape_1: top-1 \d/2, mean \|diff\| (\S+), max \|diff\| (\S+)\n`).FindStringSubmatch(stdout)
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
		{"unknown target", []string{quant, "-o", out, "--to", "int4"}, 2, `--to "int4": want fp16, int8-weights or int8`},
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

// calibDir makes a calibration folder of the model's shared case inputs
// and a PNG image.
func calibDir(t *testing.T, model string) string {
	t.Helper()
	dir := t.TempDir()
	cases, err := filepath.Glob(filepath.Join(filepath.Dir(conformance(t, model, "model.tflite")), "case_*", "in_0.bin"))
	if err != nil || len(cases) == 0 {
		t.Fatalf("no cases of %s: %v", model, err)
	}
	for i, c := range cases {
		b, err := os.ReadFile(c)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("case%d.bin", i)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	img := image.NewRGBA(image.Rect(0, 0, 40, 30))
	for y := range 30 {
		for x := range 40 {
			img.SetRGBA(x, y, color.RGBA{uint8(6 * x), uint8(8 * y), uint8(x * y), 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "gradient.png"), b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestCompressInt8(t *testing.T) {
	const name = "tiny_vww_96_float"
	in := conformance(t, name, "model.tflite")
	calib := calibDir(t, name)
	for _, tc := range []struct {
		name   string
		args   []string
		inputs string // what inspect shows of the input
		ops    string
	}{
		{"int8-weights", []string{"--to", "int8-weights"}, "float32[1,96,96,3]", "CONV_2D"},
		{"int8", []string{"--to", "int8", "--calibration", calib, "--mean", "127.5", "--std", "127.5"}, "float32[1,96,96,3]", "QUANTIZE "},
		{"int8 io", []string{"--to", "int8", "--calibration", calib, "--mean", "127.5", "--std", "127.5", "--int8-io"}, "int8[1,96,96,3]", "CONV_2D"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "small.tflite")
			stdout, stderr, code := edgeinfer(append([]string{"compress", in, "-o", out}, tc.args...)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			st, err := os.Stat(out)
			if err != nil {
				t.Fatal(err)
			}
			if st.Size() > 866284*40/100 || !strings.Contains(stdout, "866284 bytes -> "+out+": "+strconv.FormatInt(st.Size(), 10)+" bytes") {
				t.Errorf("%d bytes; stdout:\n%s", st.Size(), stdout)
			}
			want := "agreement on 4 random inputs (seed 1)"
			if tc.args[1] == "int8" {
				want = "agreement on the 4 samples of " + calib
			}
			m := regexp.MustCompile(`output 0 \S+: top-1 (\d)/(\d), mean \|diff\| (\S+), max \|diff\| (\S+)\n`).FindStringSubmatch(stdout)
			if !strings.Contains(stdout, want) || m == nil {
				t.Fatalf("stdout:\n%s", stdout)
			}
			if top1, n := m[1], m[2]; top1 < "3" || n != "4" {
				t.Errorf("top-1 agreement %s/%s, want at least 3/4", top1, n)
			}
			stdout, stderr, code = edgeinfer("inspect", out)
			if code != 0 || !strings.Contains(stdout, tc.inputs) || !strings.Contains(stdout, tc.ops) || !strings.Contains(stdout, "supported: yes") {
				t.Errorf("inspect: exit %d\n%s%s", code, stdout, stderr)
			}
		})
	}
}

func TestCompressInt8Refuses(t *testing.T) {
	vww := conformance(t, "tiny_vww_96_float", "model.tflite")
	fp16 := filepath.Join(t.TempDir(), "fp16.tflite")
	if _, stderr, code := edgeinfer("compress", vww, "-o", fp16, "--to", "fp16"); code != 0 {
		t.Fatalf("fp16: exit %d: %s", code, stderr)
	}
	out := filepath.Join(t.TempDir(), "out.tflite")
	empty := t.TempDir()
	wrong := t.TempDir()
	if err := os.WriteFile(filepath.Join(wrong, "short.bin"), []byte("1234"), 0o644); err != nil {
		t.Fatal(err)
	}
	calib := calibDir(t, "tiny_vww_96_float")
	broken := writeFile(t, "broken.tflite", []byte("TFL3 but not a model"))
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no calibration", []string{vww, "-o", out, "--to", "int8"}, 2, "--to int8 needs --calibration DIR"},
		{"int8 io without int8", []string{vww, "-o", out, "--to", "fp16", "--int8-io"}, 2, "--int8-io goes with --to int8"},
		{"bad mean", []string{vww, "-o", out, "--to", "int8", "--calibration", empty, "--mean", "x"}, 2, `--mean "x"`},
		{"empty calibration", []string{vww, "-o", out, "--to", "int8", "--calibration", empty}, 1, empty + " holds no sample files"},
		{"wrong size", []string{vww, "-o", out, "--to", "int8", "--calibration", wrong}, 1, "short.bin: 4 bytes, want 110592"},
		{"operator without a rule", []string{fp16, "-o", out, "--to", "int8", "--calibration", calib, "--mean", "127.5", "--std", "127.5"}, 1, "operator 0 (DEQUANTIZE) has no int8 rule"},
		{"malformed model", []string{broken, "-o", out, "--to", "int8-weights"}, 1, broken},
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
