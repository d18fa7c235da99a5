package telemetry

import (
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// Recorder holds the statistics of every model version the agent serves.
// Its zero value is not usable; call NewRecorder.
type Recorder struct {
	mu     sync.Mutex
	models map[modelKey]*ModelStats
	start  time.Time
	now    func() time.Time
	device atomic.Pointer[Device]
}

type modelKey struct{ name, version string }

// NewRecorder returns an empty recorder; its uptime counts from now.
func NewRecorder() *Recorder {
	return &Recorder{models: make(map[modelKey]*ModelStats), start: time.Now(), now: time.Now}
}

// Model returns the statistics of one model version, creating them the
// first time. It is safe for concurrent use but takes a lock: call it when
// a model is activated and keep the result, not on every request.
func (r *Recorder) Model(name, version string) *ModelStats {
	k := modelKey{name, version}
	r.mu.Lock()
	defer r.mu.Unlock()
	m := r.models[k]
	if m == nil {
		m = &ModelStats{name: name, version: version}
		r.models[k] = m
	}
	return m
}

// Models returns the statistics of every model version, sorted by name
// and version.
func (r *Recorder) Models() []*ModelStats {
	r.mu.Lock()
	out := make([]*ModelStats, 0, len(r.models))
	for _, m := range r.models {
		out = append(out, m)
	}
	r.mu.Unlock()
	sort.Slice(out, func(i, j int) bool {
		if out[i].name != out[j].name {
			return out[i].name < out[j].name
		}
		return out[i].version < out[j].version
	})
	return out
}

// Uptime is how long ago the recorder was created.
func (r *Recorder) Uptime() time.Duration { return r.now().Sub(r.start) }

// Observation is what one request adds to its model's statistics.
type Observation struct {
	// Queue is the time spent waiting for a batch slot, Compute the time
	// running the model, Total the whole request as the caller saw it.
	Queue, Compute, Total time.Duration
	// Batch is the size of the batch the request ran in; 0 means it did
	// not run (a cache hit, or refused before running), and then Queue and
	// Compute are not recorded.
	Batch int
	// CacheHit says the answer came from the result cache, CacheMiss that
	// the cache was asked and had no answer (neither: the model does not
	// use the cache, or the request bypassed it); Error says the request
	// failed.
	CacheHit, CacheMiss, Error bool
}

// ModelStats are the live statistics of one model version. Observe may be
// called from any number of goroutines.
type ModelStats struct {
	name, version string

	requests, errors, hits, misses atomic.Uint64

	queue, compute, total latencyHist
	batches               batchHist
}

// Name and Version identify the model version.
func (m *ModelStats) Name() string    { return m.name }
func (m *ModelStats) Version() string { return m.version }

// Observe records one request. It takes no lock and allocates nothing.
// Every request counts towards Requests and the Total histogram; a cache
// hit or miss counts as such; a request that ran (Batch > 0) adds its Queue and Compute times
// and its batch size.
func (m *ModelStats) Observe(o Observation) {
	m.requests.Add(1)
	if o.Error {
		m.errors.Add(1)
	}
	m.total.observe(o.Total)
	if o.CacheHit {
		m.hits.Add(1)
		return
	}
	if o.CacheMiss {
		m.misses.Add(1)
	}
	if o.Batch > 0 {
		m.queue.observe(o.Queue)
		m.compute.observe(o.Compute)
		m.batches.observe(o.Batch)
	}
}

// Snapshot is a copy of a model version's statistics since the recorder
// started. Counters only grow; Sub gives the change between two snapshots.
type Snapshot struct {
	Requests, Errors, CacheHits, CacheMisses uint64
	Queue, Compute, Total                    Histogram
	Batches                                  Histogram
}

// Snapshot copies the current statistics. Each histogram is consistent in
// itself (Count is the sum of its Counts); a request that lands while the
// copy is made may show in one figure and not yet in another.
func (m *ModelStats) Snapshot() Snapshot {
	return Snapshot{
		Requests:    m.requests.Load(),
		Errors:      m.errors.Load(),
		CacheHits:   m.hits.Load(),
		CacheMisses: m.misses.Load(),
		Queue:       m.queue.snapshot(),
		Compute:     m.compute.snapshot(),
		Total:       m.total.snapshot(),
		Batches:     m.batches.snapshot(),
	}
}

// Sub returns s minus an earlier snapshot of the same model version.
func (s Snapshot) Sub(prev Snapshot) Snapshot {
	return Snapshot{
		Requests:    s.Requests - prev.Requests,
		Errors:      s.Errors - prev.Errors,
		CacheHits:   s.CacheHits - prev.CacheHits,
		CacheMisses: s.CacheMisses - prev.CacheMisses,
		Queue:       s.Queue.Sub(prev.Queue),
		Compute:     s.Compute.Sub(prev.Compute),
		Total:       s.Total.Sub(prev.Total),
		Batches:     s.Batches.Sub(prev.Batches),
	}
}
