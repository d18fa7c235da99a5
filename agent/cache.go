package agent

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/edgeinfer/edgeinfer/store"
)

// cacheKey is sha256 over the model's content digest, the caller (empty
// when the cache is shared), every input (shape and bytes, in model input
// order) and the outputs asked for: a new model version or a different
// question is a different key, so entries of a replaced version are never
// read again and age out.
func cacheKey(digest, caller string, inputs []Tensor, outIdx []int) []byte {
	h := sha256.New()
	var n [8]byte
	h.Write([]byte("edgeinfer-cache-v1\x00"))
	h.Write([]byte(digest))
	binary.LittleEndian.PutUint64(n[:], uint64(len(caller)))
	h.Write(n[:])
	h.Write([]byte(caller))
	for _, t := range inputs {
		binary.LittleEndian.PutUint64(n[:], uint64(len(t.Data)))
		h.Write(n[:])
		h.Write(t.Data)
	}
	for _, o := range outIdx {
		binary.LittleEndian.PutUint64(n[:], uint64(o))
		h.Write(n[:])
	}
	return h.Sum(nil)
}

// encodeOutputs stores outputs as, for each: length (uint32 LE) and bytes.
func encodeOutputs(outs [][]byte) []byte {
	size := 0
	for _, b := range outs {
		size += 4 + len(b)
	}
	v := make([]byte, 0, size)
	for _, b := range outs {
		v = binary.LittleEndian.AppendUint32(v, uint32(len(b)))
		v = append(v, b...)
	}
	return v
}

// decodeOutputs reverses encodeOutputs, checking each output against the
// size the model gives it; a value that does not fit is a miss.
func decodeOutputs(v []byte, sizes []int) ([][]byte, bool) {
	outs := make([][]byte, len(sizes))
	for i, size := range sizes {
		if len(v) < 4 || int(binary.LittleEndian.Uint32(v)) != size || len(v)-4 < size {
			return nil, false
		}
		outs[i], v = v[4:4+size:4+size], v[4+size:]
	}
	return outs, len(v) == 0
}

// cacheWriter batches cache stores off the request path: entries wait in
// a channel and a goroutine writes them in one bbolt transaction every
// flush interval (or sooner when many wait). When the channel is full an
// entry is dropped and counted; the answer was already sent.
type cacheWriter struct {
	st       *store.Store
	capBytes int64
	log      *slog.Logger
	in       chan store.CacheEntry
	dropped  atomic.Uint64
	written  atomic.Uint64
	evicted  atomic.Uint64
	done     chan struct{}
	stopOnce sync.Once
	stop     chan struct{}
}

const (
	cacheFlushEvery = 50 * time.Millisecond
	cacheBatchMax   = 256
)

func newCacheWriter(st *store.Store, capBytes int64, log *slog.Logger) *cacheWriter {
	w := &cacheWriter{st: st, capBytes: capBytes, log: log, in: make(chan store.CacheEntry, 4*cacheBatchMax),
		done: make(chan struct{}), stop: make(chan struct{})}
	go w.run()
	return w
}

func (w *cacheWriter) put(key, value []byte) {
	select {
	case w.in <- store.CacheEntry{Key: key, Value: value}:
	default:
		w.dropped.Add(1)
	}
}

func (w *cacheWriter) run() {
	defer close(w.done)
	batch := make([]store.CacheEntry, 0, cacheBatchMax)
	tick := time.NewTicker(cacheFlushEvery)
	defer tick.Stop()
	for {
		select {
		case e := <-w.in:
			batch = append(batch, e)
			if len(batch) < cacheBatchMax {
				continue
			}
		case <-tick.C:
		case <-w.stop:
			for {
				select {
				case e := <-w.in:
					batch = append(batch, e)
				default:
					w.flush(batch)
					return
				}
			}
		}
		batch = w.flush(batch)
	}
}

func (w *cacheWriter) flush(batch []store.CacheEntry) []store.CacheEntry {
	if len(batch) == 0 {
		return batch
	}
	evicted, err := w.st.CachePut(batch, w.capBytes)
	if err != nil {
		w.log.Warn("result cache write failed; answers were sent, the entries are not kept", "entries", len(batch), "err", err)
	} else {
		w.written.Add(uint64(len(batch)))
		w.evicted.Add(uint64(evicted))
	}
	return batch[:0]
}

// close writes what is waiting and stops the writer (bounded by ctx).
func (w *cacheWriter) close(ctx context.Context) {
	w.stopOnce.Do(func() { close(w.stop) })
	select {
	case <-w.done:
	case <-ctx.Done():
	}
}
