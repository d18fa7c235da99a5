// Package agent is the edgeinfer daemon's core: its configuration, the model
// registry with zero-downtime hot swap, the per-model scheduler (bounded
// queue, session pool, dynamic batching), the result-cache policy over the
// store, and the lifecycle that ties them together. The socket API
// (agent/server) and the command line (cmd/edgeinfer) drive it through Agent's
// methods: Infer, Models, Model, Install.
package agent
