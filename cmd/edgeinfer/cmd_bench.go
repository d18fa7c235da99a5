package main

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	goruntime "runtime"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/edgeinfer/edgeinfer/internal/memtrim"
	"github.com/edgeinfer/edgeinfer/runtime"
	"github.com/edgeinfer/edgeinfer/runtime/kernels"
	"github.com/edgeinfer/edgeinfer/runtime/tflite"
)

func cmdBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newFlags("bench", "bench MODEL.tflite [--threads N] [--runs N] [--warmup N] [--seed S] [--profile] [--json]", `
Bench measures a model on this machine: the time to load it, the latency of
the first run and the distribution (min, median, p90, p99, max) over --runs
timed runs after --warmup untimed ones, heap allocations per run (Session.Run
should make none), the arena a session allocates, and the process's peak
resident set size (bench first gives back the pages its own start-up
touched, as the agent does before it loads models, so the peak is that of
loading and running the model). Inputs are random from a seeded generator: uniform in
[-1, 1) for float types and over the whole range of integer types (the
generator is xorshift32 as in the conformance references, so float inputs
in [-1, 1) with --seed S match case inputs generated with seed S). A p99
means little with fewer than 100 runs. --profile then times each operator
over another --runs runs (index, type, input and output tensors, mean ms,
shortest ms, and share of the time spent in operators), like TFLite's op
profiling; the latency figures come from the unprofiled runs. On a busy
machine compare the shortest times: other processes inflate the means.`, `
edgeinfer bench --threads 2 --runs 200 model.tflite
edgeinfer bench --profile model.tflite
edgeinfer bench --json model.tflite > bench.json`)
	threads := f.Int("threads", 1, "goroutines the heavy operators split their work across")
	runs := f.Int("runs", 50, "timed runs")
	warmup := f.Int("warmup", 3, "untimed runs after the first run and before the timed ones")
	seed := f.Uint("seed", 1, "seed of the random inputs")
	profile := f.Bool("profile", false, "also time each operator (another --runs runs)")
	asJSON := f.Bool("json", false, "print one JSON object instead of text")
	pos, err := f.parse(args, stdout, 1, 1)
	if err != nil {
		return helpDone(err)
	}
	switch {
	case *threads < 1:
		return usagef("--threads must be at least 1, not %d", *threads)
	case *runs < 1:
		return usagef("--runs must be at least 1, not %d", *runs)
	case *warmup < 0:
		return usagef("--warmup must not be negative")
	}
	r, err := bench(ctx, pos[0], *threads, *runs, *warmup, uint32(*seed), *profile)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	r.writeText(stdout)
	if r.Profile != nil {
		r.Profile.writeText(stdout)
	}
	return nil
}

// benchReport is the result of bench, in the shape of its JSON.
type benchReport struct {
	Model        string  `json:"model"`
	GOOS         string  `json:"goos"`
	GOARCH       string  `json:"goarch"`
	Threads      int     `json:"threads"`
	Runs         int     `json:"runs"`
	Warmup       int     `json:"warmup"`
	LoadMS       float64 `json:"load_ms"`
	FirstRunMS   float64 `json:"first_run_ms"`
	MinMS        float64 `json:"min_ms"`
	MedianMS     float64 `json:"median_ms"`
	P90MS        float64 `json:"p90_ms"`
	P99MS        float64 `json:"p99_ms"`
	MaxMS        float64 `json:"max_ms"`
	AllocsPerRun float64 `json:"allocs_per_run"`
	ArenaBytes   int     `json:"arena_bytes"`
	PeakRSSBytes int64   `json:"peak_rss_bytes"`
	// Split is set with more than one thread: how the timed runs' work
	// was shared across the threads.
	Split *splitReport `json:"split,omitempty"`
	// Kernels names the SIMD kernels picked on this CPU, by kind.
	Kernels map[string][]string `json:"kernels"`
	// Profile is set with --profile.
	Profile *opProfile `json:"profile,omitempty"`
}

// splitReport is how a multi-threaded session shared its work: operators
// split across the threads per run, their tiles per run, and the share of
// tiles the helper threads ran (the calling thread ran the rest; a share
// far below (threads-1)/threads means helpers were asleep when operators
// came).
type splitReport struct {
	OpsPerRun   float64 `json:"ops_per_run"`
	TilesPerRun float64 `json:"tiles_per_run"`
	HelperShare float64 `json:"helper_share"`
}

func bench(ctx context.Context, path string, threads, runs, warmup int, seed uint32, profile bool) (*benchReport, error) {
	memtrim.Release()
	start := time.Now()
	m, err := openModel(path)
	if err != nil {
		return nil, err
	}
	defer m.Close()
	r := &benchReport{
		Model: path, GOOS: goruntime.GOOS, GOARCH: goruntime.GOARCH,
		Threads: threads, Runs: runs, Warmup: warmup,
		LoadMS:     msf(time.Since(start)),
		ArenaBytes: m.ArenaBytes(),
	}
	s, err := m.NewSession(runtime.Options{Threads: threads})
	if err != nil {
		return nil, fmt.Errorf("%s: new session: %w", path, err)
	}
	defer s.Close()
	rng := newXorshift32(seed)
	for i, info := range m.Inputs() {
		fillRandom(s.Input(i), info.DType, rng)
	}
	runOnce := func() (time.Duration, error) {
		t0 := time.Now()
		if err := s.Run(ctx); err != nil {
			return 0, fmt.Errorf("%s: run: %w", path, err)
		}
		return time.Since(t0), nil
	}
	first, err := runOnce()
	if err != nil {
		return nil, err
	}
	r.FirstRunMS = msf(first)
	for range warmup {
		if _, err := runOnce(); err != nil {
			return nil, err
		}
	}
	times := make([]time.Duration, runs)
	var before, after goruntime.MemStats
	ts := s.(*tflite.Session)
	split0 := ts.PoolStats()
	goruntime.ReadMemStats(&before)
	for i := range times {
		if times[i], err = runOnce(); err != nil {
			return nil, err
		}
	}
	goruntime.ReadMemStats(&after)
	r.AllocsPerRun = float64(after.Mallocs-before.Mallocs) / float64(runs)
	if threads > 1 {
		split := ts.PoolStats()
		n := float64(runs)
		r.Split = &splitReport{
			OpsPerRun:   float64(split.Splits-split0.Splits) / n,
			TilesPerRun: float64(split.Tiles-split0.Tiles) / n,
			HelperShare: share(float64(split.HelperTiles-split0.HelperTiles), float64(split.Tiles-split0.Tiles)),
		}
	}
	slices.Sort(times)
	r.MinMS, r.MaxMS = msf(times[0]), msf(times[runs-1])
	r.MedianMS = msf(percentile(times, 0.5))
	r.P90MS = msf(percentile(times, 0.9))
	r.P99MS = msf(percentile(times, 0.99))
	r.Kernels = kernels.Variants()
	if profile {
		if r.Profile, err = profileOps(ctx, m, ts, runs); err != nil {
			return nil, fmt.Errorf("%s: profile: %w", path, err)
		}
	}
	if r.PeakRSSBytes, err = peakRSS(); err != nil {
		r.PeakRSSBytes = -1
	}
	return r, nil
}

// percentile returns the nearest-rank q-quantile of sorted durations.
func percentile(sorted []time.Duration, q float64) time.Duration {
	k := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[min(max(k, 0), len(sorted)-1)]
}

func msf(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func (r *benchReport) writeText(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "model\t%s\n", r.Model)
	fmt.Fprintf(tw, "platform\t%s/%s, %d thread(s)\n", r.GOOS, r.GOARCH, r.Threads)
	fmt.Fprintf(tw, "load\t%.3f ms\n", r.LoadMS)
	fmt.Fprintf(tw, "first run\t%.3f ms\n", r.FirstRunMS)
	fmt.Fprintf(tw, "latency\tmin %.3f  median %.3f  p90 %.3f  p99 %.3f  max %.3f ms over %d runs (after %d warmup)\n",
		r.MinMS, r.MedianMS, r.P90MS, r.P99MS, r.MaxMS, r.Runs, r.Warmup)
	fmt.Fprintf(tw, "allocations\t%.2f per run\n", r.AllocsPerRun)
	if r.Split != nil {
		fmt.Fprintf(tw, "split\t%.1f operators per run in %.1f tiles, %.0f%% of them run by helper threads\n", r.Split.OpsPerRun, r.Split.TilesPerRun, 100*r.Split.HelperShare)
	}
	fmt.Fprintf(tw, "arena\t%d bytes\n", r.ArenaBytes)
	if r.PeakRSSBytes >= 0 {
		fmt.Fprintf(tw, "peak RSS\t%.1f MiB\n", float64(r.PeakRSSBytes)/(1<<20))
	} else {
		fmt.Fprintf(tw, "peak RSS\tnot measured on %s\n", r.GOOS)
	}
	fmt.Fprintf(tw, "kernels\t%s\n", kernelVariants())
	tw.Flush()
}

// xorshift32 is the input generator of the conformance references
// (tflite-ref --gen-inputs): one stream across all inputs, row-major.
type xorshift32 struct{ x uint32 }

func newXorshift32(seed uint32) *xorshift32 {
	if seed == 0 {
		seed = 1
	}
	return &xorshift32{seed}
}

// next returns a uniform value in [0, 1).
func (g *xorshift32) next() float64 {
	g.x ^= g.x << 13
	g.x ^= g.x >> 17
	g.x ^= g.x << 5
	return float64(g.x) / (1 << 32)
}

// fillRandom fills a tensor's bytes with uniform random elements: floats in
// [-1, 1), integers over their type's whole range, bools 0 or 1.
func fillRandom(b []byte, dt runtime.DType, g *xorshift32) {
	le := binary.LittleEndian
	span := func(bits uint) float64 { return math.Floor(g.next() * math.Exp2(float64(bits))) }
	size := max(dt.Size(), 1)
	for i := 0; i+size <= len(b); i += size {
		switch dt {
		case runtime.Float32:
			le.PutUint32(b[i:], math.Float32bits(float32(-1+2*g.next())))
		case runtime.Float64:
			le.PutUint64(b[i:], math.Float64bits(-1+2*g.next()))
		case runtime.Float16:
			le.PutUint16(b[i:], float16Bits(float32(-1+2*g.next())))
		case runtime.Bool:
			b[i] = byte(span(1))
		case runtime.Int8:
			b[i] = byte(int8(span(8) - 128))
		case runtime.UInt8:
			b[i] = byte(span(8))
		case runtime.Int16, runtime.UInt16:
			le.PutUint16(b[i:], uint16(span(16)))
		case runtime.Int32, runtime.UInt32:
			le.PutUint32(b[i:], uint32(span(32)))
		case runtime.Int64, runtime.UInt64:
			le.PutUint64(b[i:], uint64(span(32))<<32|uint64(span(32)))
		}
	}
}

// float16Bits converts a float32 in (-2, 2) to IEEE half precision,
// truncating the mantissa and flushing values below 2^-14 to zero.
func float16Bits(f float32) uint16 {
	bits := math.Float32bits(f)
	sign := uint16(bits>>16) & 0x8000
	exp := int(bits>>23&0xff) - 127 + 15
	if exp <= 0 {
		return sign
	}
	return sign | uint16(exp)<<10 | uint16(bits>>13&0x3ff)
}
