package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/edgeinfer/edgeinfer/client"
)

func cmdModels(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newFlags("models", "models [--socket PATH] [--json] [--install NAME=FILE]", `
Models lists the running agent's models: name, active version, the first 12
hex digits of the model file's sha256, state (loading, ready, failed),
requests waiting in the queue over the queue's bound, the p50
and p99 of the total request latency ("-" before any request), and the share of requests the result
cache lookups answered ("-" when the model does not use the cache). A model whose last load
failed is listed with the reason below the table; it keeps serving its
previous version when it has one. --json prints the agent's GET /v1/models
answer, with every field (sessions, max_batch, requests, errors,
cache_hits, cache_misses, loaded_at, ota, ...).

--install NAME=FILE installs FILE as model NAME (or replaces its version
once the new one loads; admins only). The command opens FILE with your
rights and passes the open file to the agent, which never opens a path for
you: a file you cannot read cannot be installed.

The socket is --socket, else $EDGEINFER_SOCKET, else the agent's default.`, `
edgeinfer models
edgeinfer models --json | jq '.[] | {name, p99_ms}'
edgeinfer models --install face=face_v2.tflite`)
	socket := f.String("socket", "", "the agent's socket `PATH` (default $EDGEINFER_SOCKET or the agent's default)")
	asJSON := f.Bool("json", false, "print the agent's JSON list instead of a table")
	timeout := f.Duration("timeout", 30*time.Second, "give up after this long")
	install := f.String("install", "", "install the model file: `NAME=FILE`")
	if _, err := f.parse(args, stdout, 0, 0); err != nil {
		return helpDone(err)
	}
	c := &client.Client{Socket: *socket, Timeout: *timeout}
	if *install != "" {
		name, file, ok := strings.Cut(*install, "=")
		if !ok || name == "" || file == "" {
			return usagef("--install: want NAME=FILE, for example face=face_v2.tflite")
		}
		st, err := c.Install(ctx, name, file)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "installed %s version %s (sha256 %.12s): %s\n", st.Name, st.Version, st.Digest, st.State)
		return nil
	}
	list, err := c.Models(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(list)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tVERSION\tDIGEST\tSTATE\tQUEUE\tP50\tP99\tCACHE-HIT%")
	for _, m := range list {
		hit := "-"
		if n := m.CacheHits + m.CacheMisses; n > 0 {
			hit = fmt.Sprintf("%.1f%%", 100*float64(m.CacheHits)/float64(n))
		}
		p50, p99 := "-", "-"
		if m.Requests > 0 {
			p50, p99 = fmt.Sprintf("%.3f ms", m.P50MS), fmt.Sprintf("%.3f ms", m.P99MS)
		}
		fmt.Fprintf(tw, "%s\t%s\t%.12s\t%s\t%d/%d\t%s\t%s\t%s\n",
			m.Name, m.Version, m.Digest, m.State, m.Queue, m.QueueCap, p50, p99, hit)
	}
	tw.Flush()
	for _, m := range list {
		if m.Error != "" {
			fmt.Fprintf(stdout, "%s: %s\n", m.Name, m.Error)
		}
	}
	return nil
}
