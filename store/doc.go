// Package store keeps the agent's state in one bbolt file: the result
// cache (keyed by model digest and input digest, with a TTL and a byte cap
// evicted oldest-first), the model registry (active and previous version of
// each model), OTA download progress (for resumed downloads), the telemetry
// spool (batches by sequence, byte-capped) and metadata (device id, schema
// version). Another program may keep records of its own in a store file,
// in buckets it names and encodes itself (Tx, see buckets.go): edgeinfer
// hub does, in its own file; the store does not know their schema.
//
// Every write is one bbolt transaction, fsynced before it returns, so the
// file survives kill -9 at any moment with either the old or the new
// state. Open refuses, without writing to it, a file that is not a bbolt
// file, a bbolt file edgeinfer did not create, a newer schema, or a file
// that fails bbolt's consistency check.
package store
