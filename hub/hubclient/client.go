// Package hubclient talks to an edgeinfer hub over its HTTP API: blob
// uploads (PUT /v1/blobs/sha256/HEX, what 'edgeinfer push --upload' does)
// and the read API (GET /api/devices, GET /api/series). It declares the
// API's JSON types, which the hub serves, and links neither the hub's
// server nor its storage.
package hubclient

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/edgeinfer/edgeinfer/internal/httpx"
)

// Client is a hub's client. The zero value of every field but BaseURL is
// usable.
type Client struct {
	// BaseURL is the hub's base URL, for example https://hub.example:8443.
	BaseURL string
	// Token is sent as "Authorization: Bearer <Token>": the hub's write
	// token for uploads, its read token for Devices and Series.
	Token string
	// HTTP configures the requests' client (TLS, retries on connection
	// errors, 429 and 5xx); the zero value is httpx's default.
	HTTP httpx.Options
}

// Error is a refusal from the hub: its status and its {"error": ...}
// message.
type Error struct {
	Status  int
	Message string
}

func (e *Error) Error() string {
	return fmt.Sprintf("hub: %d %s: %s", e.Status, http.StatusText(e.Status), e.Message)
}

// Blob is what the hub answers to an upload.
type Blob struct {
	// URL is where devices download the blob.
	URL string `json:"url"`
	// Digest is "sha256:" and the blob's digest in hex.
	Digest string `json:"digest"`
	Size   int64  `json:"size"`
}

// UploadBlob stores data in the hub's blob store under its sha256 digest
// and returns where the hub serves it. progress, when not nil, is called
// with each chunk of the body as it goes onto the network (again from the
// start when a retry resends it).
func (c *Client) UploadBlob(ctx context.Context, data []byte, progress func(n int)) (Blob, error) {
	sum := sha256.Sum256(data)
	target, err := c.url("/v1/blobs/sha256/" + hex.EncodeToString(sum[:]))
	if err != nil {
		return Blob{}, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, target, bytes.NewReader(data))
	if err != nil {
		return Blob{}, fmt.Errorf("hub: upload: %w", err)
	}
	req.Header.Set("Content-Type", "application/octet-stream")
	o := c.HTTP
	if progress != nil {
		base := o.Transport
		if base == nil {
			t := http.DefaultTransport.(*http.Transport).Clone()
			if o.TLS != nil {
				t.TLSClientConfig = o.TLS.Clone()
			}
			base = t
		}
		o.Transport = progressTransport{base: base, progress: progress}
	}
	var b Blob
	if err := c.do(httpx.New(o), req, &b); err != nil {
		return Blob{}, fmt.Errorf("hub: upload to %s: %w", target, err)
	}
	if b.URL == "" {
		return Blob{}, fmt.Errorf("hub: upload to %s: the answer has no url", target)
	}
	return b, nil
}

// Device is one entry of GET /api/devices: a device and its model totals.
type Device struct {
	ID           string            `json:"id"`
	Online       bool              `json:"online"`
	LastSeen     time.Time         `json:"last_seen"`
	Platform     string            `json:"platform"`
	AgentVersion string            `json:"agent_version"`
	Attributes   map[string]string `json:"attributes,omitempty"`
	UptimeS      float64           `json:"uptime_s"`
	Temperature  *float64          `json:"temperature_c,omitempty"`
	SpoolDropped uint64            `json:"spool_dropped"`
	Batches      uint64            `json:"batches"`
	Models       []Model           `json:"models"`
}

// Model is one model version's totals on a device.
type Model struct {
	Name      string  `json:"name"`
	Version   string  `json:"version"`
	Requests  uint64  `json:"requests"`
	Errors    uint64  `json:"errors"`
	CacheHits uint64  `json:"cache_hits"`
	P50ms     float64 `json:"p50_ms"`
	P99ms     float64 `json:"p99_ms"`
}

// Series is the answer of GET /api/series: one model's latency points on
// one device, every version, oldest first.
type Series struct {
	Device string  `json:"device"`
	Model  string  `json:"model"`
	Points []Point `json:"points"`
}

// Point is one upload interval of one model version.
type Point struct {
	T        time.Time `json:"t"`
	Version  string    `json:"version"`
	Requests uint64    `json:"requests"`
	Errors   uint64    `json:"errors"`
	P50ms    float64   `json:"p50_ms"`
	P99ms    float64   `json:"p99_ms"`
}

// Devices lists the fleet's devices, ordered by id.
func (c *Client) Devices(ctx context.Context) ([]Device, error) {
	var out []Device
	if err := c.get(ctx, "/api/devices", &out); err != nil {
		return nil, err
	}
	return out, nil
}

// Series returns a model's points on a device over the last since (0: the
// hub's default, 24 h).
func (c *Client) Series(ctx context.Context, device, model string, since time.Duration) (Series, error) {
	q := url.Values{"device": {device}, "model": {model}}
	if since > 0 {
		q.Set("since", since.String())
	}
	var out Series
	if err := c.get(ctx, "/api/series?"+q.Encode(), &out); err != nil {
		return Series{}, err
	}
	return out, nil
}

func (c *Client) get(ctx context.Context, path string, v any) error {
	target, err := c.url(path)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return fmt.Errorf("hub: %w", err)
	}
	if err := c.do(httpx.New(c.HTTP), req, v); err != nil {
		return fmt.Errorf("hub: GET %s: %w", target, err)
	}
	return nil
}

// url joins the base URL and a path, checking the base.
func (c *Client) url(path string) (string, error) {
	u, err := url.Parse(c.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("hub: URL %q: want http(s)://host[:port][/path]", c.BaseURL)
	}
	return strings.TrimSuffix(c.BaseURL, "/") + path, nil
}

// do sends req with the token and decodes a 2xx answer's JSON into v; any
// other answer becomes an *Error.
func (c *Client) do(hc *http.Client, req *http.Request, v any) error {
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return fmt.Errorf("reading the answer: %w", err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		e := &Error{Status: resp.StatusCode}
		var msg struct {
			Error string `json:"error"`
		}
		if json.Unmarshal(body, &msg) == nil && msg.Error != "" {
			e.Message = msg.Error
		} else {
			e.Message = strings.TrimSpace(string(body[:min(len(body), 512)]))
		}
		return e
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("answer is not the JSON expected: %w", err)
	}
	return nil
}

// progressTransport reports the request body bytes the base transport
// actually sends, so an upload's progress follows the network (the retry
// layer above it buffers the body first).
type progressTransport struct {
	base     http.RoundTripper
	progress func(n int)
}

func (t progressTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		r := req.Clone(req.Context())
		r.Body = countingBody{req.Body, t.progress}
		req = r
	}
	return t.base.RoundTrip(req)
}

type countingBody struct {
	io.ReadCloser
	progress func(n int)
}

func (b countingBody) Read(buf []byte) (int, error) {
	n, err := b.ReadCloser.Read(buf)
	if n > 0 {
		b.progress(n)
	}
	return n, err
}
