package hub

import (
	"log/slog"
	"net"
	"strconv"
	"sync"
	"time"
)

// refusedBody and refusedAnswer are what a connection over the
// per-address cap gets before it is closed.
const refusedBody = `{"error": "too many connections from this address"}` + "\n"

var refusedAnswer = []byte("HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nConnection: close\r\n" +
	"Content-Length: " + strconv.Itoa(len(refusedBody)) + "\r\n\r\n" + refusedBody)

// limitListener caps the connections it hands out: MaxConns in all
// (Accept waits for a free slot; meanwhile the kernel queues new
// connections) and perIP from one client address (beyond it a connection
// is answered 503 and closed at once, so that a client holding many slow
// connections cannot keep others out).
type limitListener struct {
	net.Listener
	slots chan struct{}
	done  chan struct{}
	close sync.Once
	perIP int
	log   *slog.Logger

	mu         sync.Mutex
	byIP       map[string]int
	refused    int
	lastWarned time.Time
}

func newLimitListener(ln net.Listener, maxConns, perIP int, log *slog.Logger) *limitListener {
	return &limitListener{Listener: ln, slots: make(chan struct{}, maxConns), done: make(chan struct{}), perIP: perIP, log: log, byIP: map[string]int{}}
}

// Accept waits for a free slot, then for a connection under its
// address's cap.
func (l *limitListener) Accept() (net.Conn, error) {
	for {
		select {
		case l.slots <- struct{}{}:
		case <-l.done:
			return nil, net.ErrClosed
		}
		c, err := l.Listener.Accept()
		if err != nil {
			<-l.slots
			return nil, err
		}
		ip := remoteIP(c)
		if !l.admit(ip) {
			<-l.slots
			c.SetWriteDeadline(time.Now().Add(time.Second))
			c.Write(refusedAnswer)
			c.Close()
			continue
		}
		return &limitConn{Conn: c, release: func() { l.leave(ip); <-l.slots }}, nil
	}
}

// Close closes the listener and ends a waiting Accept.
func (l *limitListener) Close() error {
	l.close.Do(func() { close(l.done) })
	return l.Listener.Close()
}

// admit counts a connection from ip, or refuses it over the cap (with a
// warning at most once a minute, counting the refusals since the last).
func (l *limitListener) admit(ip string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.perIP < 0 || l.byIP[ip] < l.perIP {
		l.byIP[ip]++
		return true
	}
	l.refused++
	if now := time.Now(); now.Sub(l.lastWarned) >= time.Minute {
		l.log.Warn("connections refused: too many from one address", "remote", ip, "max_conns_per_ip", l.perIP, "refused", l.refused)
		l.lastWarned, l.refused = now, 0
	}
	return false
}

func (l *limitListener) leave(ip string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.byIP[ip]--; l.byIP[ip] <= 0 {
		delete(l.byIP, ip)
	}
}

func remoteIP(c net.Conn) string {
	host, _, err := net.SplitHostPort(c.RemoteAddr().String())
	if err != nil {
		return c.RemoteAddr().String()
	}
	return host
}

// limitConn gives its slot back once, at the first Close.
type limitConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *limitConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}
