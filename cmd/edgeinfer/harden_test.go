package main

import (
	"bytes"
	"fmt"
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
	args := []string{"--model", "sine=" + helloModel(t), "--log-format", "json"}

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
