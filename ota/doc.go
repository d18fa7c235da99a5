// Package ota updates the models of a device over the air. An operator
// signs a manifest (model name, version, sha256, size, URLs, rollout,
// optional smoke test) with an ed25519 key and publishes it, retained, on
// an MQTT topic of the device's fleet group or of the device itself. The
// Reconciler on each device takes the newest valid manifest per model whose
// staged rollout includes the device, downloads the file over HTTP(S) with
// Range resume and a size cap, checks its sha256 while streaming, stages it
// with fsync and rename, has the agent load it, run the smoke test and swap
// it in, then watches the model's error rate for a health window and rolls
// back to the previous version when it is too high. Every step is reported
// as a progress event and in the device's retained status. A manifest with
// an untrusted key, a bad signature, a lower version than the active one
// (unless it carries the signed rollback flag), or a malformed field is
// refused and changes nothing.
//
// Updates run one at a time, health window included; messages that arrive
// meanwhile are kept and taken next. A download survives a restart: its
// progress is recorded in the store and resumed with a Range request.
//
// The package reaches the agent only through the Models interface it
// declares, and MQTT only through the Link interface.
package ota
