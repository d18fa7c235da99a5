package agent

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/edgeinfer/edgeinfer/runtime"
	"github.com/edgeinfer/edgeinfer/telemetry"
)

// instance is one loaded version of a model: its sessions, its bounded
// queue and the workers that serve it. Requests hold it (acquire/release)
// from lookup to answer, so a hot swap can retire it once the last one is
// done.
type instance struct {
	name, version, digest, path string
	// backend names the runtime backend that opened the model.
	backend         string
	cfg             ModelConfig
	inputs, outputs []runtime.TensorInfo
	maxBatch        int
	// resizable: the sessions take other input shapes (runtime.Resizer);
	// stateful: they keep state between runs, so requests go through
	// streams instead of the queue's workers.
	resizable, stateful bool
	streams             *streams
	loadedAt            time.Time
	stats               *telemetry.ModelStats
	desc                *runtime.Description
	log                 *slog.Logger

	models   []runtime.Model // closed after the workers stop
	queue    chan *job
	stop     chan struct{}
	workers  sync.WaitGroup
	sessions []runtime.Session

	// idle counts the workers waiting for a first job, for gather.
	idle atomic.Int32
	// recent is the size of recent batches, for gather: each batch sets
	// it to its size if that is bigger, else lowers it by one.
	recent atomic.Int32
	// panics counts runs that panicked since the last run that did not;
	// at panicLimit the version is marked failed (why in failed) and
	// takes no more requests.
	panics atomic.Int32
	failed atomic.Pointer[string]

	mu      sync.Mutex
	holders int
	closing bool
	drained chan struct{}
}

// job is one request waiting for, or running on, a session.
type job struct {
	ctx    context.Context
	inputs []Tensor // bound to the model's inputs, in their order
	outIdx []int    // model outputs wanted
	// resized: some input has another shape than the model's.
	resized bool
	enq     time.Time
	// state moves from queued to taken (a worker runs it) or abandoned
	// (the caller gave up first), exactly once.
	state atomic.Int32
	done  chan struct{}

	outs           [][]byte
	outShapes      [][]int // shapes of outs
	err            error
	queue, compute time.Duration
	batch          int
}

const (
	jobQueued int32 = iota
	jobTaken
	jobAbandoned
)

// Runner runs a loaded model version on raw inputs (in model input order)
// and returns copies of all its outputs. Load checks hand it to a smoke test.
type Runner func(ctx context.Context, inputs [][]byte) ([][]byte, error)

// Check tests a loaded model version before it serves (a smoke test): it
// may run it through run and compare the outputs (described by outputs,
// in model order) with what it expects. An error refuses the version.
type Check func(ctx context.Context, inputs, outputs []runtime.TensorInfo, run Runner) error

// loadSpec says what to load.
type loadSpec struct {
	name, version, path string
	cfg                 ModelConfig
	// check, when set, runs against the loaded version before it serves;
	// an error refuses the version.
	check Check
}

// openModel opens a model file for loadInstance with the runtime backend
// that identifies it (a variable so that tests can wrap the real model).
var openModel = func(path string) (runtime.Model, error) { return runtime.Open(path, runtime.OpenOptions{}) }

// panicLimit is how many runs in a row may panic before the version is
// marked failed.
const panicLimit = 3

// runSafe runs s, turning a panic in the run into an error: the request
// fails, the daemon does not. Panics are counted toward panicLimit.
func (in *instance) runSafe(ctx context.Context, s runtime.Session) (err error) {
	defer func() {
		p := recover()
		if p == nil {
			in.panics.Store(0)
			return
		}
		err = fmt.Errorf("internal error (panic: %v); please report it with the model and input", p)
		n := in.panics.Add(1)
		in.log.Error("a model run panicked", "panic", fmt.Sprint(p), "in_a_row", n, "stack", string(debug.Stack()))
		if n >= panicLimit {
			msg := fmt.Sprintf("its last %d runs panicked (last: %v); reload or reinstall it", n, p)
			if in.failed.CompareAndSwap(nil, &msg) {
				in.log.Error("model version marked failed: its runs keep panicking", "in_a_row", n)
			}
		}
	}()
	return s.Run(ctx)
}

// fileDigest returns the sha256 of the file at path, lowercase hex.
func fileDigest(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("reading %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// loadInstance opens the model, builds its sessions (and batched sessions
// when batching is configured and the graph takes it), runs the zero-input
// smoke run and spec.check, and starts the workers. On any error nothing
// is left running.
func loadInstance(ctx context.Context, spec loadSpec, rec *telemetry.Recorder, log *slog.Logger) (_ *instance, err error) {
	digest, err := fileDigest(spec.path)
	if err != nil {
		return nil, fmt.Errorf("%w: model %s: %w", ErrInvalidModel, spec.name, err)
	}
	version := spec.version
	if version == "" {
		version = digest[:12]
	}
	backend, err := runtime.IdentifyFile(spec.path)
	if err != nil {
		return nil, fmt.Errorf("%w: model %s: %w", ErrInvalidModel, spec.name, err)
	}
	m, err := openModel(spec.path)
	if err != nil {
		return nil, fmt.Errorf("%w: model %s: %w", ErrInvalidModel, spec.name, err)
	}
	in := &instance{
		name: spec.name, version: version, digest: digest, path: spec.path, backend: backend, cfg: spec.cfg,
		inputs: m.Inputs(), outputs: m.Outputs(), maxBatch: 1,
		models: []runtime.Model{m},
		log:    log.With("model", spec.name, "version", version),
	}
	defer func() {
		if err != nil {
			in.closeSessions()
		}
	}()
	opts := runtime.Options{Threads: spec.cfg.Threads}
	singles := make([]runtime.Session, spec.cfg.Sessions)
	for i := range singles {
		if singles[i], err = m.NewSession(opts); err != nil {
			return nil, fmt.Errorf("%w: model %s: session: %w", ErrInvalidModel, spec.name, err)
		}
		in.sessions = append(in.sessions, singles[i])
	}
	_, in.resizable = singles[0].(runtime.Resizer)
	if sm, ok := m.(runtime.StatefulModel); ok && sm.Stateful() {
		in.stateful = true
	}
	if d, ok := m.(runtime.Describer); ok {
		// A model whose metadata does not read still serves tensors; it
		// only takes no encoded files.
		if in.desc, err = d.Describe(); err != nil {
			in.log.Warn("the model's metadata does not read; it takes no encoded files", "err", err)
			in.desc, err = nil, nil
		}
	}
	run := func(ctx context.Context, inputs [][]byte) ([][]byte, error) {
		s := singles[0]
		if err := runtime.SetInputs(s, in.inputs, inputs); err != nil {
			return nil, err
		}
		if err := in.runSafe(ctx, s); err != nil {
			return nil, err
		}
		outs := make([][]byte, len(in.outputs))
		for i := range outs {
			outs[i] = bytes.Clone(s.Output(i))
		}
		return outs, nil
	}
	zero := make([][]byte, len(in.inputs))
	for i, t := range in.inputs {
		zero[i] = make([]byte, t.ByteSize())
	}
	if _, err := run(ctx, zero); err != nil {
		return nil, fmt.Errorf("%w: model %s: a run on zero inputs failed: %w", ErrInvalidModel, spec.name, err)
	}
	if spec.check != nil {
		if err := spec.check(ctx, in.inputs, in.outputs, run); err != nil {
			return nil, fmt.Errorf("%w: model %s: smoke test: %w", ErrInvalidModel, spec.name, err)
		}
	}
	if in.stateful {
		resetState(singles[0])
	}
	var batched []runtime.Session
	if spec.cfg.MaxBatch > 1 && !in.stateful {
		batched = in.openBatched(ctx, spec, opts, run)
	}
	in.queue = make(chan *job, spec.cfg.Queue)
	in.stop = make(chan struct{})
	in.drained = make(chan struct{})
	if in.stateful {
		in.streams = newStreams(in, singles)
		in.workers.Add(1)
		go in.streams.reap(spec.cfg.SequenceIdleTimeout)
		singles = nil
	}
	for i := range singles {
		var b runtime.Session
		if batched != nil {
			b = batched[i]
		}
		in.workers.Add(1)
		go in.work(singles[i], b)
	}
	in.loadedAt = time.Now()
	if rec != nil {
		in.stats = rec.Model(spec.name, version)
	}
	return in, nil
}

// openBatched opens the model re-shaped for cfg.MaxBatch inputs and checks,
// on random inputs, that every row of a batched run equals a single run of
// that row. A graph that cannot take the batch, or mixes its rows, runs one
// request at a time: that is logged, not an error.
func (in *instance) openBatched(ctx context.Context, spec loadSpec, opts runtime.Options, single Runner) []runtime.Session {
	n := spec.cfg.MaxBatch
	bm, err := runtime.Open(spec.path, runtime.OpenOptions{Backend: in.backend, Batch: n})
	if err != nil {
		in.log.Info("model runs one request at a time: its graph does not take a batch", "max_batch", n, "reason", err)
		return nil
	}
	in.models = append(in.models, bm)
	sessions := make([]runtime.Session, spec.cfg.Sessions)
	for i := range sessions {
		if sessions[i], err = bm.NewSession(opts); err != nil {
			in.log.Warn("model runs one request at a time: batched session failed", "reason", err)
			return nil
		}
		in.sessions = append(in.sessions, sessions[i])
	}
	if err := verifyBatch(ctx, sessions[0], in.inputs, in.outputs, n, in.runSafe, single); err != nil {
		in.log.Warn("model runs one request at a time: batched run differs from single runs", "reason", err)
		return nil
	}
	in.maxBatch = n
	return sessions
}

// verifyBatch runs n random rows batched and the first and last alone, and
// compares their outputs bit for bit.
func verifyBatch(ctx context.Context, s runtime.Session, inputs, outputs []runtime.TensorInfo, n int,
	run func(context.Context, runtime.Session) error, single Runner) error {
	rng := rand.New(rand.NewPCG(uint64(n), 0x5eed))
	rows := make([][][]byte, n)
	for r := range rows {
		rows[r] = make([][]byte, len(inputs))
		for i, t := range inputs {
			b := make([]byte, t.ByteSize())
			fillRandom(rng, t.DType, b)
			rows[r][i] = b
			copy(s.Input(i)[r*len(b):], b)
		}
	}
	if err := run(ctx, s); err != nil {
		return err
	}
	for _, r := range []int{0, n - 1} {
		want, err := single(ctx, rows[r])
		if err != nil {
			return err
		}
		for o := range outputs {
			size := len(want[o])
			if !bytes.Equal(s.Output(o)[r*size:(r+1)*size], want[o]) {
				return fmt.Errorf("output %s of row %d", outputs[o].Name, r)
			}
		}
	}
	return nil
}

// fillRandom writes random values of dtype: floats in [-1, 1), integers of
// every bit pattern.
func fillRandom(rng *rand.Rand, dt runtime.DType, b []byte) {
	if dt == runtime.Float32 {
		for i := 0; i+4 <= len(b); i += 4 {
			putFloat32(b[i:], rng.Float32()*2-1)
		}
		return
	}
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
}

// acquire registers a request on the instance; false once it is retiring.
func (in *instance) acquire() bool {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.closing {
		return false
	}
	in.holders++
	return true
}

func (in *instance) release() {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.holders--
	if in.closing && in.holders == 0 {
		close(in.drained)
	}
}

// retire stops taking requests, waits for the ones it holds (bounded by
// ctx), then stops the workers and frees the sessions and models.
func (in *instance) retire(ctx context.Context) {
	in.mu.Lock()
	if !in.closing {
		in.closing = true
		if in.holders == 0 {
			close(in.drained)
		}
	}
	in.mu.Unlock()
	select {
	case <-in.drained:
	case <-ctx.Done():
		in.log.Warn("stopping a model version with requests still running", "reason", ctx.Err())
	}
	close(in.stop)
	in.workers.Wait()
	in.fail(ErrShuttingDown)
	in.closeSessions()
}

// fail answers every job still queued with err.
func (in *instance) fail(err error) {
	for {
		select {
		case j := <-in.queue:
			if j.state.CompareAndSwap(jobQueued, jobTaken) {
				j.err = err
				close(j.done)
			}
		default:
			return
		}
	}
}

func (in *instance) closeSessions() {
	for _, s := range in.sessions {
		s.Close()
	}
	for _, m := range in.models {
		m.Close()
	}
	in.sessions, in.models = nil, nil
}

// submit queues j without waiting; a full queue is ErrQueueFull at once.
func (in *instance) submit(j *job) error {
	select {
	case in.queue <- j:
		return nil
	default:
		return fmt.Errorf("%w: model %s has %d requests waiting", ErrQueueFull, in.name, cap(in.queue))
	}
}

// wait waits for j's answer. If ctx ends while j is still queued, j is
// abandoned (no worker will run it); if it is running, wait lets the run
// see the same ctx and end.
func (in *instance) wait(ctx context.Context, j *job) error {
	select {
	case <-j.done:
		return j.err
	case <-ctx.Done():
		if j.state.CompareAndSwap(jobQueued, jobAbandoned) {
			return ctxErr(ctx, in.name)
		}
		<-j.done
		return j.err
	}
}

// ctxErr maps an ended request context to the agent's error.
func ctxErr(ctx context.Context, model string) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("%w: model %s: the request's deadline passed before it finished", ErrDeadline, model)
	}
	return fmt.Errorf("model %s: %w", model, ctx.Err())
}

// work is one worker: it owns one single session and, with batching, one
// batched session, and serves the queue until stop.
func (in *instance) work(single, batched runtime.Session) {
	defer in.workers.Done()
	var timer *time.Timer
	if batched != nil {
		timer = time.NewTimer(time.Hour)
		timer.Stop()
	}
	jobs := make([]*job, 0, in.maxBatch)
	for {
		var first *job
		in.idle.Add(1)
		select {
		case first = <-in.queue:
		case <-in.stop:
			in.idle.Add(-1)
			return
		}
		in.idle.Add(-1)
		jobs = in.take(jobs[:0], first)
		if batched != nil && len(jobs) > 0 {
			jobs = in.gather(jobs, timer)
		}
		// The batched graph computes every row, filled or not, so a batch
		// under half full costs more than running its requests one by one.
		in.recent.Store(max(int32(len(jobs)), in.recent.Load()-1))
		if len(jobs) > 1 && 2*len(jobs) > in.maxBatch && !resized(jobs) {
			in.runBatch(batched, jobs)
			continue
		}
		for _, j := range jobs {
			in.runSingle(single, j)
		}
	}
}

// take claims j for this worker, unless its caller gave up or its
// deadline has passed (then it is answered here).
func (in *instance) take(jobs []*job, j *job) []*job {
	if !j.state.CompareAndSwap(jobQueued, jobTaken) {
		return jobs
	}
	if j.ctx.Err() != nil {
		j.err = ctxErr(j.ctx, in.name)
		close(j.done)
		return jobs
	}
	j.queue = time.Since(j.enq)
	return append(jobs, j)
}

// gather adds queued jobs to the batch until it is full or the batch delay
// has passed since the worker took the first job. It takes what is queued
// at once, but waits for more only when no other worker is idle (an idle
// one serves the next arrival sooner) and others could join: more requests
// are in flight than it has gathered, or recent batches were bigger (their
// callers are likely sending their next requests). So a lone sequential
// caller pays the batch delay only for the few batches after a burst.
func (in *instance) gather(jobs []*job, timer *time.Timer) []*job {
	delay := in.cfg.BatchDelay // from now: time queued behind a running batch does not count
	if delay > 0 {
		timer.Reset(delay)
		defer timer.Stop()
	}
	for len(jobs) < in.maxBatch {
		select {
		case j := <-in.queue:
			jobs = in.take(jobs, j)
			continue
		default:
		}
		if delay <= 0 || in.idle.Load() > 0 || (!in.othersInFlight(len(jobs)) && int(in.recent.Load()) <= len(jobs)) {
			return jobs // another worker is free, or nobody else could join: do not wait
		}
		select {
		case j := <-in.queue:
			jobs = in.take(jobs, j)
		case <-timer.C:
			return jobs
		case <-in.stop:
			return jobs
		}
	}
	return jobs
}

// othersInFlight reports whether more than n requests hold the instance.
func (in *instance) othersInFlight(n int) bool {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.holders > n
}

// resized reports whether a job has inputs of other shapes than the
// model's (it cannot join a batch).
func resized(jobs []*job) bool {
	for _, j := range jobs {
		if j.resized {
			return true
		}
	}
	return false
}

func (in *instance) runSingle(s runtime.Session, j *job) {
	j.err = in.runOn(s, j)
	close(j.done)
}

// runOn runs j on s, first giving s j's input shapes (or back the model's),
// and sets j's outputs and timings.
func (in *instance) runOn(s runtime.Session, j *job) error {
	if err := in.shape(s, j); err != nil {
		return err
	}
	for i, t := range j.inputs {
		copy(s.Input(i), t.Data)
	}
	start := time.Now()
	err := in.runSafe(j.ctx, s)
	j.compute, j.batch = time.Since(start), 1
	if err != nil {
		if j.ctx.Err() != nil {
			return ctxErr(j.ctx, in.name)
		}
		return fmt.Errorf("model %s: run: %w", in.name, err)
	}
	outInfo := in.outputs
	if r, ok := s.(runtime.Resizer); ok && j.resized {
		outInfo = r.Outputs()
	}
	j.outs = make([][]byte, len(j.outIdx))
	j.outShapes = make([][]int, len(j.outIdx))
	for k, o := range j.outIdx {
		j.outs[k] = bytes.Clone(s.Output(o))
		j.outShapes[k] = outInfo[o].Shape
	}
	return nil
}

// shape resizes s's inputs to j's shapes when they differ from its current
// ones. A shape the graph cannot take is a bad request naming the inputs
// and shapes; s keeps its previous shapes.
func (in *instance) shape(s runtime.Session, j *job) error {
	r, ok := s.(runtime.Resizer)
	if !ok {
		return nil
	}
	cur := r.Inputs()
	same := true
	for i := range cur {
		same = same && slices.Equal(cur[i].Shape, j.inputs[i].Shape)
	}
	if same {
		return nil
	}
	shapes := make([][]int, len(j.inputs))
	for i, t := range j.inputs {
		shapes[i] = t.Shape
	}
	if err := r.ResizeInputs(shapes); err != nil {
		names := make([]string, len(in.inputs))
		for i, t := range in.inputs {
			names[i] = fmt.Sprintf("input %q shape %v", t.Name, shapes[i])
		}
		return fmt.Errorf("%w: model %s cannot take %s: %w", ErrBadRequest, in.name, strings.Join(names, ", "), err)
	}
	return nil
}

// resetState starts a new stream on s, when s keeps state.
func resetState(s runtime.Session) {
	if r, ok := s.(runtime.StateResetter); ok {
		r.ResetState()
	}
}

// runBatch runs up to maxBatch jobs as one batch: job r's inputs go to row
// r; rows past len(jobs) keep whatever they held and their outputs are
// ignored. The run is not cancelled by any one caller.
func (in *instance) runBatch(s runtime.Session, jobs []*job) {
	for r, j := range jobs {
		for i, t := range j.inputs {
			copy(s.Input(i)[r*len(t.Data):], t.Data)
		}
	}
	start := time.Now()
	err := in.runSafe(context.Background(), s)
	compute := time.Since(start)
	for r, j := range jobs {
		j.compute, j.batch = compute, len(jobs)
		if err != nil {
			j.err = err
		} else {
			j.outs = make([][]byte, len(j.outIdx))
			for k, o := range j.outIdx {
				size := in.outputs[o].ByteSize()
				j.outs[k] = bytes.Clone(s.Output(o)[r*size : (r+1)*size])
			}
		}
		close(j.done)
	}
}

// status describes the instance for ModelStatus.
func (in *instance) status() ModelStatus {
	st := ModelStatus{
		Name: in.name, Version: in.version, Digest: in.digest, State: StateReady, Path: in.path, Backend: in.backend,
		Inputs: in.inputs, Outputs: in.outputs, Description: in.desc, MaxBatch: in.maxBatch,
		Resizable: in.resizable, Stateful: in.stateful,
		Sessions: in.cfg.Sessions, Queue: len(in.queue), QueueCap: cap(in.queue), LoadedAt: in.loadedAt,
	}
	if in.streams != nil {
		st.Streams = in.streams.open()
	}
	if msg := in.failed.Load(); msg != nil {
		st.State, st.Error = StateFailed, *msg
	}
	if in.stats != nil {
		s := in.stats.Snapshot()
		st.Requests, st.Errors, st.CacheHits, st.CacheMisses = s.Requests, s.Errors, s.CacheHits, s.CacheMisses
		if s.Total.Count > 0 {
			st.P50, st.P99 = s.Total.Quantile(0.5), s.Total.Quantile(0.99)
		}
	}
	return st
}
