//go:build linux

package api

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/edgeinfer/edgeinfer/agent/api/apitest"
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

// childRequest is what the child sends.
type childRequest struct{ Sock, Method, Path, Body string }

// child sends one request and prints "STATUS BODY", or "error: ..." when
// it cannot.
func child(spec string) int {
	var c childRequest
	if err := json.Unmarshal([]byte(spec), &c); err != nil {
		fmt.Printf("error: bad spec: %v\n", err)
		return 1
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

// runAs re-executes the test binary as uid:gid (with supplementary groups)
// to send c, and returns what the child printed.
func runAs(t *testing.T, uid, gid uint32, groups []uint32, c childRequest) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Fatalf("this test runs a client as uid %d and must run as root (it runs as uid %d)", uid, os.Geteuid())
	}
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
	p := filepath.Join(socketDir(t), "model.tflite")
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestInstall(t *testing.T) {
	s := serve(t, apitest.New(), Options{})
	good, bad := modelFile(t, true), modelFile(t, false)
	for _, tc := range []struct {
		name, model, body string
		status            int
		want              string
	}{
		{"new model", "installed", `{"path": "` + good + `"}`, 201, `"name": "installed"`},
		{"replaced model", "installed", `{"path": "` + good + `"}`, 200, `"version": "14"`},
		{"fails to load", "installed", `{"path": "` + bad + `"}`, 422, "agent: invalid model: " + bad + ": not a TFLite model"},
		{"relative path", "installed", `{"path": "model.tflite"}`, 400, `"path" must be an absolute path to a model file on the agent's machine, not "model.tflite"`},
		{"bad JSON", "installed", `{"path": 3}`, 400, "install request: json: cannot unmarshal number"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := s.do(t, "POST", "/v1/models/"+tc.model, nil, []byte(tc.body))
			got := string(a.body)
			if a.status >= 400 {
				got = a.errMsg()
			}
			if a.status != tc.status || !strings.Contains(got, tc.want) {
				t.Errorf("%d %s\nwant %d with %s", a.status, a.body, tc.status, tc.want)
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
	good := modelFile(t, true)
	install := func(sock string) childRequest {
		return childRequest{Sock: sock, Method: "POST", Path: "/v1/models/installed", Body: `{"path": "` + good + `"}`}
	}
	for _, tc := range []struct {
		name   string
		o      Options
		groups []uint32
		want   string
	}{
		{"not an admin", Options{AdminUIDs: []int{1000}, AdminGIDs: []int{1001}}, []uint32{4242},
			fmt.Sprintf(`403 {
  "error": "admin endpoint: uid 65534 (gid 65534) is not allowed (admins: uid 0, uid %d, uids [1000], gids [1001])"
}`, os.Geteuid())},
		{"admin by uid", Options{AdminUIDs: []int{65534}}, nil, `201 {`},
		{"admin by gid", Options{AdminGIDs: []int{65534}}, nil, `201 {`},
		{"admin by supplementary group", Options{AdminGIDs: []int{4242}}, []uint32{4242}, `201 {`},
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
