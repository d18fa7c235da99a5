// Package telemetry records the agent's per-model latency and counts and
// ships them off the device.
//
// A Recorder holds one ModelStats per model version. The request path calls
// ModelStats.Observe, which only adds to atomic counters: it takes no lock
// and allocates nothing. Latencies go into fixed exponential histograms
// whose bucket bounds are 2^(k/4) seconds (about 0.95 µs to 108 s, four
// buckets per doubling), so histograms from different intervals and devices
// merge by adding counts.
//
// The same figures are served in Prometheus text format (WritePrometheus,
// for GET /metrics on the socket) and uploaded: every interval the Uploader
// turns the difference since the last upload into one OTLP/HTTP metrics
// batch (delta temporality, gzip-compressed protobuf, the official
// go.opentelemetry.io/proto/otlp types), appends it to a Spool (an
// interface declared here; the wiring passes the agent's state file) and
// POSTs spooled batches oldest first, each with an idempotency key made of
// the device id and the batch's sequence number.
//
// This package is the only one that imports the OTLP protobuf types.
package telemetry
