package hub

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func put(t *testing.T, url, token string, body []byte) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPut, url, bytes.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func TestBlobs(t *testing.T) {
	dir := t.TempDir()
	h := startHub(t, "127.0.0.1:0", Options{DataDir: dir, Token: "tok", MaxBlob: 1 << 20})
	blob := bytes.Repeat([]byte("model bytes "), 5000)
	sum := sha256.Sum256(blob)
	hx := hex.EncodeToString(sum[:])
	url := h.URL + "/v1/blobs/sha256/" + hx

	for _, tc := range []struct {
		name   string
		url    string
		token  string
		body   []byte
		status int
		errHas string
	}{
		{"no token", url, "", blob, 401, "token"},
		{"wrong token", url, "nope", blob, 401, "token"},
		{"bad digest form", h.URL + "/v1/blobs/sha256/ABC", "tok", blob, 400, "hex"},
		{"digest mismatch", url, "tok", append([]byte("x"), blob...), 400, "digest mismatch"},
		{"too large", h.URL + "/v1/blobs/sha256/" + strings.Repeat("0", 64), "tok", make([]byte, 2<<20), 413, "larger"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, out := put(t, tc.url, tc.token, tc.body)
			if status != tc.status || !strings.Contains(out["error"].(string), tc.errHas) {
				t.Errorf("status %d %v, want %d with %q", status, out, tc.status, tc.errHas)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "blobs", "sha256", hx)); err == nil {
		t.Fatal("a refused upload left the blob in place")
	}
	if tmp, _ := os.ReadDir(filepath.Join(dir, "blobs", "tmp")); len(tmp) != 0 {
		t.Errorf("temporary files left behind: %v", tmp)
	}

	status, out := put(t, url, "tok", blob)
	if status != 201 || out["url"] != url || out["digest"] != "sha256:"+hx {
		t.Fatalf("upload: %d %v, want 201 with url %s", status, out, url)
	}
	if status, out = put(t, url, "tok", blob); status != 200 || out["url"] != url {
		t.Errorf("second upload: %d %v, want 200", status, out)
	}

	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Equal(got, blob) {
		t.Fatalf("GET: %d, %d bytes", resp.StatusCode, len(got))
	}
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Range", "bytes=1000-")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	got, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusPartialContent || !bytes.Equal(got, blob[1000:]) {
		t.Errorf("Range GET: %d, %d bytes, want 206 and %d", resp.StatusCode, len(got), len(blob)-1000)
	}
	if resp, _ := http.Get(h.URL + "/v1/blobs/sha256/" + strings.Repeat("1", 64)); resp.StatusCode != 404 {
		t.Errorf("missing blob: %d, want 404", resp.StatusCode)
	}
	// A hub without a token takes no uploads.
	open := startHub(t, "127.0.0.1:0", Options{DataDir: t.TempDir(), OpenIngest: true})
	if status, out := put(t, open.URL+"/v1/blobs/sha256/"+hx, "", blob); status != 403 {
		t.Errorf("upload to a hub without --token: %d %v, want 403", status, out)
	}
}

func TestSeriesAndDashboardRoutes(t *testing.T) {
	h := startHub(t, "127.0.0.1:0", Options{DataDir: t.TempDir(), OpenIngest: true})
	for _, tc := range []struct {
		path   string
		status int
		has    string
	}{
		{"/", 200, "<title>edgeinfer fleet</title>"},
		{"/api/devices", 200, "[]"},
		{"/api/series?device=d", 400, "want ?device"},
		{"/api/series?device=d&model=m&since=yesterday", 400, "since"},
		{"/api/series?device=d&model=m&since=6h", 200, `"points": []`},
		{"/nope", 404, ""},
	} {
		resp, err := http.Get(h.URL + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status || !strings.Contains(string(body), tc.has) {
			t.Errorf("GET %s: %d %.80q, want %d with %q", tc.path, resp.StatusCode, body, tc.status, tc.has)
		}
	}
}
