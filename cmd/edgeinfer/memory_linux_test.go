package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// memoryCgroup makes a memory cgroup of limit bytes below the test's own
// (cgroup v1 or v2) and returns its directory; it is removed when the test
// ends. A test that needs it is skipped, saying why, where the process may
// not create one (not root, no memory controller).
func memoryCgroup(t *testing.T, limit int64) string {
	t.Helper()
	self, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		t.Skipf("SKIPPED: no memory limit possible: %v", err)
	}
	var dir, limitFile string
	for _, line := range strings.Split(string(self), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		switch {
		case strings.Split(parts[1], ",")[0] == "memory" || strings.Contains(","+parts[1]+",", ",memory,"):
			dir, limitFile = filepath.Join("/sys/fs/cgroup/memory", parts[2]), "memory.limit_in_bytes"
		case parts[0] == "0" && parts[1] == "" && dir == "":
			dir, limitFile = filepath.Join("/sys/fs/cgroup", parts[2]), "memory.max"
		}
	}
	if dir == "" {
		t.Skip("SKIPPED: this process is in no memory cgroup")
	}
	dir = filepath.Join(dir, fmt.Sprintf("edgeinfer-test-%d", os.Getpid()))
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Skipf("SKIPPED: cannot create a memory cgroup (run as root): %v", err)
	}
	t.Cleanup(func() { os.Remove(dir) })
	if err := os.WriteFile(filepath.Join(dir, limitFile), []byte(strconv.FormatInt(limit, 10)), 0o644); err != nil {
		t.Skipf("SKIPPED: cannot set the cgroup's memory limit: %v", err)
	}
	return dir
}

// procPeakRSS reads VmHWM of pid, in bytes.
func procPeakRSS(t *testing.T, pid int) int64 {
	t.Helper()
	n, err := statusBytes(fmt.Sprintf("/proc/%d/status", pid), "VmHWM")
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// bigSegBody is an inference request for the deeplab model of size bytes:
// its input as JSON with the list padded by spaces, the costliest form
// for the decoder (it keeps a copy of the list's text).
func bigSegBody(size int) []byte {
	head := `{"inputs":[{"name":"sub_7","shape":[1,257,257,3],"datatype":"FP32","data":[`
	tail := `]}]}`
	var b bytes.Buffer
	b.Grow(size)
	b.WriteString(head)
	n := 257 * 257 * 3
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString("0.25")
	}
	b.WriteString(strings.Repeat(" ", size-b.Len()-len(tail)))
	b.WriteString(tail)
	return b.Bytes()
}

// TestAgentMemoryUnderConcurrentLargeBodies runs the real agent in a
// 512 MiB memory cgroup with max_body_bytes 64 MiB, and sends 16
// inference requests of 60 MiB at once: the budget of body bytes in
// flight makes them wait or get 503 instead of taking the agent past its
// memory (the kernel would kill it), every answer is 200 or 503, and the
// agent still answers afterwards (about 200 MiB peak RSS here). With the default (derived) body cap the
// same requests get 413 at once.
func TestAgentMemoryUnderConcurrentLargeBodies(t *testing.T) {
	const limit = 512 << 20
	cg := memoryCgroup(t, limit)
	bin, err := buildBinary()
	if err != nil {
		t.Fatal(err)
	}
	seg := conformance(t, "tfls_deeplabv3_float", "model.tflite")
	body := bigSegBody(60 << 20)
	for _, tc := range []struct {
		name, maxBody string
		want          []int
	}{
		// max_inflight_body_bytes is set to what a 512 MiB device derives
		// (memory/8): the test's cgroup is not the root one that platform
		// detection reads.
		{"max_body_bytes 64 MiB", "max_body_bytes: 67108864\nmax_inflight_body_bytes: 67108864\n", []int{200, 503}},
		{"derived body cap", "", []int{413}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			cfg := filepath.Join(dir, "agent.yaml")
			os.WriteFile(cfg, fmt.Appendf(nil, "%smodels:\n  seg:\n    path: %s\n", tc.maxBody, seg), 0o644)
			socket := filepath.Join(dir, "agent.sock")
			// The shell joins the cgroup, then becomes the agent.
			cmd := exec.Command("/bin/sh", "-c", `echo $$ > "$1/cgroup.procs" && exec "$2" agent --config "$3" --socket "$4" --data-dir "$5" --log-level warn`,
				"sh", cg, bin, cfg, socket, filepath.Join(dir, "data"))
			var log bytes.Buffer
			cmd.Stderr = &lockedWriter{w: &log}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan struct{})
			go func() { cmd.Wait(); close(exited) }()
			t.Cleanup(func() { cmd.Process.Kill(); <-exited })
			c := unixClient(socket)
			c.Timeout = 5 * time.Minute
			waitReady(t, c, exited)

			statuses := map[int]int{}
			var mu sync.Mutex
			var wg sync.WaitGroup
			for range 16 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					resp, err := c.Post("http://agent/v2/models/seg/infer", "application/json", bytes.NewReader(body))
					status := -1
					if err == nil {
						io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
						status = resp.StatusCode
					}
					mu.Lock()
					statuses[status]++
					mu.Unlock()
				}()
			}
			wg.Wait()
			select {
			case <-exited:
				t.Fatalf("the agent died (%v); answers %v; log:\n%s", cmd.ProcessState, statuses, log.String())
			default:
			}
			peak := procPeakRSS(t, cmd.Process.Pid)
			t.Logf("answers %v; agent peak RSS %d MiB under a %d MiB cgroup", statuses, peak>>20, limit>>20)
			for status := range statuses {
				ok := false
				for _, w := range tc.want {
					ok = ok || status == w
				}
				if !ok {
					t.Errorf("answers %v, want only %v", statuses, tc.want)
				}
			}
			if _, _, err := postInfer(c, "seg", fmt.Sprintf(`{"inputs":[{"name":"sub_7","shape":[1,257,257,3],"datatype":"FP32","data":[%s0]}]}`, strings.Repeat("0,", 257*257*3-1))); err != nil {
				t.Errorf("a normal request afterwards: %v", err)
			}
		})
	}
}
