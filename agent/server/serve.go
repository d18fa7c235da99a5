package server

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"slices"
	"time"

	"github.com/edgeinfer/edgeinfer/agent"
)

// Backend is what the handlers need from the agent (*agent.Agent).
type Backend interface {
	Infer(ctx context.Context, req *agent.Request) (*agent.Response, error)
	// InferMedia answers a request that sent an encoded image or WAV
	// file; TakesMedia reports whether the model can take one (its
	// requests may then be as large as Config.MaxMediaBytes).
	InferMedia(ctx context.Context, req *agent.MediaRequest) (*agent.MediaResponse, error)
	TakesMedia(model string) bool
	Models() []agent.ModelStatus
	// Model wraps agent.ErrNoModel when there is no such model.
	Model(name string) (agent.ModelStatus, error)
	// Install loads the model file f, which the caller opened and passed
	// over the socket, as name, replacing the active version; it wraps
	// agent.ErrInvalidModel when the file fails to load (the old version
	// keeps serving).
	Install(ctx context.Context, name string, f *os.File) (agent.ModelStatus, error)
	// Ready reports whether every configured model has a working version.
	Ready() bool
	// WritePrometheus writes the /metrics body (Prometheus text 0.0.4).
	WritePrometheus(w io.Writer)
}

// Options configure Serve. The zero value serves with the defaults of
// Config.
type Options struct {
	// Config is the configuration file's part for the socket API; its
	// unset fields take their defaults (Config.Resolve with the memory
	// unknown). Serve does not use Socket, SocketGroup and SocketMode:
	// they are Listen's.
	Config
	// Logger gets one debug record per request and a warning per 5xx
	// answer (nil = discard).
	Logger *slog.Logger
	// Version is the agent's version, reported by GET /v2.
	Version string
	// BodyWait is how long a request waits for room under
	// MaxInflightBodyBytes before it gets 503 (default 10 s). A request
	// bigger than the whole bound runs alone.
	BodyWait time.Duration
	// RequestTimeout bounds one inference, queueing included (0 = only the
	// client's going away ends it); past it the answer is 504.
	RequestTimeout time.Duration
	// DrainTimeout is how long Serve waits for in-flight requests when its
	// context ends (default 30 s).
	DrainTimeout time.Duration
}

func (o Options) withDefaults() Options {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	o.Config = o.Config.Resolve(0)
	if o.DrainTimeout <= 0 {
		o.DrainTimeout = 30 * time.Second
	}
	if o.BodyWait <= 0 {
		o.BodyWait = defaultBodyWait
	}
	return o
}

// Serve answers API requests on ln until ctx ends, then stops accepting,
// waits up to o.DrainTimeout for the requests in flight and closes ln. It
// returns nil after a clean drain.
func Serve(ctx context.Context, ln net.Listener, b Backend, o Options) error {
	o = o.withDefaults()
	h := newHandler(b, o)
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: o.ReadHeaderTimeout,
		ReadTimeout:       o.ReadTimeout,
		IdleTimeout:       o.IdleTimeout,
		ConnContext:       func(ctx context.Context, c net.Conn) context.Context { return withConn(withPeer(ctx, c), c) },
		ErrorLog:          slog.NewLogLogger(o.Logger.Handler(), slog.LevelDebug),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(fdListener{ln}) }()
	select {
	case err := <-errc:
		return fmt.Errorf("socket API on %s: %w", ln.Addr(), err)
	case <-ctx.Done():
	}
	o.Logger.Info("socket API draining", "drain_timeout", o.DrainTimeout)
	dctx, cancel := context.WithTimeout(context.Background(), o.DrainTimeout)
	defer cancel()
	err := srv.Shutdown(dctx)
	<-errc
	if err != nil {
		srv.Close()
		return fmt.Errorf("socket API: drain: %w", err)
	}
	return nil
}

// handler routes and guards every request.
type handler struct {
	b        Backend
	o        Options
	mux      *http.ServeMux
	self     int     // the agent's effective uid, always an admin
	inflight *budget // bytes of request bodies in memory
}

func newHandler(b Backend, o Options) *handler {
	h := &handler{b: b, o: o, mux: http.NewServeMux(), self: os.Geteuid(), inflight: newBudget(o.MaxInflightBodyBytes)}
	for pattern, fn := range map[string]func(http.ResponseWriter, *http.Request) error{
		"GET /v2/health/live":                             h.live,
		"GET /v2/health/ready":                            h.ready,
		"GET /v2":                                         h.server,
		"GET /v2/models/{name}":                           h.metadata,
		"GET /v2/models/{name}/versions/{version}":        h.metadata,
		"GET /v2/models/{name}/ready":                     h.modelReady,
		"GET /v2/models/{name}/versions/{version}/ready":  h.modelReady,
		"POST /v2/models/{name}/infer":                    h.infer,
		"POST /v2/models/{name}/versions/{version}/infer": h.infer,
		"GET /v1/models":                                  h.models,
		"POST /v1/models/{name}":                          h.install,
		"GET /metrics":                                    h.metrics,
	} {
		h.mux.Handle(pattern, handlerFunc(fn))
	}
	return h
}

// handlerFunc adapts a handler that returns its error to http.Handler;
// the error is rendered by writeError.
type handlerFunc func(http.ResponseWriter, *http.Request) error

func (f handlerFunc) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := f(w, r); err != nil {
		writeError(w, err)
	}
}

// ServeHTTP applies the guards every path shares, logs, and routes.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rec := &recorder{ResponseWriter: w, status: http.StatusOK, writeTimeout: h.o.WriteTimeout}
	h.serve(rec, r)
	dur := time.Since(start)
	attrs := []any{"method", r.Method, "path", r.URL.Path, "status", rec.status, "bytes", rec.bytes, "duration", dur}
	if rec.status >= 500 && rec.status != statusClientClosed {
		h.o.Logger.Warn("request failed", append(attrs, "error", rec.err)...)
		return
	}
	h.o.Logger.Debug("request", attrs...)
}

func (h *handler) serve(w *recorder, r *http.Request) {
	if _, ok := r.Header["Origin"]; ok {
		writeError(w, errorf(http.StatusForbidden, "requests with an Origin header are refused: browsers must not reach the agent's socket"))
		return
	}
	if h.o.MaxBodyBytes > 0 && r.ContentLength > h.o.MaxBodyBytes {
		writeError(w, tooLarge(h.o.MaxBodyBytes))
		return
	}
	if _, pattern := h.mux.Handler(r); pattern == "" {
		writeError(w, h.noRoute(r))
		return
	}
	h.mux.ServeHTTP(w, r)
}

// noRoute explains a request no pattern matches: 405 when another method
// would match the path, else 404.
func (h *handler) noRoute(r *http.Request) error {
	var allowed []string
	for _, m := range []string{http.MethodGet, http.MethodPost} {
		r2 := r.Clone(r.Context())
		r2.Method = m
		if _, p := h.mux.Handler(r2); p != "" {
			allowed = append(allowed, m)
		}
	}
	if len(allowed) > 0 {
		return errorf(http.StatusMethodNotAllowed, "%s %s: method not allowed (use %v)", r.Method, r.URL.Path, allowed)
	}
	return errorf(http.StatusNotFound, "%s %s: no such endpoint", r.Method, r.URL.Path)
}

func tooLarge(limit int64) error {
	return errorf(http.StatusRequestEntityTooLarge, "request body is larger than the limit of %s", byteSize(limit))
}

// byteSize renders a limit as "64 MiB (67108864 bytes)".
func byteSize(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB (%d bytes)", n>>20, n)
	}
	return fmt.Sprintf("%d bytes", n)
}

// recorder remembers the status, size and error of an answer for the log,
// and starts the write deadline when the answer starts.
type recorder struct {
	http.ResponseWriter
	status       int
	bytes        int
	err          error
	writeTimeout time.Duration
	writing      bool
}

// startWriting sets the connection's write deadline once per answer.
func (r *recorder) startWriting() {
	if !r.writing {
		r.writing = true
		http.NewResponseController(r.ResponseWriter).SetWriteDeadline(time.Now().Add(r.writeTimeout))
	}
}

func (r *recorder) WriteHeader(status int) {
	r.startWriting()
	r.status = status
	r.ResponseWriter.WriteHeader(status)
}

func (r *recorder) Write(b []byte) (int, error) {
	r.startWriting()
	n, err := r.ResponseWriter.Write(b)
	r.bytes += n
	return n, err
}

func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// writeJSON answers v as JSON with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		status = http.StatusInternalServerError
		b = fmt.Appendf(nil, `{"error": %q}`, "encoding the answer: "+err.Error())
	}
	b = append(b, '\n')
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", fmt.Sprint(len(b)))
	w.WriteHeader(status)
	w.Write(b)
}

// isAdmin reports whether uid or one of gids may use admin endpoints.
func (h *handler) isAdmin(uid int, gids []int) bool {
	if uid == 0 || uid == h.self || slices.Contains(h.o.AdminUIDs, uid) {
		return true
	}
	for _, g := range gids {
		if slices.Contains(h.o.AdminGIDs, g) {
			return true
		}
	}
	return false
}
