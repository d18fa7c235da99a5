// Package httpx builds the HTTP clients the agent uses to reach the network
// (model downloads, telemetry uploads): a standard *http.Client whose
// transport retries with exponential backoff on connection errors, 429 and
// 5xx answers (never on other 4xx), honours Retry-After, and applies our TLS
// policy. It is the only package that imports hashicorp/go-retryablehttp, so
// callers see nothing but net/http.
package httpx

import (
	"context"
	"crypto/tls"
	"log/slog"
	"net/http"
	"time"

	retryablehttp "github.com/hashicorp/go-retryablehttp"
)

// Options configures a client. The zero value is a usable default: 4
// retries waiting 500 ms to 30 s, no overall timeout, the system's roots.
type Options struct {
	// RetryMax is how many times a failed request is retried; 0 means the
	// default of 4, and a negative value turns retries off.
	RetryMax int
	// RetryWaitMin and RetryWaitMax bound the backoff between attempts
	// (defaults 500 ms and 30 s).
	RetryWaitMin, RetryWaitMax time.Duration
	// Timeout caps each whole request, retries included (0 = none; use a
	// context deadline for per-call limits).
	Timeout time.Duration
	// TLS is the TLS configuration for https URLs (nil = Go's defaults).
	TLS *tls.Config
	// Logger receives one debug record per retry (nil = discard).
	Logger *slog.Logger
	// Transport replaces the base transport (tests); nil builds one from TLS.
	Transport http.RoundTripper
}

// New returns an *http.Client with the retry and TLS policy of o. When the
// retries run out, the caller gets the last response (for example the final
// 503 with its body), or the last transport error, never a synthetic one.
func New(o Options) *http.Client {
	base := o.Transport
	if base == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		if o.TLS != nil {
			t.TLSClientConfig = o.TLS.Clone()
		}
		base = t
	}
	rc := retryablehttp.NewClient()
	rc.HTTPClient = &http.Client{Transport: base}
	rc.Logger = nil
	rc.RetryMax = 4
	switch {
	case o.RetryMax > 0:
		rc.RetryMax = o.RetryMax
	case o.RetryMax < 0:
		rc.RetryMax = 0
	}
	rc.RetryWaitMin = 500 * time.Millisecond
	if o.RetryWaitMin > 0 {
		rc.RetryWaitMin = o.RetryWaitMin
	}
	rc.RetryWaitMax = 30 * time.Second
	if o.RetryWaitMax > 0 {
		rc.RetryWaitMax = o.RetryWaitMax
	}
	rc.ErrorHandler = retryablehttp.PassthroughErrorHandler
	if log := o.Logger; log != nil {
		rc.RequestLogHook = func(_ retryablehttp.Logger, req *http.Request, attempt int) {
			if attempt > 0 {
				log.Debug("retrying request", "method", req.Method, "url", req.URL.Redacted(), "attempt", attempt)
			}
		}
	}
	rc.CheckRetry = func(ctx context.Context, resp *http.Response, err error) (bool, error) {
		if ctx.Err() != nil {
			return false, ctx.Err()
		}
		return retryablehttp.DefaultRetryPolicy(ctx, resp, err)
	}
	c := rc.StandardClient()
	c.Timeout = o.Timeout
	return c
}
