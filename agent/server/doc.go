// Package server serves the agent's HTTP API on its Unix socket: the KServe
// v2 / Open Inference Protocol paths (health, server and model metadata,
// model readiness, inference with JSON tensors and the binary tensor
// extension), the agent's own /v1 paths (model list, admin install) and
// /metrics.
//
// It has three parts: Listen creates the socket (directory, mode, group,
// a private per-user fallback directory, safe replacement of a stale
// socket file); the handlers decode and validate requests against the
// model's metadata, call the Backend and render every error in one place
// as JSON with a status mapped from the agent's error sentinels; Serve
// runs the HTTP server with timeouts, per-model body caps and a budget of
// body bytes in flight, Origin refusal, peer-credential (SO_PEERCRED,
// SO_PEERGROUPS) checks on admin paths, the model file descriptor an
// install passes on the socket (SCM_RIGHTS), and drains in-flight requests
// when its context ends.
//
// The wire types live in package api, shared with the client package.
package server
