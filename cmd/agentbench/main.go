// Command agentbench measures the agent the way a local app sees it, with
// real models from the shared conformance folder, a real Unix socket, a
// real state file and, for memory, the real edgeinfer binary:
//
//   - socket overhead: a tiny model's request through the socket (binary
//     and JSON tensors) against the same Session.Run in process;
//   - result cache: a hit through the socket, and the state file's cache
//     write throughput;
//   - throughput and latency with 1, 4 and 16 concurrent clients on a
//     MobileNet, with dynamic batching off and on;
//   - idle resident memory of `edgeinfer agent` with one model loaded,
//     and the binary's size.
//
// Usage: go run ./cmd/agentbench [-duration 5s] [-bin bin/edgeinfer]
// (make bench-agent). It prints Markdown tables.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/edgeinfer/edgeinfer/agent"
	"github.com/edgeinfer/edgeinfer/agent/server"
	"github.com/edgeinfer/edgeinfer/api"
	"github.com/edgeinfer/edgeinfer/client"
	"github.com/edgeinfer/edgeinfer/internal/sharedtest"
	"github.com/edgeinfer/edgeinfer/platforms"
	"github.com/edgeinfer/edgeinfer/runtime"
	"github.com/edgeinfer/edgeinfer/runtime/tflite"
	"github.com/edgeinfer/edgeinfer/store"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "agentbench:", err)
		os.Exit(1)
	}
}

type options struct {
	shared   string
	duration time.Duration
	requests int
	bin      string
	model    string
	clients  []int
	threads  int
	sessions int
}

func run(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("agentbench", flag.ContinueOnError)
	var o options
	fs.StringVar(&o.shared, "shared", sharedtest.Find(), "the shared test folder")
	fs.DurationVar(&o.duration, "duration", 5*time.Second, "length of each throughput run")
	fs.IntVar(&o.requests, "requests", 3000, "requests of each latency measurement")
	fs.StringVar(&o.bin, "bin", "bin/edgeinfer", "the edgeinfer binary, for idle memory and size")
	fs.StringVar(&o.model, "model", "coral_tf2_mobilenet_v2_224_ptq", "conformance model of the throughput runs")
	clients := fs.String("clients", "1,4,16", "concurrent clients of the throughput runs")
	fs.IntVar(&o.threads, "threads", 0, "threads per session of the throughput runs (0 = the board's default)")
	fs.IntVar(&o.sessions, "sessions", 0, "sessions of the throughput runs (0 = the board's default)")
	only := fs.String("only", "", "run only these parts: socket, cache, throughput, memory (comma-separated)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if o.shared == "" {
		return errors.New("the shared test folder was not found (../shared, or -shared DIR)")
	}
	for _, s := range strings.Split(*clients, ",") {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return fmt.Errorf("-clients: %q is not a positive number", s)
		}
		o.clients = append(o.clients, n)
	}
	p := platforms.Detect()
	fmt.Fprintf(out, "# agent benchmarks on %s\n\n", p.String())
	steps := []func(io.Writer, options) error{socketOverhead, cacheFigures, throughput, idleMemory}
	if *only != "" {
		steps = nil
		for _, name := range strings.Split(*only, ",") {
			step, ok := map[string]func(io.Writer, options) error{"socket": socketOverhead, "cache": cacheFigures, "throughput": throughput, "memory": idleMemory}[name]
			if !ok {
				return fmt.Errorf("-only: %q is not socket, cache, throughput or memory", name)
			}
			steps = append(steps, step)
		}
	}
	for _, step := range steps {
		if err := step(out, o); err != nil {
			return err
		}
	}
	return nil
}

func conformanceModel(o options, name string) string {
	return filepath.Join(o.shared, "conformance", name, "model.tflite")
}

// bench is an agent behind a real Unix socket, in this process.
type bench struct {
	agent  *agent.Agent
	st     *store.Store
	client *client.Client
	stop   func()
}

func startServer(models map[string]agent.ModelConfig, defaults agent.ModelConfig) (*bench, error) {
	dir, err := os.MkdirTemp("", "agentbench-")
	if err != nil {
		return nil, err
	}
	cfg := agent.Config{DataDir: dir, Models: models, Defaults: defaults}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.Resolve(platforms.Detect().Defaults)
	st, err := store.Open(filepath.Join(dir, "edgeinfer.db"), store.Options{})
	if err != nil {
		return nil, err
	}
	a, err := agent.New(context.Background(), agent.Options{Config: cfg, Store: st})
	if err != nil {
		return nil, err
	}
	if !a.Ready() {
		return nil, fmt.Errorf("models did not load: %+v", a.Models())
	}
	sock := filepath.Join(dir, "agent.sock")
	ln, err := server.Listen(sock, 0o600, "")
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		server.Serve(ctx, ln, a, server.Options{Logger: slog.New(slog.DiscardHandler)})
		close(done)
	}()
	return &bench{agent: a, st: st, client: &client.Client{Socket: sock}, stop: func() {
		cancel()
		<-done
		a.Close(context.Background())
		st.Close()
		os.RemoveAll(dir)
	}}, nil
}

// latencies summarises durations.
type latencies []time.Duration

func (l latencies) q(p float64) time.Duration {
	s := slices.Clone(l)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	return s[min(len(s)-1, int(p*float64(len(s))))]
}

func us(d time.Duration) string { return fmt.Sprintf("%.1f µs", float64(d.Nanoseconds())/1e3) }
func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Nanoseconds())/1e6) }

// timeN runs f n times and returns each call's duration.
func timeN(n int, f func() error) (latencies, error) {
	l := make(latencies, 0, n)
	for range n {
		start := time.Now()
		if err := f(); err != nil {
			return nil, err
		}
		l = append(l, time.Since(start))
	}
	return l, nil
}

// tensorsFor returns zero-filled client tensors for a model's inputs.
func tensorsFor(infos []runtime.TensorInfo) []client.Tensor {
	ts := make([]client.Tensor, len(infos))
	for i, t := range infos {
		ts[i] = client.Tensor{Name: t.Name, Datatype: api.Datatype(t.DType), Shape: api.Shape(t.Shape), Data: make([]byte, t.ByteSize())}
	}
	return ts
}

func socketOverhead(out io.Writer, o options) error {
	const name = "tflm_hello_world_float"
	path := conformanceModel(o, name)
	m, err := tflite.Open(path)
	if err != nil {
		return err
	}
	defer m.Close()
	s, err := m.NewSession(runtime.Options{Threads: 1})
	if err != nil {
		return err
	}
	defer s.Close()
	in := [][]byte{make([]byte, m.Inputs()[0].ByteSize())}
	ctx := context.Background()
	direct, err := timeN(o.requests, func() error {
		if err := runtime.SetInputs(s, m.Inputs(), in); err != nil {
			return err
		}
		return s.Run(ctx)
	})
	if err != nil {
		return err
	}
	srv, err := startServer(map[string]agent.ModelConfig{"tiny": {Path: path, Threads: 1, Sessions: 1}}, agent.ModelConfig{})
	if err != nil {
		return err
	}
	defer srv.stop()
	inputs := tensorsFor(m.Inputs())
	if _, err := timeN(o.requests/4, func() error { _, err := srv.client.Infer(ctx, "tiny", inputs); return err }); err != nil {
		return err // warm-up: connection, goroutines, heap
	}
	binary, err := timeN(o.requests, func() error { _, err := srv.client.Infer(ctx, "tiny", inputs); return err })
	if err != nil {
		return err
	}
	jsonL, err := timeN(o.requests, func() error { _, err := srv.client.InferJSON(ctx, "tiny", inputs); return err })
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "## Socket overhead (%s, %d sequential requests)\n\n", name, o.requests)
	fmt.Fprintf(out, "| path | p50 | p99 | added at p50 |\n|---|---|---|---|\n")
	fmt.Fprintf(out, "| Session.Run in process | %s | %s | |\n", us(direct.q(0.5)), us(direct.q(0.99)))
	fmt.Fprintf(out, "| socket, binary tensors | %s | %s | %s |\n", us(binary.q(0.5)), us(binary.q(0.99)), us(binary.q(0.5)-direct.q(0.5)))
	fmt.Fprintf(out, "| socket, JSON tensors | %s | %s | %s |\n\n", us(jsonL.q(0.5)), us(jsonL.q(0.99)), us(jsonL.q(0.5)-direct.q(0.5)))
	return nil
}

func cacheFigures(out io.Writer, o options) error {
	const name = "tfls_mobilenet_v1_025_224_quant"
	on := true
	srv, err := startServer(map[string]agent.ModelConfig{"m": {Path: conformanceModel(o, name), Cache: &on}}, agent.ModelConfig{})
	if err != nil {
		return err
	}
	defer srv.stop()
	st, _ := srv.agent.Model("m")
	inputs := tensorsFor(st.Inputs)
	ctx := context.Background()
	miss, err := timeN(50, func() error { _, err := srv.client.Infer(ctx, "m", inputs, client.NoCache()); return err })
	if err != nil {
		return err
	}
	if _, err := srv.client.Infer(ctx, "m", inputs); err != nil {
		return err
	}
	for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
		if n, _, _ := srv.st.CacheStats(); n > 0 {
			break
		}
	}
	var notHit int
	hit, err := timeN(o.requests, func() error {
		r, err := srv.client.Infer(ctx, "m", inputs)
		if err == nil && r.Cache != "hit" {
			notHit++
		}
		return err
	})
	if err != nil {
		return err
	}
	if notHit > 0 {
		return fmt.Errorf("%d of %d repeated requests missed the cache", notHit, o.requests)
	}
	fmt.Fprintf(out, "## Result cache (%s, output 1001 bytes)\n\n", name)
	fmt.Fprintf(out, "| request | p50 | p99 |\n|---|---|---|\n")
	fmt.Fprintf(out, "| computed (cache bypassed), 50 requests | %s | %s |\n", ms(miss.q(0.5)), ms(miss.q(0.99)))
	fmt.Fprintf(out, "| cache hit through the socket, %d requests | %s | %s |\n\n", o.requests, us(hit.q(0.5)), us(hit.q(0.99)))

	// Write throughput of the state file, batched as the agent batches.
	dir, err := os.MkdirTemp("", "agentbench-store-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	s, err := store.Open(filepath.Join(dir, "edgeinfer.db"), store.Options{})
	if err != nil {
		return err
	}
	defer s.Close()
	for _, size := range []int{1 << 10, 16 << 10} {
		var entries, txs int
		start := time.Now()
		for time.Since(start) < 2*time.Second {
			batch := make([]store.CacheEntry, 256)
			for i := range batch {
				key := fmt.Appendf(nil, "key-%d-%d", size, entries+i)
				batch[i] = store.CacheEntry{Key: key, Value: bytes.Repeat([]byte{byte(i)}, size)}
			}
			if _, err := s.CachePut(batch, 256<<20); err != nil {
				return err
			}
			entries += len(batch)
			txs++
		}
		el := time.Since(start).Seconds()
		fmt.Fprintf(out, "cache writes, %d KiB values in batches of 256 (one fsynced transaction each): %.0f entries/s, %.1f MiB/s, %.1f ms per batch\n",
			size>>10, float64(entries)/el, float64(entries*size)/el/(1<<20), el*1e3/float64(txs))
	}
	fmt.Fprintln(out)
	return nil
}

func throughput(out io.Writer, o options) error {
	path := conformanceModel(o, o.model)
	d := platforms.Detect().Defaults
	if o.threads > 0 {
		d.Threads = o.threads
	}
	if o.sessions > 0 {
		d.Sessions = o.sessions
	}
	fmt.Fprintf(out, "## Throughput (%s, %v per run, %d threads x %d sessions)\n\n", o.model, o.duration, d.Threads, d.Sessions)
	fmt.Fprintf(out, "| batching | clients | requests/s | p50 | p99 | mean batch | errors |\n|---|---|---|---|---|---|---|\n")
	for _, batch := range []int{1, 4} {
		mc := agent.ModelConfig{Path: path, MaxBatch: batch, BatchDelay: 5 * time.Millisecond, Queue: 256, Threads: d.Threads, Sessions: d.Sessions}
		srv, err := startServer(map[string]agent.ModelConfig{"m": mc}, agent.ModelConfig{})
		if err != nil {
			return err
		}
		st, _ := srv.agent.Model("m")
		inputs := tensorsFor(st.Inputs)
		label := "off"
		if st.MaxBatch > 1 {
			label = fmt.Sprintf("on (max %d, 5 ms)", st.MaxBatch)
		} else if batch > 1 {
			label = "refused by the graph"
		}
		for _, n := range o.clients {
			r := load(srv.client, inputs, n, o.duration)
			fmt.Fprintf(out, "| %s | %d | %.1f | %s | %s | %.2f | %d |\n", label, n, r.rate, ms(r.lat.q(0.5)), ms(r.lat.q(0.99)), r.meanBatch, r.errors)
		}
		srv.stop()
	}
	fmt.Fprintln(out)
	return nil
}

type loadResult struct {
	rate      float64
	lat       latencies
	meanBatch float64
	errors    int64
}

// load runs n clients back to back for d.
func load(c *client.Client, inputs []client.Tensor, n int, d time.Duration) loadResult {
	var mu sync.Mutex
	var all latencies
	var batches, count, errs atomic.Int64
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine latencies
			for ctx.Err() == nil {
				t := time.Now()
				r, err := c.Infer(context.Background(), "m", inputs)
				if err != nil {
					errs.Add(1)
					continue
				}
				mine = append(mine, time.Since(t))
				batches.Add(int64(r.Batch))
				count.Add(1)
			}
			mu.Lock()
			all = append(all, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	el := time.Since(start).Seconds()
	r := loadResult{rate: float64(count.Load()) / el, lat: all, errors: errs.Load()}
	if count.Load() > 0 {
		r.meanBatch = float64(batches.Load()) / float64(count.Load())
	}
	return r
}

func idleMemory(out io.Writer, o options) error {
	fi, err := os.Stat(o.bin)
	if err != nil {
		return fmt.Errorf("%w (run make build first, or -bin PATH)", err)
	}
	dir, err := os.MkdirTemp("", "agentbench-rss-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	sock := filepath.Join(dir, "agent.sock")
	cmd := exec.Command(o.bin, "agent", "--socket", sock, "--data-dir", dir, "--log-level", "warn",
		"--model", "m="+conformanceModel(o, o.model))
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return err
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	c := &client.Client{Socket: sock}
	ready := false
	for end := time.Now().Add(30 * time.Second); time.Now().Before(end) && !ready; time.Sleep(20 * time.Millisecond) {
		ready = c.Ready(context.Background()) == nil
	}
	if !ready {
		return errors.New("the agent did not become ready within 30s")
	}
	time.Sleep(2 * time.Second)
	rss, hwm, err := procMemory(cmd.Process.Pid)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "## Memory and size\n\n")
	fmt.Fprintf(out, "idle `edgeinfer agent` with %s loaded (board default sessions): RSS %.1f MiB (peak %.1f MiB during load)\n", o.model, rss/(1<<20), hwm/(1<<20))
	fmt.Fprintf(out, "binary %s: %.2f MiB\n", o.bin, float64(fi.Size())/(1<<20))
	return nil
}

// procMemory reads VmRSS and VmHWM of a process, in bytes.
func procMemory(pid int) (rss, hwm float64, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, fmt.Errorf("reading the agent's memory (Linux /proc only): %w", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		v, _ := strconv.ParseFloat(f[1], 64)
		switch f[0] {
		case "VmRSS:":
			rss = v * 1024
		case "VmHWM:":
			hwm = v * 1024
		}
	}
	return rss, hwm, nil
}
