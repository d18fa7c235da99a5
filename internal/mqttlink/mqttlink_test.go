package mqttlink

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/edgeinfer/edgeinfer/internal/brokertest"
)

// TestMain lets the will test run this binary as a child client that is
// killed with SIGKILL.
func TestMain(m *testing.M) {
	if b := os.Getenv("MQTTLINK_CHILD_BROKER"); b != "" {
		childClient(b)
		return
	}
	os.Exit(m.Run())
}

// childClient connects with a will, says "connected" and waits to be killed.
func childClient(broker string) {
	l, err := Dial(Options{Broker: broker, ClientID: "child", Will: &Message{Topic: "t/child/status", Payload: []byte(`{"online":false}`), Retained: true}})
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := l.WaitConnected(ctx); err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	if err := l.Publish(ctx, "t/child/status", 1, true, []byte(`{"online":true}`)); err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	fmt.Println("connected")
	time.Sleep(time.Minute)
}

// collector gathers messages by topic.
type collector struct {
	mu   sync.Mutex
	msgs map[string][]Message
}

func newCollector() *collector { return &collector{msgs: map[string][]Message{}} }

func (c *collector) handle(m Message) {
	c.mu.Lock()
	c.msgs[m.Topic] = append(c.msgs[m.Topic], m)
	c.mu.Unlock()
}

// waitFor polls until topic's last payload is want.
func (c *collector) waitFor(t *testing.T, topic, want string) Message {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		c.mu.Lock()
		ms := c.msgs[topic]
		c.mu.Unlock()
		if n := len(ms); n > 0 && string(ms[n-1].Payload) == want {
			return ms[n-1]
		}
		time.Sleep(10 * time.Millisecond)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	t.Fatalf("no message %q on %s within 30s; got %v", want, topic, c.msgs[topic])
	return Message{}
}

func (c *collector) count(topic string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.msgs[topic])
}

func dial(t *testing.T, o Options) *Link {
	t.Helper()
	l, err := Dial(o)
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	t.Cleanup(l.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := l.WaitConnected(ctx); err != nil {
		t.Fatal(err)
	}
	return l
}

func TestRetainedWildcardAndResubscribeAfterRestart(t *testing.T) {
	b := brokertest.Start(t, brokertest.Options{})
	ctx := context.Background()
	pub := dial(t, Options{Broker: b.URL, ClientID: "pub"})
	if err := pub.Publish(ctx, "fleet/a/models/m1", 1, true, []byte("v1")); err != nil {
		t.Fatal(err)
	}
	connects := make(chan struct{}, 10)
	c := newCollector()
	sub := dial(t, Options{Broker: b.URL, ClientID: "sub", MaxReconnectInterval: time.Second, OnConnect: func() { connects <- struct{}{} }})
	if err := sub.Subscribe(ctx, "fleet/a/models/+", 1, c.handle); err != nil {
		t.Fatal(err)
	}
	if m := c.waitFor(t, "fleet/a/models/m1", "v1"); !m.Retained {
		t.Errorf("message delivered at subscribe time is not flagged retained")
	}
	<-connects

	b.Restart()
	select {
	case <-connects:
	case <-time.After(60 * time.Second):
		t.Fatal("subscriber did not reconnect within 60s of the broker restart")
	}
	// The broker kept the retained message and the subscription was made
	// again, so it arrives a second time.
	deadline := time.Now().Add(30 * time.Second)
	for c.count("fleet/a/models/m1") < 2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := c.count("fleet/a/models/m1"); n < 2 {
		t.Fatalf("retained message seen %d times, want again after the resubscribe", n)
	}
	ctx2, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := pub.WaitConnected(ctx2); err != nil {
		t.Fatal(err)
	}
	if err := pub.Publish(ctx2, "fleet/a/models/m2", 1, false, []byte("live")); err != nil {
		t.Fatal(err)
	}
	c.waitFor(t, "fleet/a/models/m2", "live")
}

func TestLastWillOnKill(t *testing.T) {
	b := brokertest.Start(t, brokertest.Options{})
	c := newCollector()
	obs := dial(t, Options{Broker: b.URL, ClientID: "observer"})
	if err := obs.Subscribe(context.Background(), "t/+/status", 1, c.handle); err != nil {
		t.Fatal(err)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), "MQTTLINK_CHILD_BROKER="+b.URL)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64)
	n, _ := out.Read(buf)
	if !strings.Contains(string(buf[:n]), "connected") {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("child: %q", buf[:n])
	}
	c.waitFor(t, "t/child/status", `{"online":true}`)
	cmd.Process.Kill()
	cmd.Wait()
	c.waitFor(t, "t/child/status", `{"online":false}`)
	// A new subscriber gets the will as the retained status.
	late := newCollector()
	l2 := dial(t, Options{Broker: b.URL, ClientID: "late"})
	if err := l2.Subscribe(context.Background(), "t/child/status", 1, late.handle); err != nil {
		t.Fatal(err)
	}
	if m := late.waitFor(t, "t/child/status", `{"online":false}`); !m.Retained {
		t.Error("the will is not retained")
	}
}

func TestTLSClientCertAndPassword(t *testing.T) {
	b := brokertest.Start(t, brokertest.Options{TLS: true, RequireClientCert: true, Users: map[string]string{"dev1": "s3cret"}})
	ok := Options{Broker: b.URL, ClientID: "tls-ok", CAFile: b.TLS.CA, CertFile: b.TLS.ClientCert, KeyFile: b.TLS.ClientKey, Username: "dev1", Password: "s3cret"}
	l := dial(t, ok)
	c := newCollector()
	ctx := context.Background()
	if err := l.Subscribe(ctx, "x/#", 1, c.handle); err != nil {
		t.Fatal(err)
	}
	if err := l.Publish(ctx, "x/y", 1, false, []byte("hi")); err != nil {
		t.Fatal(err)
	}
	c.waitFor(t, "x/y", "hi")

	refused := map[string]Options{
		"wrong password":   {Password: "nope"},
		"no client cert":   {CertFile: "-", KeyFile: "-"},
		"no username":      {Username: "-", Password: "-"},
		"untrusted server": {CAFile: "-"},
	}
	for name, change := range refused {
		t.Run(name, func(t *testing.T) {
			o := ok
			o.ClientID = "tls-bad"
			if change.Password != "" {
				o.Password = change.Password
			}
			if change.CertFile == "-" {
				o.CertFile, o.KeyFile = "", ""
			}
			if change.Username == "-" {
				o.Username, o.Password = "", ""
			}
			if change.CAFile == "-" {
				o.CAFile = ""
			}
			l, err := Dial(o)
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			defer cancel()
			if err := l.WaitConnected(ctx); err == nil {
				t.Fatal("connected, want the broker to refuse")
			}
		})
	}
}

func TestBadOptions(t *testing.T) {
	tests := []struct {
		o    Options
		want string
	}{
		{Options{Broker: "mqtt://h:1"}, "client id"},
		{Options{Broker: "http://h:1", ClientID: "c"}, "unknown scheme"},
		{Options{Broker: "h:1", ClientID: "c"}, "want mqtt://"},
		{Options{Broker: "mqtt://h:1", ClientID: "c", CAFile: "ca.pem"}, "use mqtts://"},
		{Options{Broker: "mqtts://h:1", ClientID: "c", CAFile: "/nonexistent/ca.pem"}, "CA file"},
		{Options{Broker: "mqtts://h:1", ClientID: "c", CertFile: "c.pem"}, "go together"},
	}
	for _, tc := range tests {
		_, err := Dial(tc.o)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Dial(%+v) = %v, want an error containing %q", tc.o, err, tc.want)
		}
	}
}

// TestOversizePayloadDroppedOnReceipt: a payload over MaxPayloadBytes
// reaches the handler empty with its size in Dropped (the link read it off
// the wire and threw it away), smaller ones are intact, before and after
// it, and the link stays up.
func TestOversizePayloadDroppedOnReceipt(t *testing.T) {
	b := brokertest.Start(t, brokertest.Options{})
	ctx := context.Background()
	pub := dial(t, Options{Broker: b.URL, ClientID: "pub"})
	big := make([]byte, 3<<20)
	for _, m := range []struct {
		topic   string
		qos     byte
		payload []byte
	}{
		{"cap/before", 1, []byte("small")},
		{"cap/big1", 1, big},
		{"cap/big0", 0, big[:2<<20]},
		{"cap/edge", 1, big[:1<<20]},
		{"cap/after", 1, []byte("small too")},
	} {
		if err := pub.Publish(ctx, m.topic, m.qos, true, m.payload); err != nil {
			t.Fatal(err)
		}
	}
	c := newCollector()
	var logs syncBuf
	sub := dial(t, Options{Broker: b.URL, ClientID: "sub", MaxPayloadBytes: 1 << 20, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err := sub.Subscribe(ctx, "cap/#", 1, c.handle); err != nil {
		t.Fatal(err)
	}
	c.waitFor(t, "cap/after", "small too")
	c.waitFor(t, "cap/before", "small")
	for topic, size := range map[string]int64{"cap/big1": 3 << 20, "cap/big0": 2 << 20} {
		m := c.waitFor(t, topic, "")
		if m.Dropped != size {
			t.Errorf("%s: Dropped %d, want %d", topic, m.Dropped, size)
		}
	}
	if m := c.waitFor(t, "cap/edge", string(big[:1<<20])); m.Dropped != 0 {
		t.Errorf("a payload of exactly the cap was dropped")
	}
	// The link is still up and delivers new messages.
	if err := pub.Publish(ctx, "cap/live", 1, false, []byte("live")); err != nil {
		t.Fatal(err)
	}
	c.waitFor(t, "cap/live", "live")
	if strings.Contains(logs.String(), "connection lost") {
		t.Errorf("the link dropped its connection:\n%s", logs.String())
	}
}

// syncBuf is a log sink for a test.
type syncBuf struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestConnectFailuresAreLoggedWithTheReason: a refused login and an
// untrusted server certificate each give one warning that says why.
func TestConnectFailuresAreLoggedWithTheReason(t *testing.T) {
	b := brokertest.Start(t, brokertest.Options{TLS: true, Users: map[string]string{"dev1": "s3cret"}})
	for name, tc := range map[string]struct {
		o    Options
		want string
	}{
		"wrong password":   {Options{CAFile: b.TLS.CA, Username: "dev1", Password: "nope"}, "not Authorized"},
		"untrusted server": {Options{Username: "dev1", Password: "s3cret"}, "certificate"},
	} {
		t.Run(name, func(t *testing.T) {
			var logs syncBuf
			o := tc.o
			o.Broker, o.ClientID, o.Logger = b.URL, "bad-"+strings.ReplaceAll(name, " ", "-"), slog.New(slog.NewTextHandler(&logs, nil))
			l, err := Dial(o)
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			deadline := time.Now().Add(30 * time.Second)
			for !strings.Contains(logs.String(), "connection to the broker failed") && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
			out := logs.String()
			if !strings.Contains(out, "level=WARN msg=\"connection to the broker failed; retrying\"") || !strings.Contains(out, tc.want) {
				t.Errorf("log does not warn with the reason %q:\n%s", tc.want, out)
			}
		})
	}
}

// TestPlaintextCredentialsWarn: a password over mqtt:// is warned about;
// over mqtts:// or without credentials it is not.
func TestPlaintextCredentialsWarn(t *testing.T) {
	for _, tc := range []struct {
		o    Options
		warn bool
	}{
		{Options{Broker: "mqtt://127.0.0.1:1", Username: "u", Password: "p"}, true},
		{Options{Broker: "mqtt://127.0.0.1:1"}, false},
		{Options{Broker: "mqtts://127.0.0.1:1", Username: "u", Password: "p"}, false},
	} {
		var logs syncBuf
		o := tc.o
		o.ClientID, o.Logger = "c", slog.New(slog.NewTextHandler(&logs, nil))
		l, err := Dial(o)
		if err != nil {
			t.Fatal(err)
		}
		l.Close()
		if got := strings.Contains(logs.String(), "sent in clear"); got != tc.warn {
			t.Errorf("%s user %q: warned %v, want %v\n%s", o.Broker, o.Username, got, tc.warn, logs.String())
		}
	}
}
