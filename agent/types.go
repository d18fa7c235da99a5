package agent

import (
	"time"

	"github.com/edgeinfer/edgeinfer/runtime"
)

// Tensor is one named tensor: its element type, shape and raw bytes in
// row-major order, little-endian (every target edgeinfer builds for).
type Tensor = runtime.Tensor

// Request asks for one inference.
type Request struct {
	// Model names the model; Version, when set, must be the active one.
	Model   string
	Version string
	// Inputs are matched to the model's inputs by name, or by position
	// when every name is empty.
	Inputs []Tensor
	// Outputs names the outputs wanted, in the order wanted; empty means
	// every output in the model's order.
	Outputs []string
	// NoCache bypasses the result cache for this request (no lookup, no
	// store).
	NoCache bool
	// Caller identifies who asks (the socket API sets the caller's uid).
	// With Config.CachePerCaller it is part of the result cache key, so
	// one caller never gets an answer another caller's request cached.
	Caller string
	// Sequence, for a stateful model, names the stream the request belongs
	// to; nil runs the request on a session with fresh state.
	Sequence *Sequence
}

// Sequence places a request in a stream of a stateful model, as Triton's
// sequence batcher does: Start opens the stream (pinning a session to it
// with its state reset), End closes it after this request.
type Sequence struct {
	ID         string
	Start, End bool
}

// Response is the result of one inference.
type Response struct {
	Model   string
	Version string
	Outputs []Tensor
	// Cache says how the result cache took part: CacheHit, CacheMiss or
	// CacheOff (the model does not use the cache, or the request bypassed it).
	Cache CacheResult
	// Queue is the time the request waited for a session; Compute the
	// time the model ran (shared by every request in its batch).
	Queue, Compute time.Duration
	// Batch is how many requests ran together (1 without batching).
	Batch int
}

// CacheResult says whether an answer came from the result cache.
type CacheResult string

// The values of CacheResult.
const (
	CacheHit  CacheResult = "hit"
	CacheMiss CacheResult = "miss"
	CacheOff  CacheResult = "off"
)

// Model states, as ModelStatus.State reports them.
const (
	StateLoading = "loading" // being loaded, not serving yet
	StateReady   = "ready"   // serving requests
	StateFailed  = "failed"  // the last load failed; Error says why
)

// ModelStatus describes one model in the registry.
type ModelStatus struct {
	Name    string
	Version string
	// Digest is the sha256 of the model file, lowercase hex.
	Digest string
	State  string
	// Error is why the last load or install failed, when it did. A model
	// whose new version failed to load keeps serving its old one, so State
	// can be ready with Error set.
	Error string
	Path  string
	// Backend names the runtime backend that runs the model ("tflite").
	Backend string
	// Inputs and Outputs describe the model's tensors (batch dimension as
	// stored in the model).
	Inputs, Outputs []runtime.TensorInfo
	// Description is what the model says about itself (its metadata), nil
	// when it says nothing.
	Description *runtime.Description
	// Resizable says the model's inputs take other shapes of the same rank
	// (a request's shape resizes the session).
	Resizable bool
	// Stateful says the model keeps state between runs: requests with a
	// sequence id run on the session pinned to their stream, and Streams
	// counts the streams open now.
	Stateful bool
	Streams  int
	// MaxBatch is the largest batch the scheduler forms (1 = no batching).
	MaxBatch int
	// Sessions is the size of the session pool; Queue the requests waiting
	// now; QueueCap the queue's bound.
	Sessions, Queue, QueueCap int
	// Requests, Errors, CacheHits and CacheMisses count since the version
	// became active.
	Requests, Errors, CacheHits, CacheMisses uint64
	// P50 and P99 are the total request latency over the same span.
	P50, P99 time.Duration
	// LoadedAt is when the active version started serving.
	LoadedAt time.Time
	// OTA is the model's over-the-air update state, when updates are on.
	OTA string
}
