package brokertest

import (
	"fmt"
	"net"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// fatalRecorder is a testing.TB whose Fatalf records the message and ends
// the goroutine, as the real one does.
type fatalRecorder struct {
	testing.TB
	mu  sync.Mutex
	msg string
}

func (f *fatalRecorder) Fatalf(format string, args ...any) {
	f.mu.Lock()
	f.msg = strings.TrimSpace(fmt.Sprintf(format, args...))
	f.mu.Unlock()
	runtime.Goexit()
}

func (f *fatalRecorder) Helper() {}

func TestMissingMosquittoFailsClearly(t *testing.T) {
	old := Binary
	Binary = "/nonexistent/mosquitto"
	defer func() { Binary = old }()
	rec := &fatalRecorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		Start(rec, Options{})
	}()
	<-done
	if !strings.Contains(rec.msg, "mosquitto broker is required") || !strings.Contains(rec.msg, "apt-get install -y mosquitto") {
		t.Errorf("message %q does not say what is missing and how to install it", rec.msg)
	}
}

func TestStartStopRestartSamePort(t *testing.T) {
	b := Start(t, Options{})
	addr := "127.0.0.1:" + strconv.Itoa(b.Port)
	dial := func() error {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
		}
		return err
	}
	if err := dial(); err != nil {
		t.Fatalf("broker not accepting at %s: %v", addr, err)
	}
	b.Stop()
	if err := dial(); err == nil {
		t.Fatalf("port %s still accepts after Stop", addr)
	}
	b.Restart()
	if err := dial(); err != nil {
		t.Fatalf("broker not accepting at %s after Restart: %v", addr, err)
	}
}
