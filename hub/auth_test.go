package hub

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestReadAPINeedsToken checks who may read the fleet inventory and the
// series: with a read token only its holder (not the write token's); with
// one token for both, that token; with open ingest and no token, anyone;
// and that a hub without a token refuses to open unless open ingest is
// asked for.
func TestReadAPINeedsToken(t *testing.T) {
	if _, err := Open(Options{DataDir: t.TempDir()}); !errors.Is(err, ErrOpenIngest) {
		t.Fatalf("Open without a token: %v, want ErrOpenIngest", err)
	}
	for _, tc := range []struct {
		name   string
		o      Options
		status map[string]int // token sent -> status
	}{
		{"separate tokens", Options{Token: "w", ReadToken: "r"}, map[string]int{"": 401, "w": 401, "r": 200, "x": 401}},
		{"one token", Options{Token: "w"}, map[string]int{"": 401, "w": 200, "x": 401}},
		{"open ingest with a read token", Options{OpenIngest: true, ReadToken: "r"}, map[string]int{"": 401, "r": 200}},
		{"open", Options{OpenIngest: true}, map[string]int{"": 200, "x": 200}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.o.DataDir = t.TempDir()
			h := startHub(t, "127.0.0.1:0", tc.o)
			for token, want := range tc.status {
				for _, path := range []string{"/api/devices", "/api/series?device=d&model=m"} {
					req, _ := http.NewRequest(http.MethodGet, h.URL+path, nil)
					if token != "" {
						req.Header.Set("Authorization", "Bearer "+token)
					}
					resp, err := http.DefaultClient.Do(req)
					if err != nil {
						t.Fatal(err)
					}
					body, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					if resp.StatusCode != want {
						t.Errorf("GET %s with token %q: %d %s, want %d", path, token, resp.StatusCode, body, want)
					}
					if want == 401 && !strings.Contains(string(body), "read token") {
						t.Errorf("GET %s with token %q: %s, want the reason", path, token, body)
					}
				}
			}
			// The dashboard page itself holds no data and is always served.
			resp, err := http.Get(h.URL + "/")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Errorf("GET /: %d", resp.StatusCode)
			}
		})
	}
}
