// Package hub is the server of "edgeinfer hub": the small cloud side for a
// fleet that fits on one machine.
//
// It receives the agents' telemetry as OTLP/HTTP metrics (POST
// /v1/metrics, protobuf, gzip or not), deduplicates retried batches by
// their Idempotency-Key and keeps per-device totals and per-model latency
// series in a store file (DIR/hub.db); stores model blobs by sha256 digest
// under DIR/blobs (PUT with a bearer token, GET with Range support); and
// serves JSON (GET /api/devices, GET /api/series) and a dashboard page
// (GET /) with the fleet table and latency plots, all from the binary.
//
// Telemetry and uploads need the write token (or, for telemetry only,
// explicit open ingest); the JSON API needs the read token; the dashboard
// page holds no data of its own. Requests slower than the read timeout are
// cut, and connections are capped in total and per client address.
// Telemetry bodies are untrusted: the hub decodes them itself (otlp.go:
// telemetry's types and names, with size and shape checks), caps their
// size before and after gunzip (413), and refuses malformed ones with 400
// and the reason.
package hub
