package server

import (
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
)

func TestPeerGroups(t *testing.T) {
	b := []byte{4, 0, 0, 0, 24, 0, 0, 0, 0xe8, 3, 0, 0}
	if got := peerGroups(b); !slices.Equal(got, []int{4, 24, 1000}) {
		t.Errorf("groups %v", got)
	}
	if got := peerGroups(nil); len(got) != 0 {
		t.Errorf("empty groups %v", got)
	}
}

// TestHelperConnect is not a test: run by TestPeerGroupsFixedAtConnect in
// a child process, it connects to $EI_HELPER_SOCKET and exits.
func TestHelperConnect(t *testing.T) {
	sock := os.Getenv("EI_HELPER_SOCKET")
	if sock == "" {
		return
	}
	c, err := net.Dial("unix", sock)
	if err != nil {
		os.Exit(2)
	}
	c.Write([]byte("x"))
	os.Exit(0)
}

// TestPeerGroupsFixedAtConnect: the caller's supplementary groups are the
// ones it had when it connected, read from the socket (SO_PEERGROUPS), not
// from /proc/PID, which is gone (or another process's) once the caller
// exits. A child connects with 100 groups 4200..4299 (as root; else with
// the test's own groups) and exits before the agent looks.
func TestPeerGroupsFixedAtConnect(t *testing.T) {
	dir := socketDir(t)
	os.Chmod(dir, 0o755)
	sock := filepath.Join(dir, "s")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	os.Chmod(sock, 0o666)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "helper")
	b, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, b, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-test.run=^TestHelperConnect$")
	cmd.Env = append(os.Environ(), "EI_HELPER_SOCKET="+sock)
	var want []int
	if os.Geteuid() != 0 {
		want, _ = os.Getgroups()
	} else {
		// More groups than the first buffer of 64 holds.
		var groups []uint32
		for g := 4200; g < 4300; g++ {
			want = append(want, g)
			groups = append(groups, uint32(g))
		}
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534, Groups: groups}}
	}
	if os.Geteuid() != 0 {
		t.Logf("not root: the child keeps the test's groups %v", want)
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("helper: %v\n%s", err, out)
	}
	c, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.ReadFull(c, make([]byte, 1))
	p, err := peerCred(c.(*net.UnixConn))
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(p.groups)
	if !slices.Equal(p.groups, want) || p.groupsErr != nil {
		t.Errorf("groups of a caller that has exited: %v (%v), want %v", p.groups, p.groupsErr, want)
	}
	if os.Geteuid() == 0 && p.uid != 65534 {
		t.Errorf("uid %d, want 65534", p.uid)
	}
}
