// Command benchpeers measures edgeinfer against the real TensorFlow Lite
// (LiteRT compiled to WebAssembly, from ../shared/tools/tflite-ref) on the
// same models, machine and run, and prints the latency ratios, with the
// native TFLite figures of the speed issue beside them.
//
//	go run ./cmd/benchpeers -edgeinfer bin/edgeinfer [-runs 50] [-threads 1] [-ref DIR] [model ...]
//
// Without -ref it copies tools/tflite-ref into a temporary folder and runs
// its setup.sh (npm ci of two pinned packages) first. Models default to the
// nine of the speed issue's table found in shared/conformance (its tenth, a
// MediaPipe pose landmark model, is not there); each is timed on its case_0
// inputs, alternating engines so both see the same machine load.
//
// With -native BIN it also times native TFLite, LiteRT's benchmark_model
// built with XNNPACK (not part of this repository: docs/benchmarks.md says
// where it comes from), in the same run, the three engines in turn.
// Without it the native column quotes the figures measured that way on
// a 2-vCPU AMD EPYC (Zen 5) VM with AVX-512 VNNI on 2026-12-03.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/edgeinfer/edgeinfer/internal/sharedtest"
)

// defaultModels are the models of the speed issue's table that
// shared/conformance holds, in the order.
var defaultModels = []string{
	"coral_tf2_mobilenet_v2_224_ptq",
	"tfls_mobilenet_v1_025_224_quant",
	"tfls_mobilenet_v1_025_224_float",
	"mp_face_detection_short_range",
	"mp_hand_landmark_lite",
	"tfls_deeplabv3_float",
	"coral_movenet_lightning_ptq",
	"tfls_coco_ssd_mobilenet_v1_quant",
	"tiny_resnet8_int8",
}

// nativeMS holds native TFLite+XNNPACK latencies in ms by model and thread
// count: medians over 5 rounds of benchmark_model --num_runs=30, each
// round's median, alternating with edgeinfer (load average 1.0 to 1.3),
// on a 2-vCPU AMD EPYC (Zen 5) VM with AVX-512 VNNI, 2026-12-03 (session 6; the
// table in docs/engine.md).
var nativeMS = map[string]map[string]float64{
	"coral_tf2_mobilenet_v2_224_ptq":   {"1": 2.464, "2": 1.737},
	"tfls_mobilenet_v1_025_224_quant":  {"1": 0.888, "2": 0.657},
	"tfls_mobilenet_v1_025_224_float":  {"1": 0.725, "2": 0.551},
	"mp_face_detection_short_range":    {"1": 0.807, "2": 0.776},
	"mp_hand_landmark_lite":            {"1": 2.584, "2": 1.698},
	"tfls_deeplabv3_float":             {"1": 9.716, "2": 5.669},
	"coral_movenet_lightning_ptq":      {"1": 3.050, "2": 2.468},
	"tfls_coco_ssd_mobilenet_v1_quant": {"1": 10.428, "2": 6.338},
	"tiny_resnet8_int8":                {"1": 0.046, "2": 0.052},
}

func main() {
	bin := flag.String("edgeinfer", "bin/edgeinfer", "the edgeinfer binary")
	shared := flag.String("shared", "", "the shared folder (default: ../shared found from the working directory)")
	ref := flag.String("ref", "", "a folder where tools/tflite-ref is already set up (default: set one up in a temporary folder)")
	runs := flag.Int("runs", 50, "timed runs per model and engine")
	warmup := flag.Int("warmup", 5, "untimed runs first")
	threads := flag.String("threads", "1", "comma-separated thread counts")
	native := flag.String("native", "", "native TFLite's benchmark_model, timed in the same run (default: quote the figures in nativeMS)")
	flag.Parse()
	if err := run(*bin, *shared, *ref, *native, *runs, *warmup, *threads, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "benchpeers:", err)
		os.Exit(1)
	}
}

func run(bin, shared, ref, nativeBin string, runs, warmup int, threadList string, models []string) error {
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
	var ratios []float64
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "model\tthreads\tedgeinfer min\tmedian\tp99\tlitert-wasm min\tmedian\tvs wasm\t(min)\tnative\tvs native\t(min)\t")
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
			quoted, measured := nativeMS[m][t], false
			if nativeBin != "" {
				n, err := benchNative(nativeBin, filepath.Join(dir, "model.tflite"), t, runs, warmup)
				if err != nil {
					return fmt.Errorf("%s: native: %w", m, err)
				}
				fmt.Fprintf(os.Stderr, "%s, %s threads: native median %.2f ms\n", m, t, n.median)
				quoted, measured = n.median, true
			}
			native, ok := nativeColumns(quoted, measured, ours.MedianMS, ours.MinMS)
			if ok {
				ratios = append(ratios, ours.MedianMS/quoted)
			}
			fmt.Fprintf(tw, "%s\t%s\t%.2f ms\t%.2f ms\t%.2f ms\t%.2f ms\t%.2f ms\t%.2fx\t%.2fx\t%s\t\n", m, t,
				ours.MinMS, ours.MedianMS, ours.P99MS, theirs.min, theirs.median, ours.MedianMS/theirs.median, ours.MinMS/theirs.min, native)
		}
	}
	tw.Flush()
	fmt.Println("vs wasm = edgeinfer median / LiteRT-WASM median (below 1: edgeinfer is faster); (min) the same for")
	fmt.Println("  the fastest runs, steadier than medians when other work shares the machine")
	if nativeBin != "" {
		fmt.Println("native = " + nativeBin + " (LiteRT benchmark_model, XNNPACK), timed in this run;")
	} else {
		fmt.Println("native* = LiteRT benchmark_model + XNNPACK built natively, quoted, not measured in this run: medians")
		fmt.Println("  on a 2-vCPU AMD EPYC (Zen 5) VM, 2026-12-03 (-native BIN times it here);")
	}
	fmt.Println("  vs native = edgeinfer median (and min) / native median (goal: geometric mean at most 1.0 and")
	fmt.Println("  worst at most 1.3 at 1 thread; at most 1.2 at 2 threads)")
	if g, n := geomean(ratios); n > 0 {
		fmt.Printf("geometric mean of vs native over %d rows: %.2fx\n", n, g)
	}
	return nil
}

// nativeColumns returns the native median n (measured in this run, or
// quoted when 0 means none is known) and the ratios of median and lo to
// it, or dashes; ok reports whether there was a figure.
func nativeColumns(n float64, measured bool, median, lo float64) (cols string, ok bool) {
	if n <= 0 {
		return "-\t-\t-", false
	}
	mark := "*"
	if measured {
		mark = ""
	}
	return fmt.Sprintf("%.2f ms%s\t%.2fx\t%.2fx", n, mark, median/n, lo/n), true
}

// geomean returns the geometric mean of positive ratios and their number.
func geomean(ratios []float64) (float64, int) {
	if len(ratios) == 0 {
		return 0, 0
	}
	var sum float64
	for _, r := range ratios {
		sum += math.Log(r)
	}
	return math.Exp(sum / float64(len(ratios))), len(ratios)
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

// nativeLine is benchmark_model's summary of timed runs, in microseconds.
var nativeLine = regexp.MustCompile(`count=\d+ .*\bmin=([0-9.]+) .*\bmedian=([0-9.]+)`)

// benchNative times model with native TFLite's benchmark_model and the
// XNNPACK delegate: exactly runs timed runs after warmup ones, as bench.
func benchNative(bin, model, threads string, runs, warmup int) (refResult, error) {
	text, err := exec.Command(bin, "--graph="+model, "--num_threads="+threads, "--use_xnnpack=true",
		"--num_runs="+strconv.Itoa(runs), "--warmup_runs="+strconv.Itoa(warmup), "--min_secs=0", "--warmup_min_secs=0").CombinedOutput()
	if err != nil {
		return refResult{}, fmt.Errorf("%w: %s", err, bytes.TrimSpace(text))
	}
	return parseNative(text)
}

// parseNative reads the last summary line of benchmark_model's output
// (the one before it is the warmup's) as milliseconds.
func parseNative(text []byte) (refResult, error) {
	all := nativeLine.FindAllSubmatch(text, -1)
	if len(all) == 0 {
		return refResult{}, fmt.Errorf("no timing line (count=... min=... median=...) in its output: %s", bytes.TrimSpace(text))
	}
	m := all[len(all)-1]
	lo, _ := strconv.ParseFloat(string(m[1]), 64)
	med, _ := strconv.ParseFloat(string(m[2]), 64)
	return refResult{lo / 1000, med / 1000}, nil
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
