//go:build !noota && !nohub

package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/edgeinfer/edgeinfer/agent"
	"github.com/edgeinfer/edgeinfer/hub"
	"github.com/edgeinfer/edgeinfer/internal/brokertest"
	"github.com/edgeinfer/edgeinfer/ota"
	"github.com/edgeinfer/edgeinfer/platforms"
	"github.com/edgeinfer/edgeinfer/runtime"
	"github.com/edgeinfer/edgeinfer/store"
)

// blobHub is a loopback server with the hub's blob protocol: PUT
// /v1/blobs/sha256/HEX with a bearer token stores the body (checked
// against HEX) and answers 201 {"url": ...}; GET serves it with Range.
type blobHub struct {
	srv   *httptest.Server
	token string

	mu    sync.Mutex
	blobs map[string][]byte
	puts  int
}

func newBlobHub(t *testing.T, token string) *blobHub {
	h := &blobHub{token: token, blobs: map[string][]byte{}}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hexsum, ok := strings.CutPrefix(r.URL.Path, "/v1/blobs/sha256/")
		if !ok {
			http.NotFound(w, r)
			return
		}
		switch r.Method {
		case http.MethodPut:
			if r.Header.Get("Authorization") != "Bearer "+h.token {
				http.Error(w, `{"error":"bad token"}`, http.StatusUnauthorized)
				return
			}
			b, _ := io.ReadAll(r.Body)
			sum := sha256.Sum256(b)
			if hex.EncodeToString(sum[:]) != hexsum {
				http.Error(w, `{"error":"digest mismatch"}`, http.StatusBadRequest)
				return
			}
			h.mu.Lock()
			h.blobs[hexsum] = b
			h.puts++
			h.mu.Unlock()
			w.WriteHeader(http.StatusCreated)
			json.NewEncoder(w).Encode(map[string]string{"url": h.srv.URL + r.URL.Path})
		case http.MethodGet:
			h.mu.Lock()
			b, ok := h.blobs[hexsum]
			h.mu.Unlock()
			if !ok {
				http.NotFound(w, r)
				return
			}
			http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(b))
		default:
			w.WriteHeader(http.StatusMethodNotAllowed)
		}
	}))
	t.Cleanup(h.srv.Close)
	return h
}

// runCLI runs one edgeinfer command and fails the test unless it exits 0.
func runCLI(t *testing.T, args ...string) string {
	t.Helper()
	var out, errb bytes.Buffer
	if code := run(context.Background(), args, &out, &errb); code != 0 {
		t.Fatalf("edgeinfer %s: exit %d\n%s%s", strings.Join(args, " "), code, out.String(), errb.String())
	}
	return out.String()
}

// TestOTAIntoTheAgentUnderLoad pushes two versions of a model with the real
// commands (keygen, push --upload to the real hub server) through a real
// mosquitto to a real agent wired with startOTA, while clients keep sending
// requests: none of them may fail during the hot swap. fleet status then
// shows the device.
func TestOTAIntoTheAgentUnderLoad(t *testing.T) {
	broker := brokertest.Start(t, brokertest.Options{})
	dir := t.TempDir()
	hubSrv, err := hub.Open(hub.Options{DataDir: filepath.Join(dir, "hub"), Token: "s3cret"})
	if err != nil {
		t.Fatal(err)
	}
	defer hubSrv.Close()
	hubHTTP := httptest.NewServer(hubSrv.Handler())
	defer hubHTTP.Close()
	runCLI(t, "keygen", "--out", filepath.Join(dir, "ops"))

	var cfg fileConfig
	cfg.Agent.DataDir = filepath.Join(dir, "data")
	cfg.OTA = ota.Config{Broker: broker.URL, Fleet: "lab", TrustedKeys: []string{filepath.Join(dir, "ops.pub")}, HealthWindow: 500 * time.Millisecond}
	if err := cfg.validate(); err != nil {
		t.Fatal(err)
	}
	cfg = cfg.resolve(platforms.Profile{Defaults: platforms.Defaults{Threads: 1, Sessions: 2, CacheBytes: 1 << 20}})
	if err := os.MkdirAll(cfg.Agent.DataDir, 0o750); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(filepath.Join(cfg.Agent.DataDir, stateFile), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var rp atomic.Pointer[ota.Reconciler]
	a, err := agent.New(context.Background(), agent.Options{Config: cfg.Agent, Store: st, OTAState: func(name string) string {
		if r := rp.Load(); r != nil {
			return r.State(name)
		}
		return ""
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close(context.Background())
	ctx, cancel := context.WithCancel(context.Background())
	r, wait, err := startOTA(ctx, otaOptions(cfg, "dev-1", "linux/test"), agentModels{a}, st.OTAJournal(), nil)
	if err != nil {
		t.Fatal(err)
	}
	rp.Store(r)
	defer func() { cancel(); wait() }()

	push := func(model, version string) {
		runCLI(t, "push", conformance(t, model, "model.tflite"), "--name", "face", "--version", version, "--fleet", "lab",
			"--key", filepath.Join(dir, "ops.key"), "--upload", hubHTTP.URL, "--token", "s3cret", "--broker", broker.URL,
			"--smoke-input", conformance(t, model, "case_0/in_0.bin"),
			"--smoke-output", conformance(t, model, "case_0/out_0.bin"), "--tolerance", "0.001")
	}
	waitVersion := func(v string) {
		t.Helper()
		deadline := time.Now().Add(90 * time.Second)
		for time.Now().Before(deadline) {
			if _, _, got, ok := a.Counts("face"); ok && got == v {
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
		t.Fatalf("the agent did not serve face %s within 90s; ota state %q", v, r.State("face"))
	}
	// Two different real face detectors with the same input stand in for
	// versions 1 and 2.
	push("gotflite_blazeface_front_float", "1")
	waitVersion("1")

	input, err := os.ReadFile(conformance(t, "mp_face_detection_short_range", "case_0/in_0.bin"))
	if err != nil {
		t.Fatal(err)
	}
	var sent, failed atomic.Int64
	var firstErr atomic.Value
	loadCtx, stopLoad := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for loadCtx.Err() == nil {
				_, err := a.Infer(loadCtx, &agent.Request{Model: "face", NoCache: true, Inputs: []agent.Tensor{{DType: runtime.Float32, Shape: []int{1, 128, 128, 3}, Data: input}}})
				sent.Add(1)
				if err != nil && loadCtx.Err() == nil {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
				}
			}
		}()
	}
	push("mp_face_detection_short_range", "2")
	waitVersion("2")
	before := sent.Load()
	for sent.Load() < before+20 { // keep the load on the new version for a moment
		time.Sleep(5 * time.Millisecond)
	}
	stopLoad()
	wg.Wait()
	t.Logf("%d requests during the update, %d failed", sent.Load(), failed.Load())
	if n := failed.Load(); n != 0 {
		t.Errorf("%d of %d requests failed during the hot swap; first: %v", n, sent.Load(), firstErr.Load())
	}
	ms, err := a.Model("face")
	if err != nil {
		t.Fatal(err)
	}
	if ms.Version != "2" || ms.OTA == "" {
		t.Errorf("model status version %q ota %q", ms.Version, ms.OTA)
	}
	rec, _, _ := a.Record("face")
	if rec.Previous == nil || rec.Previous.Version != "1" {
		t.Errorf("registry record %+v, want version 1 as the previous", rec)
	}

	out := runCLI(t, "fleet", "status", "--broker", broker.URL, "--fleet", "lab", "--wait", "1s")
	if !strings.Contains(out, "dev-1") || !strings.Contains(out, "face") || !regexpRow(out, "dev-1", "yes", "lab", "face", "2") {
		t.Errorf("fleet status:\n%s", out)
	}
	js := runCLI(t, "fleet", "status", "--broker", broker.URL, "--json", "--wait", "1s")
	var list []ota.Status
	if err := json.Unmarshal([]byte(js), &list); err != nil || len(list) != 1 || list[0].Models["face"].Version != "2" {
		t.Errorf("fleet status --json: %v\n%s", err, js)
	}
}

// regexpRow reports whether a line of out holds every field in order.
func regexpRow(out string, fields ...string) bool {
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		i := 0
		for _, w := range f {
			if i < len(fields) && w == fields[i] {
				i++
			}
		}
		if i == len(fields) {
			return true
		}
	}
	return false
}

func TestPushRefusals(t *testing.T) {
	dir := t.TempDir()
	runCLI(t, "keygen", "--out", filepath.Join(dir, "k"))
	key := filepath.Join(dir, "k.key")
	hub := newBlobHub(t, "tok")
	base := []string{"--name", "m", "--version", "1", "--fleet", "lab", "--key", key, "--broker", "mqtt://127.0.0.1:1"}
	tests := []struct {
		name string
		args []string
		env  string // $EDGEINFER_HUB_TOKEN
		code int
		want string
	}{
		{"unsupported op", append([]string{"push", unsupportedModel(t), "--url", "http://x/m"}, base...), "", 1, "cannot run on this engine"},
		{"no token", append([]string{"push", helloModel(t), "--upload", hub.srv.URL}, base...), "", 2, "--token"},
		{"wrong token", append([]string{"push", helloModel(t), "--upload", hub.srv.URL}, base...), "nope", 1, "401"},
		{"fleet and device", append([]string{"push", helloModel(t), "--url", "http://x/m", "--device", "d"}, base...), "", 2, "one of --fleet"},
		{"rollback without from", append([]string{"push", helloModel(t), "--url", "http://x/m", "--rollback"}, base...), "", 2, "--rollback-from"},
		{"no url", append([]string{"push", helloModel(t)}, base...), "", 2, "--url"},
		{"bad version", []string{"push", helloModel(t), "--url", "http://x/m", "--name", "m", "--version", "v1", "--fleet", "l", "--key", key, "--broker", "mqtt://127.0.0.1:1"}, "", 1, "field version"},
		{"smoke input size", append([]string{"push", helloModel(t), "--url", "http://x/m", "--smoke-input", key}, base...), "", 1, "smoke input"},
		{"missing key", []string{"push", helloModel(t), "--url", "http://x/m", "--name", "m", "--version", "1", "--fleet", "l", "--key", filepath.Join(dir, "none.key"), "--broker", "mqtt://h:1"}, "", 1, "none.key"},
		{"keygen overwrite", []string{"keygen", "--out", filepath.Join(dir, "k")}, "", 1, "refusing to overwrite"},
		{"fleet without status", []string{"fleet", "list", "--broker", "mqtt://h:1"}, "", 2, "fleet status"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(hubTokenEnv, tc.env)
			var out, errb bytes.Buffer
			code := run(context.Background(), tc.args, &out, &errb)
			if code != tc.code || !strings.Contains(errb.String(), tc.want) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, errb.String(), tc.code, tc.want)
			}
		})
	}
	hub.mu.Lock()
	defer hub.mu.Unlock()
	if hub.puts != 0 {
		t.Errorf("%d uploads happened for refused pushes", hub.puts)
	}
}

func TestKeygenWritesAUsableKeyPair(t *testing.T) {
	prefix := filepath.Join(t.TempDir(), "ops")
	out := runCLI(t, "keygen", "--out", prefix)
	st, err := os.Stat(prefix + ".key")
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("private key file: %v %v", st, err)
	}
	priv, err := ota.ReadPrivateKey(prefix + ".key")
	if err != nil {
		t.Fatal(err)
	}
	ring, err := ota.LoadKeyring(prefix + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	if id := ota.KeyID(priv.Public().(ed25519.PublicKey)); ring[id] == nil || !strings.Contains(out, "key id "+id) {
		t.Errorf("output %q, public key ids %v: want the private key's id %s in both", out, ring, id)
	}
}

func TestProgressLines(t *testing.T) {
	var b bytes.Buffer
	p := newProgress(&b, "uploading", 1000)
	for range 20 {
		p.add(50)
	}
	p.finish()
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 11 || lines[0] != "uploading 5% (50 B of 1000 B)" || lines[10] != "uploading 100% (1000 B of 1000 B)" {
		t.Errorf("progress on a non-terminal:\n%s", b.String())
	}
}
