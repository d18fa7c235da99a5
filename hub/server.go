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
)

// Defaults of Options.
const (
	DefaultMaxBody   = 8 << 20
	DefaultMaxBlob   = 4 << 30
	DefaultRetention = 30 * 24 * time.Hour
	// DefaultReadTimeout bounds the reading of one request, headers and
	// body; an authorized blob upload may take longer as long as bytes
	// keep arriving (no gap longer than this).
	DefaultReadTimeout = 30 * time.Second
	// DefaultMaxConns caps the open connections (lowered to fit the
	// process's file limit); beyond it new connections wait in the
	// kernel's queue.
	DefaultMaxConns = 512
	// DefaultMaxConnsPerIP caps the open connections from one client
	// address; beyond it a connection gets 503 and is closed.
	DefaultMaxConnsPerIP = 32
)

// ErrOpenIngest is returned by Open when no token is set and open ingest
// was not asked for.
var ErrOpenIngest = errors.New("hub: no token: anyone could post telemetry and create devices; set a token, or ask for open ingest explicitly")

// Options configure a Server. Only DataDir is required.
type Options struct {
	// DataDir holds hub.db and the blobs; it is created if missing.
	DataDir string
	// Token must come as "Authorization: Bearer <Token>" with telemetry
	// and blob uploads. Open refuses an empty Token unless OpenIngest is
	// set; then telemetry is accepted from anyone and blob uploads are
	// refused.
	Token string
	// ReadToken must come as "Authorization: Bearer <ReadToken>" with the
	// read API (GET /api/devices, GET /api/series); default Token. With
	// neither set (open ingest) the read API is open too.
	ReadToken string
	// OpenIngest accepts telemetry without a token.
	OpenIngest bool
	// MaxBody caps a telemetry request body (compressed); default
	// DefaultMaxBody. Larger bodies get 413.
	MaxBody int64
	// MaxBlob caps an uploaded blob; default DefaultMaxBlob.
	MaxBlob int64
	// PublicURL is the base of the blob URLs the hub hands out (for
	// example https://hub.example.com); default: the request's own host.
	PublicURL string
	// ReadTimeout bounds the reading of a request (default
	// DefaultReadTimeout); see DefaultReadTimeout.
	ReadTimeout time.Duration
	// MaxConns caps open connections (default DefaultMaxConns, lowered to
	// fit the file limit); MaxConnsPerIP caps those of one client address
	// (default DefaultMaxConnsPerIP; negative: no per-address cap, for a
	// hub behind a proxy).
	MaxConns      int
	MaxConnsPerIP int
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
	db  *storage
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
	if o.Token == "" && !o.OpenIngest {
		return nil, ErrOpenIngest
	}
	if o.ReadToken == "" {
		o.ReadToken = o.Token
	}
	if o.ReadTimeout <= 0 {
		o.ReadTimeout = DefaultReadTimeout
	}
	if o.MaxConns <= 0 {
		o.MaxConns = DefaultMaxConns
	}
	if o.MaxConnsPerIP == 0 {
		o.MaxConnsPerIP = DefaultMaxConnsPerIP
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
	db, err := openStorage(filepath.Join(o.DataDir, "hub.db"))
	if err != nil {
		return nil, fmt.Errorf("hub: %w", err)
	}
	s := &Server{o: o, db: db, log: log.With("component", "hub")}
	if o.ReadToken == "" {
		s.log.Warn("no token: anyone who reaches the hub may post telemetry and read the fleet inventory and series")
	}
	if o.PublicURL == "" {
		s.log.Warn("no public URL: blob URLs are built from each request's Host header, which the client chooses; set the hub's public URL")
	}
	s.routes()
	return s, nil
}

// Close closes the hub's state file.
func (s *Server) Close() error { return s.db.close() }

// Handler returns the hub's HTTP handler.
func (s *Server) Handler() http.Handler { return s.mux }

func (s *Server) routes() {
	m := http.NewServeMux()
	m.HandleFunc("POST /v1/metrics", s.handleMetrics)
	m.HandleFunc("PUT /v1/blobs/sha256/{hex}", s.handlePutBlob)
	m.HandleFunc("GET /v1/blobs/sha256/{hex}", s.handleGetBlob)
	m.HandleFunc("GET /api/devices", s.reader(s.handleDevices))
	m.HandleFunc("GET /api/series", s.reader(s.handleSeries))
	m.HandleFunc("GET /{$}", s.handleDashboard)
	s.mux = m
}

// Serve serves the hub on ln until ctx ends, then shuts down gracefully
// (waiting up to 10 s for requests in flight). It caps the connections
// (MaxConns, MaxConnsPerIP), cuts requests slower than ReadTimeout and
// prunes old series points and keys every hour.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	maxConns := s.o.MaxConns
	if limit := fileLimit(); limit > 0 && uint64(maxConns) > limit/2 {
		maxConns = max(int(limit/2), 1)
		s.log.Warn("connection cap lowered to half the file limit", "max_conns", maxConns, "file_limit", limit)
	}
	ln = newLimitListener(ln, maxConns, s.o.MaxConnsPerIP, s.log)
	srv := &http.Server{
		Handler:           s.mux,
		ReadHeaderTimeout: s.o.ReadTimeout,
		ReadTimeout:       s.o.ReadTimeout,
		// Agents upload once a minute: an idle connection kept longer would
		// only count against its address's cap (a fleet behind one NAT).
		IdleTimeout:    5 * time.Second,
		MaxHeaderBytes: 64 << 10,
		ErrorLog:       slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
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
	keys, points, err := s.db.prune(s.o.Now().Add(-s.o.Retention))
	if err != nil {
		s.log.Error("pruning old series failed", "err", err)
		return
	}
	if keys+points > 0 {
		s.log.Info("pruned data older than the retention", "keys", keys, "points", points, "retention", s.o.Retention)
	}
}

// authorized reports whether r carries the hub's (write) token.
func (s *Server) authorized(r *http.Request) bool { return bearer(r, s.o.Token) }

// bearer reports whether r carries "Authorization: Bearer token".
func bearer(r *http.Request, token string) bool {
	want := "Bearer " + token
	return subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), []byte(want)) == 1
}

// reader lets a request of the read API through when it carries the read
// token (or when the hub has none).
func (s *Server) reader(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.o.ReadToken != "" && !bearer(r, s.o.ReadToken) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="edgeinfer hub"`)
			s.httpError(w, r, http.StatusUnauthorized, "missing or wrong bearer token (the hub's read token)")
			return
		}
		h(w, r)
	}
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
