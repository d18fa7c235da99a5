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
// an untrusted key, a bad signature, a target that does not name the
// device, a created time older than the newest manifest taken for the
// model, an expires time passed, a lower version than the active one
// (unless it is a signed rollback from exactly the active version), or a
// malformed field is refused and changes nothing. Messages are checked as
// they arrive and only verified manifests are kept, for a bounded number
// of models; refusals are reported at a bounded rate.
//
// Each model updates on its own goroutine, a bounded number at once, and
// its health window runs beside the loop, so one stuck download or one
// health window never holds another model; downloads have header, idle
// and overall timeouts. A download survives a restart: its progress is
// recorded in the journal and resumed with a Range request.
//
// The agent owns each model's record: it records an activation (version,
// previous version, manifest, watch state) in one durable write, and the
// package asks it to activate, roll back or mark a version healthy, and
// reads the records, only through the Models interface it declares. What
// the package keeps of its own (download progress, refused versions, the
// newest manifest taken per model) goes through the Journal interface,
// and MQTT through the Link interface.
//
// Files by job: reconcile.go the loop over the desired state, staging.go
// download, verification, staging and activation, health.go the health
// watches beside the loop, report.go states, events and the status.
package ota
