// Command benchpeers measures edgeinfer against the real TensorFlow Lite
// (LiteRT compiled to WebAssembly, from ../shared/tools/tflite-ref) on the
// same models, machine and run, and prints the latency ratios.
//
//	go run ./internal/benchpeers -edgeinfer bin/edgeinfer [-runs 50] [-threads 1,2] [-ref DIR] [model ...]
//
// Without -ref it copies tools/tflite-ref into a temporary folder and runs
// its setup.sh (npm ci of two pinned packages) first. Models default to the
// six of the speed issue; each is timed on its case_0 inputs, alternating
// engines so both see the same machine load.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/edgeinfer/edgeinfer/internal/sharedtest"
)

var defaultModels = []string{
	"coral_tf2_mobilenet_v2_224_ptq",
	"tfls_mobilenet_v1_025_224_quant",
	"tfls_mobilenet_v1_025_224_float",
	"mp_face_detection_short_range",
	"mp_hand_landmark_lite",
	"tfls_deeplabv3_float",
}

func main() {
	bin := flag.String("edgeinfer", "bin/edgeinfer", "the edgeinfer binary")
	shared := flag.String("shared", "", "the shared folder (default: ../shared found from the working directory)")
	ref := flag.String("ref", "", "a folder where tools/tflite-ref is already set up (default: set one up in a temporary folder)")
	runs := flag.Int("runs", 50, "timed runs per model and engine")
	warmup := flag.Int("warmup", 5, "untimed runs first")
	threads := flag.String("threads", "1,2", "comma-separated thread counts")
	flag.Parse()
	if err := run(*bin, *shared, *ref, *runs, *warmup, *threads, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "benchpeers:", err)
		os.Exit(1)
	}
}

func run(bin, shared, ref string, runs, warmup int, threadList string, models []string) error {
	if shared == "" {
		shared = sharedtest.Find()
	}
	if shared == "" {
		return fmt.Errorf("no ../shared folder found; pass -shared")
	}
	if len(models) == 0 {
		models = defaultModels
	}
	if ref == "" {
		dir, err := setupRef(shared)
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		ref = dir
	}
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "model\tthreads\tedgeinfer min\tmedian\tp99\tlitert-wasm min\tmedian\tmedian ratio\t")
	for _, m := range models {
		dir := filepath.Join(shared, "conformance", m)
		inputs, _ := filepath.Glob(filepath.Join(dir, "case_0", "in_*.bin"))
		for _, t := range strings.Split(threadList, ",") {
			ours, err := benchOurs(bin, filepath.Join(dir, "model.tflite"), t, runs, warmup)
			if err != nil {
				return fmt.Errorf("%s: edgeinfer: %w", m, err)
			}
			theirs, err := benchRef(ref, filepath.Join(dir, "model.tflite"), inputs, t, runs, warmup)
			if err != nil {
				return fmt.Errorf("%s: tflite-ref: %w", m, err)
			}
			fmt.Fprintf(os.Stderr, "%s, %s threads: edgeinfer median %.2f ms, LiteRT-WASM median %.2f ms\n", m, t, ours.MedianMS, theirs.median)
			fmt.Fprintf(tw, "%s\t%s\t%.2f ms\t%.2f ms\t%.2f ms\t%.2f ms\t%.2f ms\t%.2fx\t\n", m, t,
				ours.MinMS, ours.MedianMS, ours.P99MS, theirs.min, theirs.median, ours.MedianMS/theirs.median)
		}
	}
	tw.Flush()
	fmt.Println("ratio = edgeinfer median / LiteRT-WASM median (below 1: edgeinfer is faster)")
	return nil
}

type benchResult struct {
	MinMS    float64 `json:"min_ms"`
	MedianMS float64 `json:"median_ms"`
	P99MS    float64 `json:"p99_ms"`
}

func benchOurs(bin, model, threads string, runs, warmup int) (benchResult, error) {
	out, err := exec.Command(bin, "bench", model, "--json", "--threads", threads,
		"--runs", strconv.Itoa(runs), "--warmup", strconv.Itoa(warmup)).Output()
	if err != nil {
		return benchResult{}, describe(err)
	}
	var r benchResult
	return r, json.Unmarshal(out, &r)
}

type refResult struct{ min, median float64 }

var refLine = regexp.MustCompile(`min ([0-9.]+) ms\s+median ([0-9.]+) ms`)

func benchRef(dir, model string, inputs []string, threads string, runs, warmup int) (refResult, error) {
	out, err := os.MkdirTemp("", "benchpeers-out")
	if err != nil {
		return refResult{}, err
	}
	defer os.RemoveAll(out)
	args := append([]string{model}, inputs...)
	args = append(args, "--out", out, "--runs", strconv.Itoa(runs), "--warmup", strconv.Itoa(warmup), "--threads", threads)
	text, err := exec.Command(filepath.Join(dir, "tflite-ref"), args...).CombinedOutput()
	if err != nil {
		return refResult{}, fmt.Errorf("%w: %s", err, bytes.TrimSpace(text))
	}
	m := refLine.FindSubmatch(text)
	if m == nil {
		return refResult{}, fmt.Errorf("no latency line in its output: %s", text)
	}
	lo, _ := strconv.ParseFloat(string(m[1]), 64)
	med, _ := strconv.ParseFloat(string(m[2]), 64)
	return refResult{lo, med}, nil
}

func setupRef(shared string) (string, error) {
	dir, err := os.MkdirTemp("", "tflite-ref")
	if err != nil {
		return "", err
	}
	if out, err := exec.Command("cp", "-r", filepath.Join(shared, "tools", "tflite-ref")+"/.", dir).CombinedOutput(); err != nil {
		return "", fmt.Errorf("copy tflite-ref: %v: %s", err, out)
	}
	exec.Command("chmod", "-R", "u+w", dir).Run()
	fmt.Fprintln(os.Stderr, "setting up tflite-ref in", dir, "(npm ci)...")
	cmd := exec.Command(filepath.Join(dir, "setup.sh"))
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("tflite-ref setup.sh: %w", err)
	}
	return dir, nil
}

func describe(err error) error {
	if ee, ok := err.(*exec.ExitError); ok {
		return fmt.Errorf("%w: %s", err, bytes.TrimSpace(ee.Stderr))
	}
	return err
}
