package hub

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/edgeinfer/edgeinfer/store"
)

// Defaults of Options.
const (
	DefaultMaxBody   = 8 << 20
	DefaultMaxBlob   = 4 << 30
	DefaultRetention = 30 * 24 * time.Hour
)

// Options configure a Server. Only DataDir is required.
type Options struct {
	// DataDir holds hub.db and the blobs; it is created if missing.
	DataDir string
	// Token, when set, must come as "Authorization: Bearer <Token>" with
	// telemetry and blob uploads. Without it telemetry is accepted from
	// anyone and blob uploads are refused.
	Token string
	// MaxBody caps a telemetry request body (compressed); default
	// DefaultMaxBody. Larger bodies get 413.
	MaxBody int64
	// MaxBlob caps an uploaded blob; default DefaultMaxBlob.
	MaxBlob int64
	// PublicURL is the base of the blob URLs the hub hands out (for
	// example https://hub.example.com); default: the request's own host.
	PublicURL string
	// Retention is how long series points and idempotency keys are kept;
	// default DefaultRetention.
	Retention time.Duration
	// Logger receives one record per refused request and per problem
	// (nil = discard).
	Logger *slog.Logger
	// Now is the clock (tests); default time.Now.
	Now func() time.Time
}

// Server is an open hub. Handler serves it; Close releases its file.
type Server struct {
	o   Options
	st  *store.Store
	log *slog.Logger
	mux *http.ServeMux
}

// Open opens (or creates) the hub's state in o.DataDir.
func Open(o Options) (*Server, error) {
	if o.DataDir == "" {
		return nil, errors.New("hub: no data directory")
	}
	if o.MaxBody <= 0 {
		o.MaxBody = DefaultMaxBody
	}
	if o.MaxBlob <= 0 {
		o.MaxBlob = DefaultMaxBlob
	}
	if o.Retention <= 0 {
		o.Retention = DefaultRetention
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	for _, d := range []string{o.DataDir, filepath.Join(o.DataDir, "blobs", "sha256"), filepath.Join(o.DataDir, "blobs", "tmp")} {
		if err := os.MkdirAll(d, 0o750); err != nil {
			return nil, fmt.Errorf("hub: data directory: %w", err)
		}
	}
	st, err := store.Open(filepath.Join(o.DataDir, "hub.db"), store.Options{})
	if err != nil {
		return nil, fmt.Errorf("hub: %w", err)
	}
	if err := st.HubInit(); err != nil {
		st.Close()
		return nil, fmt.Errorf("hub: %w", err)
	}
	s := &Server{o: o, st: st, log: log.With("component", "hub")}
	s.routes()
	return s, nil
}

// Close closes the hub's state file.
func (s *Server) Close() error { return s.st.Close() }

// Handler returns the hub's HTTP handler.
func (s *Server) Handler() http.Handler { return s.mux }

func (s *Server) routes() {
	m := http.NewServeMux()
	m.HandleFunc("POST /v1/metrics", s.handleMetrics)
	m.HandleFunc("PUT /v1/blobs/sha256/{hex}", s.handlePutBlob)
	m.HandleFunc("GET /v1/blobs/sha256/{hex}", s.handleGetBlob)
	m.HandleFunc("GET /api/devices", s.handleDevices)
	m.HandleFunc("GET /api/series", s.handleSeries)
	m.HandleFunc("GET /{$}", s.handleDashboard)
	s.mux = m
}

// Serve serves the hub on ln until ctx ends, then shuts down gracefully
// (waiting up to 10 s for requests in flight). It prunes old series
// points and keys every hour.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s.mux,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	s.prune()
	tick := time.NewTicker(time.Hour)
	defer tick.Stop()
	for {
		select {
		case err := <-errc:
			return fmt.Errorf("hub: serve: %w", err)
		case <-tick.C:
			s.prune()
		case <-ctx.Done():
			sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			defer cancel()
			if err := srv.Shutdown(sctx); err != nil {
				return fmt.Errorf("hub: shutdown: %w", err)
			}
			return nil
		}
	}
}

func (s *Server) prune() {
	keys, points, err := s.st.HubPrune(s.o.Now().Add(-s.o.Retention))
	if err != nil {
		s.log.Error("pruning old series failed", "err", err)
		return
	}
	if keys+points > 0 {
		s.log.Info("pruned data older than the retention", "keys", keys, "points", points, "retention", s.o.Retention)
	}
}

// authorized reports whether r carries the hub's token.
func (s *Server) authorized(r *http.Request) bool {
	want := "Bearer " + s.o.Token
	return subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), []byte(want)) == 1
}

// httpError writes {"error": msg} with a status, and logs the refusal.
func (s *Server) httpError(w http.ResponseWriter, r *http.Request, status int, msg string) {
	s.log.Warn("request refused", "method", r.Method, "path", r.URL.Path, "remote", r.RemoteAddr, "status", status, "reason", msg)
	writeJSON(w, status, map[string]string{"error": msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}
