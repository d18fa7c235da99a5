package agent

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/edgeinfer/edgeinfer/platforms"
)

var update = flag.Bool("update", false, "rewrite testdata golden files")

func TestExampleConfig(t *testing.T) {
	c, err := LoadConfig(filepath.Join("testdata", "example.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	r := c.Resolve(platforms.Defaults{Threads: 3, Sessions: 2, CacheBytes: 128 << 20})
	got, err := yaml.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "example.resolved.yaml")
	if *update {
		os.WriteFile(golden, got, 0o644)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if string(got) != string(want) {
		t.Errorf("resolved example differs from %s (go test -update):\n%s", golden, got)
	}
	cl := r.Models["classifier"]
	if cl.Threads != 3 || cl.Sessions != 2 || cl.MaxBatch != 4 || !*cl.Cache || cl.CacheTTL.D() != 10*time.Minute || cl.Queue != 64 {
		t.Errorf("classifier resolved to %+v", cl)
	}
	if r.CacheBytes != 128<<20 || *r.Models["face"].Cache {
		t.Errorf("cache bytes %d, face cache %v", r.CacheBytes, *r.Models["face"].Cache)
	}
}

func TestEmptyConfigIsDefaults(t *testing.T) {
	c, err := ParseConfig(nil)
	if err != nil {
		t.Fatal(err)
	}
	r := c.Resolve(platforms.Defaults{Threads: 1, Sessions: 1, CacheBytes: 1})
	if r.SocketMode != "0660" || r.Defaults.Queue != DefaultQueue || r.Telemetry.Interval.D() != time.Minute || r.DataDir == "" {
		t.Errorf("resolved %+v", r)
	}
}

// TestConfigErrors feeds broken configurations; each error must name the
// field (as its YAML path) and say what is wrong.
func TestConfigErrors(t *testing.T) {
	tests := []struct{ yaml, want string }{
		{"sockett: /x", "field sockett not found"},
		{"socket_mode: rw", `socket_mode: "rw" is not octal`},
		{"socket_mode: \"01777\"", "socket_mode"},
		{"log_format: xml", `log_format: "xml" is not text or json`},
		{"log_level: loud", "log_level"},
		{"device_id: \"a b\"", "device_id"},
		{"max_body_bytes: -1", "max_body_bytes: -1 is negative"},
		{"read_timeout: soon", `"soon" is not a duration`},
		{"admin_gids: [-3]", "admin_gids: -3 is negative"},
		{"defaults: {path: /x.tflite}", "defaults: path and version belong to a model"},
		{"defaults: {queue: 0, max_batch: 1000}", "defaults.max_batch: 1000 is outside 1..256"},
		{"models: {m: {}}", "models.m.path: missing"},
		{"models: {m: {path: /m, threads: -1}}", "models.m.threads: -1 is outside 1..256"},
		{"models: {m: {path: /m, cache_ttl: 1ms}}", "models.m.cache_ttl"},
		{"models: {m: {path: /m, version: \"1 2\"}}", "models.m.version"},
		{"models: {\"bad/name\": {path: /m}}", "models.bad/name: model name"},
		{"models: {m: {path: /m, cache: maybe}}", "cannot unmarshal"},
		{"ota: {broker: tcp://x:1883, trusted_keys: [k.pub]}", "ota.broker: \"tcp://x:1883\" must start with mqtt://"},
		{"ota: {broker: mqtt://x:1883}", "ota.trusted_keys: missing"},
		{"ota: {max_error_rate: 2}", "ota.max_error_rate: 2 is not a fraction"},
		{"telemetry: {collector: ftp://x}", "telemetry.collector"},
		{"ota: {password: a, password_file: /p}", "ota.password_file: set either password or password_file"},
		{"telemetry: {token: a, token_file: /t}", "telemetry.token_file: set either token or token_file"},
		{"telemetry: {interval: 10ms}", "telemetry.interval: 10ms is shorter than 1s"},
		{"log_level: info\n---\nlog_level: warn", "more than one YAML document"},
		{"models: [1, 2]", "cannot unmarshal"},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			_, err := ParseConfig([]byte(tc.yaml))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestLoadConfigNamesFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "agent.yaml")
	os.WriteFile(p, []byte("log_level: loud\n"), 0o644)
	if _, err := LoadConfig(p); err == nil || !strings.Contains(err.Error(), p) {
		t.Errorf("error %v does not name the file", err)
	}
	if _, err := LoadConfig(p + ".missing"); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("missing file: %v", err)
	}
}

func FuzzParseConfig(f *testing.F) {
	b, _ := os.ReadFile(filepath.Join("testdata", "example.yaml"))
	f.Add(b)
	for _, s := range []string{"models: {m: {path: /m}}", "ota: {broker: mqtt://x:1}", "defaults: {batch_delay: 1ms}", "socket_mode: \"0600\""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := ParseConfig(b)
		if err != nil {
			return
		}
		r := c.Resolve(platforms.Defaults{})
		if r.Defaults.Queue < 1 || r.Defaults.Sessions < 1 || r.Defaults.Threads < 1 || r.Defaults.MaxBatch < 1 {
			t.Fatalf("a valid config resolved to unusable defaults: %+v", r.Defaults)
		}
	})
}

// TestResolveSecrets: the environment wins over the files, the files over
// the keys; a file's first line is the secret; an empty or missing file is
// an error naming the key.
func TestResolveSecrets(t *testing.T) {
	dir := t.TempDir()
	pw := filepath.Join(dir, "pw")
	os.WriteFile(pw, []byte("  from-file \nsecond line\n"), 0o600)
	empty := filepath.Join(dir, "empty")
	os.WriteFile(empty, []byte("\n"), 0o600)
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	for _, tc := range []struct {
		name            string
		c               Config
		env             map[string]string
		password, token string
		err             string
	}{
		{"keys", Config{OTA: OTAConfig{Password: "k"}, Telemetry: TelemetryConfig{Token: "t"}}, nil, "k", "t", ""},
		{"files", Config{OTA: OTAConfig{PasswordFile: pw}, Telemetry: TelemetryConfig{TokenFile: pw}}, nil, "from-file", "from-file", ""},
		{"environment over files", Config{OTA: OTAConfig{PasswordFile: pw}, Telemetry: TelemetryConfig{Token: "t"}},
			map[string]string{EnvMQTTPassword: "e1", EnvTelemetryToken: "e2"}, "e1", "e2", ""},
		{"empty file", Config{OTA: OTAConfig{PasswordFile: empty}}, nil, "", "", "ota.password_file: secret file " + empty + ": empty"},
		{"missing file", Config{Telemetry: TelemetryConfig{TokenFile: filepath.Join(dir, "nope")}}, nil, "", "", "telemetry.token_file: secret file: open"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.c.ResolveSecrets(env(tc.env))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || tc.c.OTA.Password != tc.password || tc.c.Telemetry.Token != tc.token {
				t.Errorf("password %q, token %q, %v; want %q, %q", tc.c.OTA.Password, tc.c.Telemetry.Token, err, tc.password, tc.token)
			}
		})
	}
}
