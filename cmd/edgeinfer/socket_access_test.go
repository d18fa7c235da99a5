package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/edgeinfer/edgeinfer/client"
)

// agentProc is a real `edgeinfer agent` child process.
type agentProc struct {
	cmd    *exec.Cmd
	stderr *lockedWriter
	buf    *bytes.Buffer
	exited chan struct{}
}

// procOptions say how to run the agent: as which user (nil = the test's),
// with which environment (nil = the test's).
type procOptions struct {
	cred *syscall.Credential
	env  []string
}

// startAgentProc starts the real binary with args; it is killed when the
// test ends.
func startAgentProc(t *testing.T, o procOptions, args ...string) *agentProc {
	t.Helper()
	bin, err := buildBinary()
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(filepath.Dir(bin), 0o755) // another uid may run it
	var buf bytes.Buffer
	p := &agentProc{cmd: exec.Command(bin, append([]string{"agent"}, args...)...), buf: &buf, exited: make(chan struct{})}
	p.stderr = &lockedWriter{w: &buf}
	p.cmd.Stderr = p.stderr
	p.cmd.Env = o.env
	if o.cred != nil {
		p.cmd.SysProcAttr = &syscall.SysProcAttr{Credential: o.cred}
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.cmd.Wait(); close(p.exited) }()
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		<-p.exited
		if t.Failed() {
			t.Logf("agent log:\n%s", p.log())
		}
	})
	return p
}

func (p *agentProc) log() string {
	p.stderr.mu.Lock()
	defer p.stderr.mu.Unlock()
	return p.buf.String()
}

// waitExit waits for the agent to exit by itself and returns its log; the
// test fails if it answers on socket first (it started serving instead).
func (p *agentProc) waitExit(t *testing.T, socket string) string {
	t.Helper()
	c := unixClient(socket)
	for end := time.Now().Add(60 * time.Second); time.Now().Before(end); {
		select {
		case <-p.exited:
			if p.cmd.ProcessState.ExitCode() == 0 {
				t.Errorf("the agent exited 0")
			}
			return p.log()
		case <-time.After(20 * time.Millisecond):
		}
		if resp, err := c.Get("http://agent/v2/health/live"); err == nil {
			resp.Body.Close()
			t.Fatalf("the agent serves on %s instead of refusing", socket)
		}
	}
	t.Fatal("the agent neither exited nor served within 60 s")
	return ""
}

// sharedTmp makes a temporary directory like /tmp (mode 1777) for tests
// that another uid shares, and the uid and credential the agent runs as:
// the test's own, or nobody (65534) when the test runs as root (root's
// default socket is the system one).
func sharedTmp(t *testing.T) (tmp string, uid int, cred *syscall.Credential) {
	t.Helper()
	tmp, err := os.MkdirTemp("", "eitmp")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(tmp) })
	if err := os.Chmod(tmp, 0o1777); err != nil {
		t.Fatal(err)
	}
	uid = os.Geteuid()
	if uid == 0 {
		uid, cred = 65534, &syscall.Credential{Uid: 65534, Gid: 65534}
	}
	return tmp, uid, cred
}

// cleanEnv is the test's environment without the variables that choose
// the agent's socket and data directory, plus extra.
func cleanEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "EDGEINFER_SOCKET", "XDG_RUNTIME_DIR", "TMPDIR", "HOME", "XDG_STATE_HOME":
			continue
		}
		env = append(env, kv)
	}
	return append(env, extra...)
}

// TestAgentRefusesAnUnsafeFallbackSocketDir: another local user creates
// the agent's fallback socket directory ($TMPDIR/edgeinfer-UID) first, to
// plant a fake agent or swap the socket later. The real agent refuses to
// listen in it when it is open to group or others, another uid's (as
// root), or a symbolic link, says why, and leaves it as it found it; when
// it is absent, the agent creates it 0700 and serves.
func TestAgentRefusesAnUnsafeFallbackSocketDir(t *testing.T) {
	tmp, uid, cred := sharedTmp(t)
	fallback := filepath.Join(tmp, fmt.Sprintf("edgeinfer-%d", uid))
	socket := filepath.Join(fallback, "edgeinfer.sock")
	own := func(p string) {
		if cred != nil {
			if err := os.Lchown(p, uid, uid); err != nil {
				t.Fatal(err)
			}
		}
	}
	home := filepath.Join(tmp, "home")
	os.Mkdir(home, 0o700)
	own(home)
	env := cleanEnv("TMPDIR="+tmp, "HOME="+home)
	// A copy the other uid can read wherever the checkout lies.
	model, err := os.ReadFile(helloModel(t))
	if err != nil {
		t.Fatal(err)
	}
	sine := filepath.Join(tmp, "sine.tflite")
	if err := os.WriteFile(sine, model, 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"--model", "sine=" + sine, "--log-format", "json"}

	type attack struct {
		name, want string
		plant      func()
	}
	attacks := []attack{
		{"open to others", "mode 0777, open to group or others", func() {
			os.Mkdir(fallback, 0o777)
			os.Chmod(fallback, 0o777)
			own(fallback)
		}},
		{"a symbolic link", "is not a directory", func() {
			target := filepath.Join(tmp, "elsewhere")
			os.Mkdir(target, 0o700)
			own(target)
			os.Symlink(target, fallback)
			own(fallback)
		}},
	}
	if cred != nil {
		attacks = append(attacks, attack{"another user's", "is owned by uid 0, not by uid 65534", func() {
			os.Mkdir(fallback, 0o755)
		}})
	} else {
		t.Log("not root: the other-owner case needs a directory of another uid")
	}
	for _, a := range attacks {
		t.Run(a.name, func(t *testing.T) {
			os.RemoveAll(fallback)
			a.plant()
			planted := filepath.Join(fallback, "edgeinfer.sock")
			os.WriteFile(planted, []byte("the attacker's"), 0o666)
			before, _ := os.Lstat(fallback)
			p := startAgentProc(t, procOptions{cred: cred, env: env}, args...)
			log := p.waitExit(t, socket)
			if !strings.Contains(log, a.want) {
				t.Errorf("the agent's error does not say %q:\n%s", a.want, log)
			}
			after, err := os.Lstat(fallback)
			if err != nil || after.Mode() != before.Mode() {
				t.Errorf("the directory changed: %v -> %v (%v)", before.Mode(), after.Mode(), err)
			}
			if b, err := os.ReadFile(planted); err != nil || string(b) != "the attacker's" {
				t.Errorf("the planted file was touched: %q %v", b, err)
			}
		})
	}

	os.RemoveAll(fallback)
	p := startAgentProc(t, procOptions{cred: cred, env: env}, args...)
	waitReady(t, unixClient(socket), p.exited)
	fi, err := os.Lstat(fallback)
	if err != nil || !fi.IsDir() || fi.Mode().Perm() != 0o700 || int(fi.Sys().(*syscall.Stat_t).Uid) != uid {
		t.Fatalf("the agent made %s %v (%v), want a directory of uid %d with mode 0700", fallback, fi.Mode(), err, uid)
	}
	c := &client.Client{Socket: socket}
	if _, err := c.Models(t.Context()); err != nil {
		t.Errorf("a client of the agent in its private directory: %v", err)
	}
}

// segJSON is a JSON inference request for the deeplab model (zeros),
// with extra appended to the request object.
func segJSON(extra string) string {
	return fmt.Sprintf(`{"inputs":[{"name":"sub_7","shape":[1,257,257,3],"datatype":"FP32","data":[%s0]}]%s}`, strings.Repeat("0,", 257*257*3-1), extra)
}

// TestAgentRefusesRepeatedOutputs: a small request that names deeplab's
// 5.5 MB output 40 times (a 540 MB answer before) gets 400 at once; the
// agent keeps serving and its memory stays near its size.
func TestAgentRefusesRepeatedOutputs(t *testing.T) {
	dir := t.TempDir()
	socket := filepath.Join(dir, "agent.sock")
	p := startAgentProc(t, procOptions{}, "--socket", socket, "--data-dir", filepath.Join(dir, "data"),
		"--model", "seg="+conformance(t, "tfls_deeplabv3_float", "model.tflite"), "--log-level", "warn")
	c := unixClient(socket)
	waitReady(t, c, p.exited)
	out := `{"name":"ResizeBilinear_3"}`
	resp, _, err := postInfer(c, "seg", segJSON(`,"outputs":[`+strings.Repeat(out+",", 39)+out+`]`))
	if err == nil || resp.StatusCode != 400 || !strings.Contains(err.Error(), `output \"ResizeBilinear_3\" is asked for twice`) {
		t.Fatalf("40 repeats of one output: %v", err)
	}
	if _, r, err := postInfer(c, "seg", segJSON(`,"outputs":[`+out+`]`)); err != nil || len(r.Outputs) != 1 || len(r.Outputs[0].Data) != 257*257*21 {
		t.Fatalf("the output once: %v (%d outputs)", err, len(r.Outputs))
	}
	if peak := procPeakRSS(t, p.cmd.Process.Pid); peak > 512<<20 {
		t.Errorf("agent peak RSS %d MiB", peak>>20)
	}
}

// sendFD sends one HTTP request on a new connection to socket with f's
// descriptor attached (SCM_RIGHTS), as any local program may, and returns
// the status and the error message.
func sendFD(t *testing.T, socket, path, body string, f *os.File) (int, string) {
	t.Helper()
	conn, err := net.Dial("unix", socket)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	req := fmt.Sprintf("POST %s HTTP/1.1\r\nHost: agent\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", path, len(body), body)
	var oob []byte
	if f != nil {
		oob = syscall.UnixRights(int(f.Fd()))
	}
	if _, _, err := conn.(*net.UnixConn).WriteMsgUnix([]byte(req), oob, nil); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var e struct{ Error string }
	b, _ := io.ReadAll(resp.Body)
	json.Unmarshal(b, &e)
	return resp.StatusCode, e.Error
}

// TestAgentInstallWithTheCallersRights: the real agent installs only what
// its caller opened and passed: a model file via the client works; a
// path is refused with one answer whether it exists or not; a character
// device, a file over max_install_bytes and a non-model are refused with
// a clear error and leave no copy; temporaries of an install killed by
// SIGKILL are swept at start; the agent serves throughout.
func TestAgentInstallWithTheCallersRights(t *testing.T) {
	dir := t.TempDir()
	socket := filepath.Join(dir, "agent.sock")
	data := filepath.Join(dir, "data")
	leftover := filepath.Join(data, "models", "sine", ".install-4242")
	os.MkdirAll(filepath.Dir(leftover), 0o750)
	os.WriteFile(leftover, make([]byte, 1000), 0o600)
	cfg := filepath.Join(dir, "agent.yaml")
	os.WriteFile(cfg, []byte("max_install_bytes: 1048576\n"), 0o644)
	p := startAgentProc(t, procOptions{}, "--config", cfg, "--socket", socket, "--data-dir", data,
		"--model", "seg="+conformance(t, "tflm_hello_world_float", "model.tflite"), "--log-level", "warn")
	c := unixClient(socket)
	waitReady(t, c, p.exited)
	if _, err := os.Stat(leftover); !os.IsNotExist(err) {
		t.Errorf("the temporary of an interrupted install is still there: %v", err)
	}

	cl := &client.Client{Socket: socket}
	st, err := cl.Install(t.Context(), "sine", helloModel(t))
	if err != nil || st.State != "ready" {
		t.Fatalf("install through the client: %+v %v", st, err)
	}
	if _, _, err := postInfer(c, "sine", sineRequest(1)); err != nil {
		t.Fatalf("the installed model: %v", err)
	}

	secret := filepath.Join(dir, "secret")
	os.WriteFile(secret, []byte("TFL3 very secret"), 0o600)
	s1, m1 := sendFD(t, socket, "/v1/models/x", `{"path":"`+secret+`"}`, nil)
	s2, m2 := sendFD(t, socket, "/v1/models/x", `{"path":"/nonexistent/secret"}`, nil)
	if s1 != 400 || s1 != s2 || strings.ReplaceAll(m1, secret, "") != strings.ReplaceAll(m2, "/nonexistent/secret", "") || strings.Contains(m1, "secret") {
		t.Errorf("install by path: %d %q vs %d %q: want one 400 answer that names neither file", s1, m1, s2, m2)
	}

	open := func(p string) *os.File {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		return f
	}
	big := filepath.Join(dir, "big.tflite")
	os.WriteFile(big, make([]byte, 1<<20+1), 0o600)
	notModel := filepath.Join(dir, "text.tflite")
	os.WriteFile(notModel, []byte("just text"), 0o600)
	for _, tc := range []struct {
		name   string
		f      *os.File
		status int
		want   string
	}{
		{"/dev/zero", open("/dev/zero"), 400, "not a regular file (a character device)"},
		{"a directory", open(dir), 400, "not a regular file (a directory)"},
		{"over max_install_bytes", open(big), 413, "1048577 bytes, more than the limit of 1048576 (max_install_bytes)"},
		{"not a model", open(notModel), 422, "agent: invalid model"},
	} {
		status, msg := sendFD(t, socket, "/v1/models/sine", `{"fd":true}`, tc.f)
		if status != tc.status || !strings.Contains(msg, tc.want) {
			t.Errorf("%s: %d %q, want %d saying %q", tc.name, status, msg, tc.status, tc.want)
		}
	}
	files, _ := os.ReadDir(filepath.Join(data, "models", "sine"))
	if len(files) != 1 || files[0].Name() != st.Digest[:12]+".tflite" {
		var names []string
		for _, f := range files {
			names = append(names, f.Name())
		}
		t.Errorf("files in the model's folder after the refusals: %v, want only the installed version", names)
	}
	if _, _, err := postInfer(c, "sine", sineRequest(1)); err != nil {
		t.Errorf("the installed version after the refusals: %v", err)
	}
}

// TestCLIInstallAsAnotherUser: an admin by uid (65534, in admin_uids)
// installs with `edgeinfer models --install` what it can read, and gets its
// own "permission denied" for root's 0600 file: the agent, running as
// root, never reads it for the caller. Needs root (two uids).
func TestCLIInstallAsAnotherUser(t *testing.T) {
	tmp, uid, cred := sharedTmp(t)
	if cred == nil {
		t.Skip("SKIPPED: needs root to run the caller as another uid")
	}
	bin, err := buildBinary()
	if err != nil {
		t.Fatal(err)
	}
	socket := filepath.Join(tmp, "agent.sock")
	cfg := filepath.Join(tmp, "agent.yaml")
	os.WriteFile(cfg, fmt.Appendf(nil, "socket_mode: \"0666\"\nadmin_uids: [%d]\n", uid), 0o644)
	p := startAgentProc(t, procOptions{}, "--config", cfg, "--socket", socket, "--data-dir", filepath.Join(tmp, "data"), "--log-level", "warn")
	waitReady(t, unixClient(socket), p.exited)
	model, err := os.ReadFile(helloModel(t))
	if err != nil {
		t.Fatal(err)
	}
	readable := filepath.Join(tmp, "readable.tflite")
	secret := filepath.Join(tmp, "secret.tflite")
	os.WriteFile(readable, model, 0o644)
	os.WriteFile(secret, model, 0o600)
	as := func(args ...string) (string, error) {
		cmd := exec.Command(bin, append([]string{"models", "--socket", socket}, args...)...)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := as("--install", "mine="+readable); err != nil || !strings.Contains(out, "installed mine version") {
		t.Fatalf("installing a file the caller can read: %v %s", err, out)
	}
	out, err := as("--install", "theirs="+secret)
	if err == nil || !strings.Contains(out, "permission denied") {
		t.Errorf("installing root's 0600 file as uid %d: %v %s, want the caller's own permission error", uid, err, out)
	}
	list, _ := as()
	if !strings.Contains(list, "mine") || strings.Contains(list, "theirs") {
		t.Errorf("models after the refusal:\n%s", list)
	}
}
