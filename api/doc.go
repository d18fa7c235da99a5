// Package api holds the messages of edgeinfer's socket API, shared by the
// server (agent/server) and the client (client): the JSON types of the KServe
// v2 / Open Inference Protocol (server and model metadata, inference
// requests and responses with the binary tensor extension), the agent's
// own /v1 types, the codec between JSON tensor data and raw little-endian
// tensor bytes, and DefaultSocket, the socket path both sides agree on,
// with the check both sides make of its per-user fallback directory.
//
// It imports only the standard library and runtime (for DType), so a
// client links no server code.
package api
