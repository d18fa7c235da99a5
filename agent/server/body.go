package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/edgeinfer/edgeinfer/runtime"
)

// Request body limits when Options.MaxBodyBytes is 0.
const (
	// smallBodyBytes caps the bodies of requests that carry no tensors.
	smallBodyBytes = 1 << 20
	// bodySlackBytes is added to a model's derived limit: the JSON around
	// the tensors (names, shapes, parameters, id).
	bodySlackBytes = 64 << 10
	// bodyCost is what a body costs in memory per byte while its request
	// runs: the body, the copy of its JSON tensor data the decoder keeps,
	// and the garbage collector's headroom over both (measured: a 60 MiB
	// JSON request alone takes the agent to about 190 MiB).
	bodyCost = 3
	// defaultBodyWait is Options.BodyWait's default.
	defaultBodyWait = 10 * time.Second
)

// jsonElementBytes is the most a tensor element of dtype takes as JSON
// text, separators and some spacing included: "-3.4028234663852886e+38, "
// for floats, "-128, " for int8.
func jsonElementBytes(dt runtime.DType) int64 {
	switch dt {
	case runtime.Float32, runtime.Float16, runtime.Float64:
		return 32
	case runtime.Int8, runtime.UInt8, runtime.Bool:
		return 8
	case runtime.Int16, runtime.UInt16:
		return 10
	case runtime.Int32, runtime.UInt32:
		return 16
	}
	return 24
}

// modelBodyLimit is the largest body an inference request of a model with
// these inputs can need: every input as a JSON list (the binary form is
// smaller), plus 25% and bodySlackBytes for the rest of the JSON.
func modelBodyLimit(inputs []runtime.TensorInfo) int64 {
	var n int64
	for _, in := range inputs {
		n += int64(in.NumElements()) * jsonElementBytes(in.DType)
	}
	return n + n/4 + bodySlackBytes
}

// budget bounds the bytes of request bodies in memory at once. A request
// reserves its share before it reads its body and returns it when it is
// answered; a request that does not fit waits, and one larger than the
// whole budget runs when it is alone.
type budget struct {
	limit   int64
	mu      sync.Mutex
	used    int64
	changed chan struct{} // closed and replaced at every release
}

func newBudget(limit int64) *budget {
	return &budget{limit: limit, changed: make(chan struct{})}
}

// errBusy is the 503 of a request that waited too long for the budget.
var errBusy = errors.New("busy")

// acquire reserves n bytes, waiting until they fit or ctx ends.
func (b *budget) acquire(ctx context.Context, n int64) error {
	for {
		b.mu.Lock()
		if b.used+n <= b.limit || b.used == 0 {
			b.used += n
			b.mu.Unlock()
			return nil
		}
		used, changed := b.used, b.changed
		b.mu.Unlock()
		select {
		case <-changed:
		case <-ctx.Done():
			return fmt.Errorf("%w: %d bytes of request bodies are in memory, and this request's %d more would pass the limit of %d (max_inflight_body_bytes): retry later",
				errBusy, used, n, b.limit)
		}
	}
}

func (b *budget) release(n int64) {
	b.mu.Lock()
	b.used -= n
	close(b.changed)
	b.changed = make(chan struct{})
	b.mu.Unlock()
}

// inUse is the bytes reserved now.
func (b *budget) inUse() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.used
}

// readBody reads r's body of at most limit bytes within the in-flight
// budget: it waits up to Options.BodyWait for room (then 503), reads into
// a buffer of the declared size, and returns the body and the function
// that gives its room back once the request is answered.
func (h *handler) readBody(r *http.Request, limit int64) ([]byte, func(), error) {
	if h.o.MaxBodyBytes > 0 {
		limit = h.o.MaxBodyBytes
	}
	if r.ContentLength > limit {
		return nil, nil, tooLarge(limit)
	}
	if r.ContentLength == 0 {
		return nil, func() {}, nil
	}
	size := r.ContentLength
	if size < 0 {
		size = limit // unknown length (chunked): reserve the most it may take
	}
	cost := bodyCost * size
	wctx, cancel := context.WithTimeout(r.Context(), h.o.BodyWait)
	err := h.inflight.acquire(wctx, cost)
	cancel()
	if err != nil {
		if r.Context().Err() != nil {
			return nil, nil, r.Context().Err()
		}
		return nil, nil, &statusError{http.StatusServiceUnavailable, err}
	}
	release := func() { h.inflight.release(cost) }
	body, err := readLimited(r.Body, r.ContentLength, limit)
	if err != nil {
		release()
		return nil, nil, err
	}
	return body, release, nil
}

// readLimited reads a body of declared length n (-1 = unknown) and at
// most limit bytes.
func readLimited(rd io.Reader, n, limit int64) ([]byte, error) {
	if n >= 0 {
		b := make([]byte, n)
		if _, err := io.ReadFull(rd, b); err != nil {
			return nil, badRequest("reading the request body: %w", err)
		}
		return b, nil
	}
	b, err := io.ReadAll(io.LimitReader(rd, limit+1))
	if err != nil {
		return nil, badRequest("reading the request body: %w", err)
	}
	if int64(len(b)) > limit {
		return nil, tooLarge(limit)
	}
	return b, nil
}
