package ota

import "errors"

// Errors of manifest checks and updates; they are wrapped with the model,
// version, key or field concerned.
var (
	// ErrMalformed: the envelope or manifest is not valid JSON of the
	// documented shape, or a field is out of range.
	ErrMalformed = errors.New("ota: malformed manifest")
	// ErrUnknownKey: the manifest is signed with a key the device does not
	// trust.
	ErrUnknownKey = errors.New("ota: manifest signed by an untrusted key")
	// ErrBadSignature: the signature does not match the manifest bytes.
	ErrBadSignature = errors.New("ota: bad manifest signature")
	// ErrDowngrade: the manifest's version is lower than the active one
	// and it has no signed rollback flag.
	ErrDowngrade = errors.New("ota: downgrade refused")
	// ErrNotForDevice: the manifest's target does not name this device.
	ErrNotForDevice = errors.New("ota: manifest not signed for this device")
	// ErrStale: the manifest was created before the newest one the device
	// has taken for the model (a replay), or its rollback does not start
	// from the active version.
	ErrStale = errors.New("ota: stale manifest")
	// ErrExpired: the manifest's expires time has passed.
	ErrExpired = errors.New("ota: manifest expired")
	// ErrTooMany: the device already tracks as many models as it may.
	ErrTooMany = errors.New("ota: too many models")
	// ErrStalled: a download made no progress, or took too long.
	ErrStalled = errors.New("ota: download stalled")
	// ErrAgentTooOld: the manifest needs a newer agent.
	ErrAgentTooOld = errors.New("ota: agent too old for the manifest")
	// ErrUnsupportedOp: the manifest requires an operator this engine lacks.
	ErrUnsupportedOp = errors.New("ota: required operator not supported")
	// ErrTooLarge: the model is larger than the device's download cap.
	ErrTooLarge = errors.New("ota: model larger than the download cap")
	// ErrNoSpace: the disk has too little free space for the download.
	ErrNoSpace = errors.New("ota: not enough free disk space")
	// ErrHashMismatch: the downloaded bytes do not have the manifest's
	// sha256 or size.
	ErrHashMismatch = errors.New("ota: downloaded file does not match the manifest")
	// ErrSmoke: the smoke test's outputs differ from the expected ones.
	ErrSmoke = errors.New("ota: smoke test failed")
	// ErrUnhealthy: the new version's error rate went over the limit
	// during the health window.
	ErrUnhealthy = errors.New("ota: error rate over the limit")
)
