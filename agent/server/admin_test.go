//go:build linux

package server

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/edgeinfer/edgeinfer/internal/apitest"
)

// childEnv makes the test binary act as a client (see child) instead of
// running tests; the admin tests re-execute it as another user.
const childEnv = "EDGEINFER_API_TEST_CHILD"

func TestMain(m *testing.M) {
	if spec := os.Getenv(childEnv); spec != "" {
		os.Exit(child(spec))
	}
	os.Exit(m.Run())
}

// childRequest is what the child sends; File, when set, is opened by the
// child and its descriptor passed with the request.
type childRequest struct{ Sock, Method, Path, Body, File string }

// child sends one request and prints "STATUS BODY", or "error: ..." when
// it cannot.
func child(spec string) int {
	var c childRequest
	if err := json.Unmarshal([]byte(spec), &c); err != nil {
		fmt.Printf("error: bad spec: %v\n", err)
		return 1
	}
	if c.File != "" {
		f, err := os.Open(c.File)
		if err != nil {
			fmt.Printf("error: %v\n", err)
			return 0
		}
		defer f.Close()
		a, err := sendWithFile(c.Sock, c.Method, c.Path, c.Body, f)
		if err != nil {
			fmt.Printf("error: %v\n", err)
			return 0
		}
		fmt.Printf("%d %s", a.status, a.body)
		return 0
	}
	req, err := http.NewRequest(c.Method, "http://edgeinfer"+c.Path, strings.NewReader(c.Body))
	if err != nil {
		fmt.Printf("error: %v\n", err)
		return 1
	}
	resp, err := unixClient(c.Sock).Do(req)
	if err != nil {
		fmt.Printf("error: %v\n", err)
		return 0
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	fmt.Printf("%d %s", resp.StatusCode, b)
	return 0
}

// sendWithFile sends one request on a new connection with f's descriptor
// attached to its first bytes (SCM_RIGHTS), as any program may, and reads
// the answer.
func sendWithFile(sock, method, path, body string, f *os.File) (answer, error) {
	conn, err := net.Dial("unix", sock)
	if err != nil {
		return answer{}, err
	}
	defer conn.Close()
	req := fmt.Sprintf("%s %s HTTP/1.1\r\nHost: edgeinfer\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", method, path, len(body), body)
	var oob []byte
	if f != nil {
		oob = syscall.UnixRights(int(f.Fd()))
	}
	if _, _, err := conn.(*net.UnixConn).WriteMsgUnix([]byte(req), oob, nil); err != nil {
		return answer{}, err
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, resp.Header, b}, err
}

// needsRoot skips a test that runs its client as another uid when the
// test does not run as root, saying so loudly.
func needsRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skipf("SKIPPED: %s needs root to run its client as another uid (it runs as uid %d)", t.Name(), os.Geteuid())
	}
}

// runAs re-executes the test binary as uid:gid (with supplementary groups)
// to send c, and returns what the child printed.
func runAs(t *testing.T, uid, gid uint32, groups []uint32, c childRequest) string {
	t.Helper()
	needsRoot(t)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	dir := socketDir(t)
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "api.test")
	if err := os.WriteFile(bin, b, 0o755); err != nil {
		t.Fatal(err)
	}
	spec, _ := json.Marshal(c)
	cmd := exec.Command(bin, "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+string(spec))
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uid, Gid: gid, Groups: groups}}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child as uid %d: %v: %s", uid, err, out)
	}
	return string(out)
}

// sharedServer serves the fake on a socket of the given mode in a
// directory every user may enter.
func sharedServer(t *testing.T, mode os.FileMode, group string, o Options) *server {
	t.Helper()
	dir := socketDir(t)
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	ln, err := Listen(filepath.Join(dir, "edgeinfer.sock"), mode, group)
	if err != nil {
		t.Fatal(err)
	}
	return serveOn(t, ln, apitest.New(), o)
}

// modelFile writes a file the fake backend accepts as a model (it holds
// "TFL3") or refuses.
func modelFile(t *testing.T, valid bool) string {
	t.Helper()
	content := "not a model"
	if valid {
		content = "\x1c\x00\x00\x00TFL3 model"
	}
	dir := socketDir(t)
	os.Chmod(dir, 0o755)
	p := filepath.Join(dir, "model.tflite")
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestInstall: the model file comes as a descriptor the caller opened;
// install by path is refused with one answer whether the file exists or
// not (nothing about a file the caller may not read leaks), as is a
// request without a descriptor.
func TestInstall(t *testing.T) {
	s := serve(t, apitest.New(), Options{})
	open := func(p string) *os.File {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		return f
	}
	good, bad := open(modelFile(t, true)), open(modelFile(t, false))
	secret := filepath.Join(socketDir(t), "secret")
	os.WriteFile(secret, []byte("\x1c\x00\x00\x00TFL3 secret"), 0o600)
	const byPath = "installing by path is not supported: the agent would read the file with its own rights; pass the open file instead (client.Install does)"
	for _, tc := range []struct {
		name, model, body string
		file              *os.File
		status            int
		want              string
	}{
		{"new model", "installed", `{"fd": true}`, good, 201, `"name": "installed"`},
		{"replaced model", "installed", `{"fd": true}`, good, 200, `"version": "14"`},
		{"fails to load", "installed", `{"fd": true}`, bad, 422, "agent: invalid model: not a TFLite model"},
		{"by path, a file that exists", "installed", `{"path": "` + secret + `"}`, nil, 400, byPath},
		{"by path, a file that does not", "installed", `{"path": "/nonexistent/secret"}`, nil, 400, byPath},
		{"by path, with a descriptor", "installed", `{"path": "/x", "fd": true}`, good, 400, byPath},
		{"no descriptor", "installed", `{"fd": true}`, nil, 400, "no file descriptor came with the request"},
		{"bad JSON", "installed", `{"fd": 3}`, good, 400, "install request: json: cannot unmarshal number"},
		{"unknown field", "installed", `{"fd": true, "file": "/etc/shadow"}`, good, 400, `unknown field "file"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, err := sendWithFile(s.sock, "POST", "/v1/models/"+tc.model, tc.body, tc.file)
			if err != nil {
				t.Fatal(err)
			}
			got := string(a.body)
			if a.status >= 400 {
				got = a.errMsg()
			}
			if a.status != tc.status || !strings.Contains(got, tc.want) {
				t.Errorf("%d %s\nwant %d with %s", a.status, a.body, tc.status, tc.want)
			}
			if strings.Contains(got, "secret") {
				t.Errorf("the answer names the secret file: %s", got)
			}
		})
	}
	if a := s.get(t, "/v2/models/installed"); a.status != 200 {
		t.Errorf("the installed model's metadata: %d %s", a.status, a.body)
	}
}

// TestAdminPeerCredentials runs a client as uid 65534 (nobody): refused on
// admin paths unless its uid or gid is an admin, served elsewhere, and
// kept off a 0660 socket altogether.
func TestAdminPeerCredentials(t *testing.T) {
	needsRoot(t)
	good := modelFile(t, true)
	install := func(sock string) childRequest {
		return childRequest{Sock: sock, Method: "POST", Path: "/v1/models/installed", Body: `{"fd": true}`, File: good}
	}
	for _, tc := range []struct {
		name   string
		o      Options
		groups []uint32
		want   string
	}{
		{"not an admin", Options{Config: Config{AdminUIDs: []int{1000}, AdminGIDs: []int{1001}}}, []uint32{4242},
			fmt.Sprintf(`403 {
  "error": "admin endpoint: uid 65534 (gid 65534) is not allowed (admins: uid 0, uid %d, uids [1000], gids [1001])"
}`, os.Geteuid())},
		{"admin by uid", Options{Config: Config{AdminUIDs: []int{65534}}}, nil, `201 {`},
		{"admin by gid", Options{Config: Config{AdminGIDs: []int{65534}}}, nil, `201 {`},
		{"admin by supplementary group", Options{Config: Config{AdminGIDs: []int{4242}}}, []uint32{4242}, `201 {`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := sharedServer(t, 0o666, "", tc.o)
			if got := runAs(t, 65534, 65534, tc.groups, install(s.sock)); !strings.HasPrefix(got, tc.want) {
				t.Errorf("child got %q\nwant %q...", got, tc.want)
			}
			if got := runAs(t, 65534, 65534, tc.groups, childRequest{Sock: s.sock, Method: "GET", Path: "/v1/models"}); !strings.HasPrefix(got, "200 [") {
				t.Errorf("a non-admin path: %q", got)
			}
		})
	}
	t.Run("an admin cannot install a file it cannot read", func(t *testing.T) {
		s := sharedServer(t, 0o666, "", Options{Config: Config{AdminUIDs: []int{65534}}})
		secret := modelFile(t, true)
		os.Chmod(secret, 0o600) // root's, like /etc/shadow or a private key
		got := runAs(t, 65534, 65534, nil, install(s.sock))
		if !strings.HasPrefix(got, "201 ") {
			t.Fatalf("a readable model: %q", got)
		}
		c := install(s.sock)
		c.File = secret
		if got := runAs(t, 65534, 65534, nil, c); !strings.Contains(got, "permission denied") {
			t.Errorf("installing root's 0600 file as uid 65534: %q, want the child's own permission error", got)
		}
		// The agent got no request at all: a path is refused whatever it names.
		c = childRequest{Sock: s.sock, Method: "POST", Path: "/v1/models/installed", Body: `{"path": "` + secret + `"}`}
		if got := runAs(t, 65534, 65534, nil, c); !strings.HasPrefix(got, "400 ") || strings.Contains(got, "TFL3") {
			t.Errorf("installing root's file by path: %q", got)
		}
	})
	t.Run("0660 lets the socket's group in and keeps others out", func(t *testing.T) {
		g, err := user.LookupGroupId("1")
		if err != nil {
			t.Fatalf("this test needs a group with gid 1: %v", err)
		}
		s := sharedServer(t, 0, g.Name, Options{})
		live := childRequest{Sock: s.sock, Method: "GET", Path: "/v2/health/live"}
		if got := runAs(t, 65534, 65534, nil, live); !strings.HasPrefix(got, "error: ") || !strings.Contains(got, "permission denied") {
			t.Errorf("outside the socket's group, the child got %q, want a permission error", got)
		}
		if got := runAs(t, 65534, 65534, []uint32{1}, live); !strings.HasPrefix(got, "200 ") {
			t.Errorf("in the socket's group %s, the child got %q", g.Name, got)
		}
	})
}

// openFDs counts this process's open file descriptors.
func openFDs(t *testing.T) int {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(fds)
}

// TestPassedDescriptorsDoNotAccumulate: a caller that sends a descriptor
// with each of 200 requests on one connection (none an install) makes the
// agent hold at most one of them, and none once it hangs up.
func TestPassedDescriptorsDoNotAccumulate(t *testing.T) {
	s := serve(t, apitest.New(), Options{})
	conn, err := net.Dial("unix", s.sock)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open("/dev/null")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rd := bufio.NewReader(conn)
	req := []byte("GET /v2/health/live HTTP/1.1\r\nHost: edgeinfer\r\n\r\n")
	before := -1
	for i := range 201 {
		var oob []byte
		if i > 0 {
			oob = syscall.UnixRights(int(f.Fd()), int(f.Fd()))
		}
		if _, _, err := conn.(*net.UnixConn).WriteMsgUnix(req, oob, nil); err != nil {
			t.Fatal(err)
		}
		resp, err := http.ReadResponse(rd, nil)
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if i == 0 {
			before = openFDs(t) // both ends of the connection are open
		}
	}
	if n := openFDs(t) - before; n > 1 {
		t.Errorf("%d more descriptors open after 200 requests that each passed two", n)
	}
	conn.Close()
	waitFor(t, "the agent to close the connection and the passed descriptor", func() bool { return openFDs(t) <= before-2 })
}
