//go:build !noota

package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/internal/yamlconf"
	"github.com/edgeinfer/edgeinfer/platforms"
)

// configFileCases are configuration files with the error they must give
// (file, line and YAML path); "" = valid. They seed FuzzConfigFile.
var configFileCases = []struct{ yaml, want string }{
	{"", ""},
	{"models:\n  face:\n    path: /m\n    max_batchh: 4\n", "agent.yaml:4: models.face.max_batchh: unknown key (did you mean max_batch?)"},
	{"sockett: /x", "agent.yaml:1: sockett: unknown key (did you mean socket?)"},
	{"ota:\n  brokr: mqtt://x:1", "agent.yaml:2: ota.brokr: unknown key (did you mean broker?)"},
	{"socket_mode: rw", `agent.yaml:1: socket_mode: "rw" is not octal`},
	{"log_format: xml", `agent.yaml:1: log_format: "xml" is not text or json`},
	{"log_level: loud", "agent.yaml:1: log_level:"},
	{"device_id: \"a b\"", "agent.yaml:1: device_id:"},
	{"max_body_bytes: -1", "agent.yaml:1: max_body_bytes: -1 is negative"},
	{"read_timeout: soon", `agent.yaml:1: read_timeout: "soon" is not a duration`},
	{"admin_gids: [-3]", "agent.yaml:1: admin_gids: -3 is negative"},
	{"defaults: {path: /x.tflite}", "agent.yaml:1: defaults: path and version belong to a model"},
	{"defaults:\n  max_batch: 1000", "agent.yaml:2: defaults.max_batch: 1000 is outside 1..256"},
	{"models:\n  m: {}", "agent.yaml:2: models.m.path: missing"},
	{"models: {m: {path: /m, cache: maybe}}", `agent.yaml:1: models.m.cache: "maybe" is not true or false`},
	{"models: [1, 2]", "agent.yaml:1: models: want names with values (a mapping), not a list"},
	{"ota:\n  broker: tcp://x:1883\n  trusted_keys: [k.pub]", "agent.yaml:2: ota.broker: \"tcp://x:1883\" must start with mqtt://"},
	{"ota: {broker: mqtt://x:1883}", "ota.trusted_keys: missing"},
	{"ota:\n  max_error_rate: 2", "agent.yaml:2: ota.max_error_rate: 2 is not a fraction"},
	{"ota:\n  max_download_bytes: -1", "agent.yaml:2: ota.max_download_bytes: -1 is negative"},
	{"telemetry: {collector: ftp://x}", "agent.yaml:1: telemetry.collector"},
	{"ota: {password: a, password_file: /p}", "ota.password_file: set either password or password_file"},
	{"telemetry: {token: a, token_file: /t}", "telemetry.token_file: set either token or token_file"},
	{"telemetry:\n  interval: 10ms", "agent.yaml:2: telemetry.interval: 10ms is shorter than 1s"},
	{"log_level: info\n---\nlog_level: warn", "more than one YAML document"},
}

func TestConfigFileErrors(t *testing.T) {
	for _, tc := range configFileCases {
		t.Run(tc.want, func(t *testing.T) {
			_, err := parseConfigFile("agent.yaml", []byte(tc.yaml))
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "main.") || strings.Contains(err.Error(), "Config") {
				t.Errorf("error %q names a Go type", err)
			}
		})
	}
}

func FuzzConfigFile(f *testing.F) {
	for _, tc := range configFileCases {
		f.Add([]byte(tc.yaml))
	}
	for _, p := range []string{"../../agent/testdata/example.yaml", "../../cross/packaging/agent.yaml"} {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := parseConfigFile("agent.yaml", b)
		if err != nil {
			return
		}
		r := c.resolve(platforms.Profile{})
		if d := r.Agent.Defaults; d.Queue < 1 || d.Sessions < 1 || d.Threads < 1 || d.MaxBatch < 1 {
			t.Fatalf("a valid config resolved to unusable defaults: %+v", d)
		}
		out, err := printConfig(r)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := parseConfigFile("printed.yaml", out); err != nil {
			t.Fatalf("the printed configuration does not load: %v\n%s", err, out)
		}
	})
}

// configKeys lists every key path of the file schema ("models.<name>.path").
func configKeys() []string {
	var keys []string
	for _, f := range yamlconf.Fields(reflect.TypeFor[fileConfig]()) {
		keys = append(keys, f.Path)
	}
	return keys
}

// TestExampleConfigCoversEveryKey loads agent/testdata/example.yaml, which
// shows every key, and checks that it names each key of the schema.
func TestExampleConfigCoversEveryKey(t *testing.T) {
	path := filepath.Join("..", "..", "agent", "testdata", "example.yaml")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var c fileConfig
	lines, err := yamlconf.Decode(path, b, &c)
	if err != nil {
		t.Fatal(err)
	}
	if err := lines.Locate(path, c.validate()); err != nil {
		t.Fatal(err)
	}
	named := map[string]bool{}
	for p := range lines {
		p = regexp.MustCompile(`^models\.[^.]+`).ReplaceAllString(p, "models.<name>")
		named[p] = true
	}
	for _, k := range configKeys() {
		if !named[k] && k != "defaults.path" && k != "defaults.version" && !strings.HasPrefix(k, "defaults.media") {
			t.Errorf("%s does not show the key %s", path, k)
		}
	}
}

// TestPackagedConfig loads the agent.yaml the .deb installs and checks
// that every key it shows in its comments exists, and that it sends the
// reader to the reference.
func TestPackagedConfig(t *testing.T) {
	path := filepath.Join("..", "..", "cross", "packaging", "agent.yaml")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := parseConfigFile(path, b); err != nil {
		t.Fatal(err)
	}
	// The commented-out examples: runs of "# key: value" lines, read as
	// configuration files of their own.
	commented := regexp.MustCompile(`^# ?(\s*[a-z_]+:(\s.*)?)$`)
	var block []string
	blocks := 0
	flush := func(line int) {
		if len(block) == 0 {
			return
		}
		blocks++
		name := fmt.Sprintf("%s (commented block ending at line %d)", path, line)
		if _, err := parseConfigFile(name, []byte(strings.Join(block, "\n"))); err != nil {
			t.Error(err)
		}
		block = nil
	}
	for i, line := range strings.Split(string(b), "\n") {
		if m := commented.FindStringSubmatch(line); m != nil {
			block = append(block, m[1])
			continue
		}
		flush(i)
	}
	flush(-1)
	if blocks < 5 {
		t.Errorf("found only %d commented examples in %s", blocks, path)
	}
	for _, want := range []string{"--print-config", "docs/configuration.md"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("%s does not point to %s", path, want)
		}
	}
}

// TestPrintConfig runs the real binary with --print-config: the output is
// the file with the flags and the board's defaults applied, each key under
// its documentation, and it loads again as a configuration file.
func TestPrintConfig(t *testing.T) {
	bin, err := buildBinary()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cfg := filepath.Join(dir, "agent.yaml")
	os.WriteFile(cfg, []byte("models:\n  face:\n    path: /m/face.tflite\n    max_batch: 4\nota:\n  password: hunter2\ntelemetry:\n  interval: 2m\n"), 0o600)
	cmd := exec.Command(bin, "agent", "--config", cfg, "--cache-bytes", "12345", "--model", "kws=/m/kws.tflite", "--print-config")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	s := string(out)
	for _, want := range []string{
		printHeader + "# socket is the Unix socket's path",
		"# cache_bytes caps the whole result cache",
		"cache_bytes: 12345\n",
		"  face:\n",
		"    max_batch: 4\n",
		"  kws:\n    # path is the model's .tflite file",
		"  interval: 2m0s\n",
		"  max_download_bytes: 536870912\n",
		"read_timeout: 30s\n",
		"  password: (secret)\n",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("--print-config lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "hunter2") {
		t.Error("--print-config printed the broker password")
	}
	p := platforms.Detect().Defaults
	if c, err := parseConfigFile("printed", out); err != nil {
		t.Errorf("the printed configuration does not load: %v", err)
	} else if c.Agent.Defaults.Threads != max(p.Threads, 1) || c.Agent.Models["kws"].Sessions != max(p.Sessions, 1) {
		t.Errorf("printed threads %d, sessions %d; the board's are %d, %d", c.Agent.Defaults.Threads, c.Agent.Models["kws"].Sessions, p.Threads, p.Sessions)
	}
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("models:\n  face:\n    path: /m\n    max_batchh: 4\n"), 0o600)
	out, err = exec.Command(bin, "agent", "--config", bad, "--print-config").CombinedOutput()
	if err == nil || !strings.Contains(string(out), bad+":4: models.face.max_batchh: unknown key") {
		t.Errorf("a misspelt key gave %v: %s", err, out)
	}
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
	cfg := func(password, passwordFile, token, tokenFile string) fileConfig {
		var c fileConfig
		c.OTA.Password, c.OTA.PasswordFile, c.Telemetry.Token, c.Telemetry.TokenFile = password, passwordFile, token, tokenFile
		return c
	}
	for _, tc := range []struct {
		name            string
		c               fileConfig
		env             map[string]string
		password, token string
		err             string
	}{
		{"keys", cfg("k", "", "t", ""), nil, "k", "t", ""},
		{"files", cfg("", pw, "", pw), nil, "from-file", "from-file", ""},
		{"environment over files", cfg("", pw, "t", ""), map[string]string{envMQTTPassword: "e1", envTelemetryToken: "e2"}, "e1", "e2", ""},
		{"empty file", cfg("", empty, "", ""), nil, "", "", "ota.password_file: secret file " + empty + ": empty"},
		{"missing file", cfg("", "", "", filepath.Join(dir, "nope")), nil, "", "", "telemetry.token_file: secret file: open"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.c.resolveSecrets(env(tc.env))
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
