// Package client talks to the edgeinfer agent over its Unix socket: health,
// model metadata and status, inference (binary tensors both ways, or JSON)
// and model installation. The zero Client dials wire.DefaultSocket(), the
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
	"strings"
	"sync"
	"time"

	"github.com/edgeinfer/edgeinfer/agent/api/wire"
)

// Client is a client of one agent. Its zero value is ready to use; it is
// safe for concurrent use and reuses connections.
type Client struct {
	// Socket is the agent's socket path ("" = wire.DefaultSocket()).
	Socket string
	// Timeout bounds each call (0 = only the context bounds it).
	Timeout time.Duration

	mu   sync.Mutex
	hc   *http.Client
	sock string // the socket hc dials
}

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
	return wire.DefaultSocket()
}

func (c *Client) http() *http.Client {
	sock := c.socket()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.hc == nil || c.sock != sock {
		c.sock = sock
		c.hc = &http.Client{Transport: &http.Transport{
			DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
				if err := wire.CheckSocketPath(sock); err != nil {
					return nil, fmt.Errorf("refusing to connect: %w", err)
				}
				var d net.Dialer
				return d.DialContext(ctx, "unix", sock)
			},
			MaxIdleConnsPerHost: 16,
			IdleConnTimeout:     60 * time.Second,
		}}
	}
	return c.hc
}

// do sends one request and returns the answer of a 2xx status; any other
// status becomes an *Error.
func (c *Client) do(ctx context.Context, method, path string, header http.Header, body []byte) (*http.Response, []byte, error) {
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
	resp, err := c.http().Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		if errors.Is(err, wire.ErrUnsafeDir) {
			return nil, nil, fmt.Errorf("agent at %s: %w", c.socket(), err)
		}
		return nil, nil, fmt.Errorf("agent at %s: %w (is the agent running? set --socket or $%s)", c.socket(), err, wire.SocketEnv)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, nil, fmt.Errorf("agent at %s: reading the answer to %s %s: %w", c.socket(), method, path, err)
	}
	if resp.StatusCode/100 != 2 {
		var eb wire.ErrorBody
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
func (c *Client) Server(ctx context.Context) (*wire.ServerMetadata, error) {
	var md wire.ServerMetadata
	return &md, c.getJSON(ctx, "/v2", &md)
}

// Models lists the agent's models with their state and figures.
func (c *Client) Models(ctx context.Context) ([]wire.ModelStatus, error) {
	var list []wire.ModelStatus
	return list, c.getJSON(ctx, "/v1/models", &list)
}

// Model returns a model's metadata: versions, inputs and outputs.
func (c *Client) Model(ctx context.Context, name string) (*wire.ModelMetadata, error) {
	var md wire.ModelMetadata
	return &md, c.getJSON(ctx, "/v2/models/"+url.PathEscape(name), &md)
}

// Install loads the model file at path (absolute, on the agent's machine)
// as name, replacing its active version once the new one works. Only
// admins may: root, the agent's user, or the uids and groups it lists.
func (c *Client) Install(ctx context.Context, name, path string) (*wire.ModelStatus, error) {
	body, err := json.Marshal(wire.InstallRequest{Path: path})
	if err != nil {
		return nil, err
	}
	_, b, err := c.do(ctx, http.MethodPost, "/v1/models/"+url.PathEscape(name), http.Header{"Content-Type": {"application/json"}}, body)
	if err != nil {
		return nil, err
	}
	var st wire.ModelStatus
	if err := json.Unmarshal(b, &st); err != nil {
		return nil, fmt.Errorf("agent: install %s: %w", name, err)
	}
	return &st, nil
}
