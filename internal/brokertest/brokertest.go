package brokertest

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"
)

// Binary is the mosquitto executable the tests start (Debian's package
// installs it there; .ci/run installs the package).
var Binary = "/usr/sbin/mosquitto"

// Options shape the broker. The zero value is a plain, anonymous broker
// that keeps retained messages across restarts.
type Options struct {
	// Users, when set, turns anonymous access off and allows only these
	// username → password pairs.
	Users map[string]string
	// TLS serves mqtts with certificates made for the test (see Broker.TLS).
	TLS bool
	// RequireClientCert makes the broker refuse TLS clients without a
	// certificate signed by the test CA.
	RequireClientCert bool
}

// Broker is a running mosquitto.
type Broker struct {
	// URL is mqtt://127.0.0.1:PORT, or mqtts://localhost:PORT with TLS.
	URL  string
	Port int
	// TLS holds the certificate files when Options.TLS is set.
	TLS *Certs

	t    testing.TB
	dir  string
	conf string
	log  *syncBuffer

	mu  sync.Mutex
	cmd *exec.Cmd
}

// Start starts a broker and registers its stop with t.Cleanup.
func Start(t testing.TB, o Options) *Broker {
	t.Helper()
	if _, err := os.Stat(Binary); err != nil {
		t.Fatalf("brokertest: the mosquitto broker is required and was not found at %s (%v); install it with: apt-get install -y mosquitto", Binary, err)
	}
	b := &Broker{t: t, dir: t.TempDir(), log: &syncBuffer{}}
	if err := os.MkdirAll(filepath.Join(b.dir, "data"), 0o755); err != nil {
		t.Fatal(err)
	}
	if o.TLS {
		b.TLS = makeCerts(t, b.dir)
	}
	var lastErr error
	for range 5 {
		port, err := freePort()
		if err != nil {
			t.Fatalf("brokertest: no free port: %v", err)
		}
		b.Port = port
		if err := b.writeConfig(o); err != nil {
			t.Fatalf("brokertest: %v", err)
		}
		if lastErr = b.start(); lastErr == nil {
			break
		}
	}
	if lastErr != nil {
		t.Fatalf("brokertest: mosquitto did not start: %v\nits log:\n%s", lastErr, b.log.String())
	}
	if o.TLS {
		b.URL = fmt.Sprintf("mqtts://localhost:%d", b.Port)
	} else {
		b.URL = fmt.Sprintf("mqtt://127.0.0.1:%d", b.Port)
	}
	t.Cleanup(b.Stop)
	return b
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func (b *Broker) writeConfig(o Options) error {
	var c bytes.Buffer
	fmt.Fprintf(&c, "listener %d 127.0.0.1\n", b.Port)
	fmt.Fprintf(&c, "persistence true\npersistence_location %s/\n", filepath.Join(b.dir, "data"))
	c.WriteString("log_dest stderr\nlog_type error\nlog_type warning\nlog_type notice\n")
	if os.Getuid() == 0 {
		c.WriteString("user root\n") // otherwise mosquitto drops to user mosquitto and cannot read the test's files
	}
	if len(o.Users) > 0 {
		pw := filepath.Join(b.dir, "passwd")
		if err := os.WriteFile(pw, nil, 0o600); err != nil {
			return err
		}
		for u, p := range o.Users {
			out, err := exec.Command("mosquitto_passwd", "-b", pw, u, p).CombinedOutput()
			if err != nil {
				return fmt.Errorf("mosquitto_passwd (Debian package mosquitto): %v: %s", err, out)
			}
		}
		fmt.Fprintf(&c, "allow_anonymous false\npassword_file %s\n", pw)
	} else {
		c.WriteString("allow_anonymous true\n")
	}
	if b.TLS != nil {
		fmt.Fprintf(&c, "cafile %s\ncertfile %s\nkeyfile %s\n", b.TLS.CA, b.TLS.ServerCert, b.TLS.ServerKey)
		if o.RequireClientCert {
			c.WriteString("require_certificate true\n")
		}
	}
	b.conf = filepath.Join(b.dir, "mosquitto.conf")
	return os.WriteFile(b.conf, c.Bytes(), 0o600)
}

// start runs mosquitto and waits until its port accepts connections.
func (b *Broker) start() error {
	cmd := exec.Command(Binary, "-c", b.conf)
	cmd.Stdout, cmd.Stderr = b.log, b.log
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	deadline := time.Now().Add(20 * time.Second)
	for {
		select {
		case err := <-exited:
			return fmt.Errorf("mosquitto exited at start: %v", err)
		default:
		}
		conn, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(b.Port), time.Second)
		if err == nil {
			conn.Close()
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			<-exited
			return fmt.Errorf("port %d did not accept connections within 20s", b.Port)
		}
		time.Sleep(20 * time.Millisecond)
	}
	b.mu.Lock()
	b.cmd = cmd
	b.mu.Unlock()
	go func() {
		<-exited
		b.mu.Lock()
		if b.cmd == cmd {
			b.cmd = nil
		}
		b.mu.Unlock()
	}()
	return nil
}

// Stop stops the broker (SIGTERM, so it saves retained messages) and waits
// for it to exit. Stopping a stopped broker does nothing.
func (b *Broker) Stop() {
	b.mu.Lock()
	cmd := b.cmd
	b.mu.Unlock()
	if cmd == nil {
		return
	}
	cmd.Process.Signal(os.Interrupt)
	deadline := time.Now().Add(10 * time.Second)
	for b.running(cmd) {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			deadline = time.Now().Add(10 * time.Second)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (b *Broker) running(cmd *exec.Cmd) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.cmd == cmd
}

// Restart stops the broker and starts it again on the same port with the
// same configuration and saved retained messages.
func (b *Broker) Restart() {
	b.t.Helper()
	b.Stop()
	var err error
	for range 50 { // the port can take a moment to be free again
		if err = b.start(); err == nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	b.t.Fatalf("brokertest: mosquitto did not restart on port %d: %v\nits log:\n%s", b.Port, err, b.log.String())
}

// syncBuffer is the broker's log, written by its output copier and read by
// failure messages.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}
