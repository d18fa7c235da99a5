// Package client talks to the edgeinfer agent over its Unix socket: health,
// model metadata and status, inference (binary tensors both ways, or JSON)
// and model installation. The zero Client dials api.DefaultSocket(), the
// path the agent listens on by default:
//
//	var c client.Client
//	res, err := c.Infer(ctx, "mobilenet", []client.Tensor{{Name: "input", Datatype: "UINT8", Shape: []int64{1, 224, 224, 3}, Data: pixels}})
//
// Errors the agent answers with come back as *Error, which carries the
// HTTP status and the agent's message.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/edgeinfer/edgeinfer/api"
)

// Client is a client of one agent. Its zero value is ready to use; it is
// safe for concurrent use and reuses connections.
type Client struct {
	// Socket is the agent's socket path ("" = api.DefaultSocket()).
	Socket string
	// Timeout bounds each call (0 = only the context bounds it).
	Timeout time.Duration
	// MaxAnswerBytes bounds how much of an answer the client reads (0 =
	// DefaultMaxAnswerBytes); a longer answer is an error, so a fake or
	// broken agent cannot make the client hold unbounded memory.
	MaxAnswerBytes int64

	mu   sync.Mutex
	hc   *http.Client
	sock string // the socket hc dials
}

// DefaultMaxAnswerBytes is the default of Client.MaxAnswerBytes: far above
// the JSON answer of any model that fits a small device.
const DefaultMaxAnswerBytes = 512 << 20

// Error is an error answer of the agent.
type Error struct {
	// Status is the HTTP status: 400 bad tensor, 403 refused, 404 no such
	// model, 413 body too large, 422 model failed to load, 503 queue full
	// or not ready, 504 deadline.
	Status  int
	Message string
}

func (e *Error) Error() string {
	return fmt.Sprintf("agent: %s (HTTP %d %s)", strings.TrimPrefix(e.Message, "agent: "), e.Status, http.StatusText(e.Status))
}

func (c *Client) socket() string {
	if c.Socket != "" {
		return c.Socket
	}
	return api.DefaultSocket()
}

func (c *Client) http() *http.Client {
	sock := c.socket()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.hc == nil || c.sock != sock {
		c.sock = sock
		c.hc = &http.Client{Transport: &http.Transport{
			DialContext:         func(ctx context.Context, _, _ string) (net.Conn, error) { return dial(ctx, sock) },
			MaxIdleConnsPerHost: 16,
			IdleConnTimeout:     60 * time.Second,
		}}
	}
	return c.hc
}

// dial connects to the agent's socket, after checking its directory when
// it is the per-user fallback one (api.CheckSocketPath): a directory
// another user made could hold their fake agent.
func dial(ctx context.Context, sock string) (net.Conn, error) {
	if err := api.CheckSocketPath(sock); err != nil {
		return nil, fmt.Errorf("refusing to connect: %w", err)
	}
	var d net.Dialer
	return d.DialContext(ctx, "unix", sock)
}

func (c *Client) maxAnswer() int64 {
	if c.MaxAnswerBytes > 0 {
		return c.MaxAnswerBytes
	}
	return DefaultMaxAnswerBytes
}

// do sends one request and returns the answer of a 2xx status; any other
// status becomes an *Error.
func (c *Client) do(ctx context.Context, method, path string, header http.Header, body []byte) (*http.Response, []byte, error) {
	return c.doWith(ctx, c.http(), method, path, header, body)
}

// doWith is do over hc.
func (c *Client) doWith(ctx context.Context, hc *http.Client, method, path string, header http.Header, body []byte) (*http.Response, []byte, error) {
	if c.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.Timeout)
		defer cancel()
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, "http://edgeinfer"+path, rd)
	if err != nil {
		return nil, nil, err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := hc.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		if errors.Is(err, api.ErrUnsafeDir) {
			return nil, nil, fmt.Errorf("agent at %s: %w", c.socket(), err)
		}
		return nil, nil, fmt.Errorf("agent at %s: %w (is the agent running? set --socket or $%s)", c.socket(), err, api.SocketEnv)
	}
	defer resp.Body.Close()
	limit := c.maxAnswer()
	if resp.ContentLength > limit {
		return nil, nil, fmt.Errorf("agent at %s: the answer to %s %s has %d bytes, more than the client's limit of %d (MaxAnswerBytes)", c.socket(), method, path, resp.ContentLength, limit)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, nil, fmt.Errorf("agent at %s: reading the answer to %s %s: %w", c.socket(), method, path, err)
	}
	if int64(len(b)) > limit {
		return nil, nil, fmt.Errorf("agent at %s: the answer to %s %s is longer than the client's limit of %d bytes (MaxAnswerBytes)", c.socket(), method, path, limit)
	}
	if resp.StatusCode/100 != 2 {
		var eb api.ErrorBody
		if json.Unmarshal(b, &eb) != nil || eb.Error == "" {
			eb.Error = strings.TrimSpace(string(b))
		}
		return nil, nil, &Error{Status: resp.StatusCode, Message: eb.Error}
	}
	return resp, b, nil
}

// getJSON decodes the answer of a GET into v.
func (c *Client) getJSON(ctx context.Context, path string, v any) error {
	_, b, err := c.do(ctx, http.MethodGet, path, nil, nil)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("agent: GET %s: %w", path, err)
	}
	return nil
}

// Live returns nil when the agent answers.
func (c *Client) Live(ctx context.Context) error {
	_, _, err := c.do(ctx, http.MethodGet, "/v2/health/live", nil, nil)
	return err
}

// Ready returns nil when every configured model has a working version,
// else an *Error with status 503.
func (c *Client) Ready(ctx context.Context) error {
	_, _, err := c.do(ctx, http.MethodGet, "/v2/health/ready", nil, nil)
	return err
}

// Server returns the server metadata: name, version, extensions.
func (c *Client) Server(ctx context.Context) (*api.ServerMetadata, error) {
	var md api.ServerMetadata
	return &md, c.getJSON(ctx, "/v2", &md)
}

// Models lists the agent's models with their state and figures.
func (c *Client) Models(ctx context.Context) ([]api.ModelStatus, error) {
	var list []api.ModelStatus
	return list, c.getJSON(ctx, "/v1/models", &list)
}

// Model returns a model's metadata: versions, inputs and outputs.
func (c *Client) Model(ctx context.Context, name string) (*api.ModelMetadata, error) {
	var md api.ModelMetadata
	return &md, c.getJSON(ctx, "/v2/models/"+url.PathEscape(name), &md)
}

// Install installs the model file at path as name, replacing its active
// version once the new one works. The client opens the file with the
// caller's rights and passes it to the agent (InstallFile): the agent
// never opens a caller's path. Only admins may: root, the agent's user, or
// the uids and groups it lists.
func (c *Client) Install(ctx context.Context, name, path string) (*api.ModelStatus, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("install %s: %w", name, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("install %s: %w", name, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("install %s: %s is not a regular file (mode %s)", name, path, fi.Mode())
	}
	return c.InstallFile(ctx, name, f)
}

// InstallFile installs the open model file f as name: it passes f's
// descriptor to the agent over the socket (SCM_RIGHTS), on a connection
// of its own, and the agent copies the file from its start. The agent
// refuses anything but a regular file within its size cap
// (max_install_bytes).
func (c *Client) InstallFile(ctx context.Context, name string, f *os.File) (*api.ModelStatus, error) {
	sock := c.socket()
	hc := &http.Client{Transport: &http.Transport{
		DisableKeepAlives: true,
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			conn, err := dial(ctx, sock)
			if err != nil {
				return nil, err
			}
			uc, ok := conn.(*net.UnixConn)
			if !ok {
				conn.Close()
				return nil, fmt.Errorf("%s is not a unix socket connection", sock)
			}
			return &rightsConn{UnixConn: uc, file: f}, nil
		},
	}}
	defer hc.CloseIdleConnections()
	body, err := json.Marshal(api.InstallRequest{FD: true})
	if err != nil {
		return nil, err
	}
	_, b, err := c.doWith(ctx, hc, http.MethodPost, "/v1/models/"+url.PathEscape(name), http.Header{"Content-Type": {"application/json"}}, body)
	if err != nil {
		return nil, err
	}
	var st api.ModelStatus
	if err := json.Unmarshal(b, &st); err != nil {
		return nil, fmt.Errorf("agent: install %s: %w", name, err)
	}
	return &st, nil
}

// rightsConn sends file's descriptor with the first bytes it writes.
type rightsConn struct {
	*net.UnixConn
	file *os.File
	sent bool
}

func (c *rightsConn) Write(b []byte) (int, error) {
	if c.sent || len(b) == 0 {
		return c.UnixConn.Write(b)
	}
	raw, err := c.file.SyscallConn()
	if err != nil {
		return 0, fmt.Errorf("passing the model file: %w", err)
	}
	var n int
	var werr error
	if err := raw.Control(func(fd uintptr) {
		n, _, werr = c.WriteMsgUnix(b, syscall.UnixRights(int(fd)), nil)
	}); err != nil {
		return 0, fmt.Errorf("passing the model file: %w", err)
	}
	if werr != nil {
		return n, fmt.Errorf("passing the model file: %w", werr)
	}
	c.sent = true
	if n < len(b) {
		m, err := c.UnixConn.Write(b[n:])
		return n + m, err
	}
	return n, nil
}
