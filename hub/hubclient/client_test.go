package hubclient_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/hub"
	"github.com/edgeinfer/edgeinfer/hub/hubclient"
	"github.com/edgeinfer/edgeinfer/internal/httpx"
)

// startHub serves a real hub on loopback until the test ends.
func startHub(t *testing.T, o hub.Options) string {
	t.Helper()
	o.DataDir = t.TempDir()
	srv, err := hub.Open(o)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
		srv.Close()
	})
	return "http://" + ln.Addr().String()
}

func TestUploadBlob(t *testing.T) {
	base := startHub(t, hub.Options{Token: "w-tok", ReadToken: "r-tok"})
	data := bytes.Repeat([]byte("model bytes "), 50_000)
	sum := sha256.Sum256(data)
	c := hubclient.Client{BaseURL: base + "/", Token: "w-tok", HTTP: httpx.Options{RetryMax: -1}}

	var sent int
	b, err := c.UploadBlob(context.Background(), data, func(n int) { sent += n })
	if err != nil {
		t.Fatal(err)
	}
	want := base + "/v1/blobs/sha256/" + hex.EncodeToString(sum[:])
	if b.URL != want || b.Digest != "sha256:"+hex.EncodeToString(sum[:]) || b.Size != int64(len(data)) {
		t.Errorf("blob %+v, want url %s and size %d", b, want, len(data))
	}
	if sent != len(data) {
		t.Errorf("progress counted %d bytes, want %d", sent, len(data))
	}
	resp, err := http.Get(b.URL)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Equal(got, data) {
		t.Fatalf("GET %s: %d bytes back, want the %d uploaded", b.URL, len(got), len(data))
	}
	// Again, without progress: the hub has it already.
	if again, err := c.UploadBlob(context.Background(), data, nil); err != nil || again.URL != b.URL {
		t.Errorf("second upload: %+v %v", again, err)
	}

	// Refusals come back as *Error with the hub's status and reason.
	for _, tc := range []struct {
		token  string
		status int
		reason string
	}{{"r-tok", 401, "token"}, {"", 401, "token"}} {
		c := hubclient.Client{BaseURL: base, Token: tc.token}
		_, err := c.UploadBlob(context.Background(), []byte("x"), nil)
		var he *hubclient.Error
		if !errors.As(err, &he) || he.Status != tc.status || !strings.Contains(he.Message, tc.reason) {
			t.Errorf("upload with token %q: %v, want a %d naming the %s", tc.token, err, tc.status, tc.reason)
		}
	}
	if _, err := (&hubclient.Client{BaseURL: "hub.example:8443"}).UploadBlob(context.Background(), data, nil); err == nil || !strings.Contains(err.Error(), "want http(s)://") {
		t.Errorf("base URL without a scheme: %v", err)
	}
}

func TestReadAPI(t *testing.T) {
	base := startHub(t, hub.Options{Token: "w-tok", ReadToken: "r-tok"})
	c := hubclient.Client{BaseURL: base, Token: "r-tok"}
	devs, err := c.Devices(context.Background())
	if err != nil || len(devs) != 0 {
		t.Errorf("devices of a new hub: %v %v, want none", devs, err)
	}
	s, err := c.Series(context.Background(), "dev-a", "kws", 0)
	if err != nil || s.Device != "dev-a" || s.Model != "kws" || len(s.Points) != 0 {
		t.Errorf("series of a new hub: %+v %v", s, err)
	}
	c.Token = "w-tok"
	var he *hubclient.Error
	if _, err := c.Devices(context.Background()); !errors.As(err, &he) || he.Status != http.StatusUnauthorized {
		t.Errorf("devices with the write token: %v, want 401", err)
	}
}
