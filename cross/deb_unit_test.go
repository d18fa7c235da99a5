package cross

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/edgeinfer/edgeinfer/internal/sharedtest"
)

// unitKeys parses a systemd unit file into section -> key -> values (a
// key may repeat), skipping comments and blank lines.
func unitKeys(b []byte) (map[string]map[string][]string, error) {
	units := map[string]map[string][]string{}
	section := ""
	sc := bufio.NewScanner(bytes.NewReader(b))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || line[0] == '#' || line[0] == ';':
		case line[0] == '[' && line[len(line)-1] == ']':
			section = line[1 : len(line)-1]
			units[section] = map[string][]string{}
		case section == "":
			return nil, fmt.Errorf("line %d: %q before any [section]", n, line)
		default:
			key, value, ok := strings.Cut(line, "=")
			if !ok {
				return nil, fmt.Errorf("line %d: %q is not KEY=VALUE", n, line)
			}
			units[section][key] = append(units[section][key], value)
		}
	}
	return units, nil
}

// TestDebUnit checks edgeinfer.service: with the real systemd-analyze
// verify (in a root holding the extracted package and this machine's
// system units) when the machine has it, and always the keys the agent's
// contract needs (Type=notify, reload by SIGHUP, stop by SIGTERM with time
// above the drain timeout, the user, directories and hardening that
// leaves /proc and /sys readable).
func TestDebUnit(t *testing.T) {
	unit, err := packaging.ReadFile("packaging/edgeinfer.service")
	if err != nil {
		t.Fatal(err)
	}
	if analyze, err := exec.LookPath("systemd-analyze"); err != nil {
		t.Logf("!!! systemd-analyze is not installed (Debian package systemd): edgeinfer.service is checked by the key parser only")
	} else {
		file, _ := writeTestDeb(t, "linux-amd64")
		root := extract(t, file)
		if err := os.MkdirAll(filepath.Join(root, "usr/lib/systemd"), 0o755); err != nil {
			t.Fatal(err)
		}
		// The units it pulls in (multi-user.target, sysinit.target, ...)
		// and ExecReload's /bin/kill must be in the root too.
		if err := os.MkdirAll(filepath.Join(root, "bin"), 0o755); err != nil {
			t.Fatal(err)
		}
		for _, cp := range [][2]string{{"/usr/lib/systemd/system", "usr/lib/systemd/"}, {"/bin/kill", "bin/kill"}} {
			if out, err := exec.Command("cp", "-a", cp[0], filepath.Join(root, cp[1])).CombinedOutput(); err != nil {
				t.Fatalf("copying %s into the root: %v\n%s", cp[0], err, out)
			}
		}
		out, err := exec.Command(analyze, "verify", "--root="+root, "/"+debUnit).CombinedOutput()
		if err != nil || len(out) > 0 {
			t.Errorf("systemd-analyze verify %s: %v\n%s", debUnit, err, out)
		} else {
			t.Logf("systemd-analyze verify --root=<extracted package> /%s: no complaint", debUnit)
		}
	}

	u, err := unitKeys(unit)
	if err != nil {
		t.Fatal(err)
	}
	one := func(section, key string) string {
		v := u[section][key]
		if len(v) != 1 {
			t.Errorf("[%s] %s set %d times, want once", section, key, len(v))
			return ""
		}
		return v[0]
	}
	want := map[string]string{
		"Type":                  "notify",
		"ExecStart":             "/usr/bin/edgeinfer agent --config /etc/edgeinfer/agent.yaml",
		"ExecReload":            "/bin/kill -HUP $MAINPID",
		"KillSignal":            "SIGTERM",
		"Restart":               "on-failure",
		"User":                  "edgeinfer",
		"Group":                 "edgeinfer",
		"RuntimeDirectory":      "edgeinfer",
		"StateDirectory":        "edgeinfer",
		"NoNewPrivileges":       "yes",
		"ProtectSystem":         "strict",
		"ProtectHome":           "yes",
		"PrivateTmp":            "yes",
		"PrivateDevices":        "yes",
		"ProtectKernelTunables": "yes",
	}
	for key, v := range want {
		if got := one("Service", key); got != v {
			t.Errorf("[Service] %s=%s, want %s", key, got, v)
		}
	}
	if got := one("Install", "WantedBy"); got != "multi-user.target" {
		t.Errorf("[Install] WantedBy=%s", got)
	}
	// Board detection reads /proc/cpuinfo, /proc/meminfo, /sys/class/thermal,
	// /sys/firmware/devicetree and the cgroup files: nothing may hide them.
	for _, key := range []string{"ProcSubset", "InaccessiblePaths", "TemporaryFileSystem"} {
		if v := u["Service"][key]; len(v) > 0 {
			t.Errorf("[Service] %s=%v may hide /proc or /sys from board detection", key, v)
		}
	}

	stop, err := time.ParseDuration(one("Service", "TimeoutStopSec"))
	if err != nil {
		t.Fatalf("TimeoutStopSec: %v", err)
	}
	config, _ := packaging.ReadFile("packaging/agent.yaml")
	m := regexp.MustCompile(`(?m)^drain_timeout: (\S+)$`).FindSubmatch(config)
	if m == nil {
		t.Fatal("agent.yaml sets no drain_timeout")
	}
	drain, err := time.ParseDuration(string(m[1]))
	if err != nil {
		t.Fatalf("agent.yaml drain_timeout: %v", err)
	}
	if stop < drain+5*time.Second {
		t.Errorf("TimeoutStopSec %v leaves under 5s above the drain timeout %v", stop, drain)
	}
}

// notifyListener is a stand-in for systemd's $NOTIFY_SOCKET: it collects
// the datagrams the agent sends.
type notifyListener struct {
	conn *net.UnixConn
	addr string
}

func listenNotify(t *testing.T, dir string) *notifyListener {
	t.Helper()
	addr := filepath.Join(dir, "notify")
	c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: addr, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &notifyListener{conn: c, addr: addr}
}

// expect waits (up to a minute) for a datagram holding want as one of
// its lines, and fails the test when the agent exits first or none comes.
func (n *notifyListener) expect(t *testing.T, want string, exited <-chan struct{}) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	buf := make([]byte, 4096)
	gone := false
	for time.Now().Before(deadline) {
		n.conn.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
		k, err := n.conn.Read(buf)
		if err == nil {
			for _, line := range strings.Split(string(buf[:k]), "\n") {
				if line == want {
					return
				}
			}
			continue
		}
		if gone {
			// Every datagram sent before the exit has been read.
			t.Fatalf("the agent exited before sending %s", want)
		}
		select {
		case <-exited:
			gone = true // read once more: the datagram may have come after the timeout
		default:
		}
	}
	t.Fatalf("no %s on $NOTIFY_SOCKET within a minute", want)
}

// uncomment returns the commented-out YAML block of agent.yaml that
// starts with the line "# "+head, without its "# " prefixes (up to the
// first line that is not part of it).
func uncomment(t *testing.T, config []byte, head string) string {
	t.Helper()
	var b strings.Builder
	in := false
	for _, line := range strings.Split(string(config), "\n") {
		if line == "# "+head {
			in = true
		}
		if !in {
			continue
		}
		if line == "# "+head || strings.HasPrefix(line, "#   ") {
			b.WriteString(strings.TrimPrefix(line, "# ") + "\n")
			continue
		}
		break
	}
	if b.Len() == 0 {
		t.Fatalf("agent.yaml has no commented-out block %q", head)
	}
	return b.String()
}

// TestDebService runs the packaged binary with the packaged agent.yaml as
// edgeinfer.service would (only the socket, its group and the data
// directory moved into a temporary directory): it reports READY=1 on
// $NOTIFY_SOCKET with no model, makes the socket 0660 for the group,
// reloads on SIGHUP (the commented-out models block of agent.yaml,
// uncommented as the file explains, starts serving), and exits 0 on
// SIGTERM.
func TestDebService(t *testing.T) {
	model := filepath.Join(sharedtest.Dir(t), "conformance", "tflm_hello_world_float", "model.tflite")
	file, _ := writeTestDeb(t, "linux-amd64")
	root := extract(t, file)
	dir := t.TempDir()
	grp, err := user.LookupGroupId(strconv.Itoa(os.Getgid()))
	if err != nil {
		t.Fatal(err)
	}
	config := filepath.Join(root, debConfig)
	socket := filepath.Join(dir, "edgeinfer.sock")
	notify := listenNotify(t, dir)
	cmd := exec.Command(filepath.Join(root, debBinary), "agent", "--config", config,
		"--socket", socket, "--socket-group", grp.Name, "--data-dir", filepath.Join(dir, "state"))
	cmd.Env = append(os.Environ(), "NOTIFY_SOCKET="+notify.addr)
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	defer func() {
		cmd.Process.Kill()
		<-exited
		if t.Failed() {
			t.Logf("agent output:\n%s", logs.Bytes())
		}
	}()
	notify.expect(t, "READY=1", exited)

	st, err := os.Stat(socket)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o660 || st.Sys().(*syscall.Stat_t).Gid != uint32(os.Getgid()) {
		t.Errorf("socket mode %v gid %d, want 0660 and group %s", st.Mode().Perm(), st.Sys().(*syscall.Stat_t).Gid, grp.Name)
	}
	c := &http.Client{Timeout: time.Minute, Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", socket)
		},
	}}
	status := func(path string) int {
		resp, err := c.Get("http://edgeinfer" + path)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if s := status("/v2/health/ready"); s != http.StatusOK {
		t.Errorf("/v2/health/ready with no model: %d", s)
	}

	// Add models the way agent.yaml explains, then systemctl reload (SIGHUP).
	orig, err := os.ReadFile(config)
	if err != nil {
		t.Fatal(err)
	}
	models := uncomment(t, orig, "models:")
	models = regexp.MustCompile(`/usr/local/share/edgeinfer/\S+\.tflite`).ReplaceAllString(models, model)
	edited := string(orig) + "\n" + uncomment(t, orig, "defaults:") + models
	if err := os.WriteFile(config, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd.Process.Signal(syscall.SIGHUP)
	notify.expect(t, "RELOADING=1", exited)
	notify.expect(t, "READY=1", exited)
	for _, name := range []string{"face", "classifier"} {
		if s := status("/v2/models/" + name + "/ready"); s != http.StatusOK {
			t.Errorf("model %s after reload: %d, want 200; config:\n%s", name, s, edited)
		}
	}

	cmd.Process.Signal(syscall.SIGTERM)
	notify.expect(t, "STOPPING=1", exited)
	select {
	case <-exited:
		if code := cmd.ProcessState.ExitCode(); code != 0 {
			t.Errorf("exit code %d after SIGTERM, want 0", code)
		}
	case <-time.After(time.Minute):
		t.Fatal("no exit within a minute of SIGTERM")
	}
}
