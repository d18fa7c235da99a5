package mqttlink

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"sync"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
)

// Message is one MQTT message.
type Message struct {
	Topic    string
	Payload  []byte
	Retained bool
	// Dropped, when not zero, is the size of a payload over
	// Options.MaxPayloadBytes that the link threw away on receipt; Payload
	// is then empty.
	Dropped int64
}

// Handler receives the messages of one subscription, in the order the
// broker sent them. It runs on the link's delivery goroutine: it must
// return quickly and must not wait on the link.
type Handler func(Message)

// Options configure Dial. Broker and ClientID are required.
type Options struct {
	// Broker is mqtt://HOST:PORT (plain TCP, default port 1883) or
	// mqtts://HOST:PORT (TLS, default port 8883). tcp:// and ssl:// are
	// accepted as the same.
	Broker string
	// ClientID identifies the session at the broker; it must be unique.
	ClientID string
	// Username and Password authenticate when Username is set.
	Username, Password string
	// CAFile is a PEM bundle of roots that replace the system's for
	// mqtts; CertFile and KeyFile are the client's certificate and key
	// (PEM) for brokers that require them.
	CAFile, CertFile, KeyFile string
	// Will is published by the broker, when set, if the link drops
	// without a clean Close.
	Will *Message
	// ConnectTimeout bounds one connection attempt (default 10s).
	ConnectTimeout time.Duration
	// MaxReconnectInterval caps the backoff between reconnect attempts
	// (default 30s; the first retry comes after about a second).
	MaxReconnectInterval time.Duration
	// MaxPayloadBytes, when set, caps the payload of a received message:
	// a larger one is read off the connection and thrown away as it
	// arrives, never held in memory, and its handler gets an empty
	// Payload with Dropped set.
	MaxPayloadBytes int64
	// OnConnect runs after every successful (re)connect, once every
	// subscription has been made again; it runs on its own goroutine.
	OnConnect func()
	// Logger receives connection events (nil = discard).
	Logger *slog.Logger
}

// Link is a connection to a broker that keeps itself up. Its methods are
// safe for concurrent use.
type Link struct {
	c   mqtt.Client
	log *slog.Logger

	mu      sync.Mutex
	subs    map[string]sub     // filter → subscription, made again on reconnect
	dropped map[string][]int64 // topic → sizes of payloads thrown away, until delivered
	lastErr string             // the last connection failure logged
}

// maxDropped bounds the dropped-payload notes waiting for delivery: the
// topics, and the notes per topic.
const maxDropped = 1024

type sub struct {
	qos byte
	h   Handler
}

// ErrNotConnected means the link is down at the moment (it keeps trying).
var ErrNotConnected = errors.New("mqttlink: not connected to the broker")

// Dial starts connecting to the broker and returns at once; the link
// keeps retrying in the background until Close, so a broker that is down
// at start-up is not an error. Use WaitConnected to wait for it. Dial fails
// only on bad options (URL, TLS files).
func Dial(o Options) (*Link, error) {
	if o.ClientID == "" {
		return nil, fmt.Errorf("mqttlink: client id is empty")
	}
	server, tlsConf, err := brokerURL(o)
	if err != nil {
		return nil, err
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	l := &Link{log: log.With("component", "mqtt", "broker", o.Broker), subs: map[string]sub{}, dropped: map[string][]int64{}}
	if tlsConf == nil && (o.Username != "" || o.Password != "") {
		l.log.Warn("the broker password is sent in clear over plain mqtt://; use mqtts:// so it cannot be read on the network")
	}
	if o.ConnectTimeout <= 0 {
		o.ConnectTimeout = 10 * time.Second
	}
	if o.MaxReconnectInterval <= 0 {
		o.MaxReconnectInterval = 30 * time.Second
	}
	opts := mqtt.NewClientOptions().
		AddBroker(server).
		SetClientID(o.ClientID).
		SetCleanSession(true).
		SetAutoReconnect(true).
		SetConnectRetry(true).
		SetConnectRetryInterval(time.Second).
		SetMaxReconnectInterval(o.MaxReconnectInterval).
		SetConnectTimeout(o.ConnectTimeout).
		SetKeepAlive(30 * time.Second).
		SetOrderMatters(true) // handlers see a topic's messages in order

	dialer := &net.Dialer{Timeout: o.ConnectTimeout}
	opts.SetCustomOpenConnectionFn(func(u *url.URL, _ mqtt.ClientOptions) (net.Conn, error) {
		var c net.Conn
		var err error
		if tlsConf != nil {
			c, err = tls.DialWithDialer(dialer, "tcp", u.Host, tlsConf)
		} else {
			c, err = dialer.Dial("tcp", u.Host)
		}
		if err != nil || o.MaxPayloadBytes <= 0 {
			return c, err
		}
		return newCapConn(c, o.MaxPayloadBytes, l.noteDropped), nil
	})
	opts.SetConnectionNotificationHandler(func(_ mqtt.Client, n mqtt.ConnectionNotification) {
		switch n := n.(type) {
		case mqtt.ConnectionNotificationBrokerFailed:
			l.connectFailed(n.Reason)
		case mqtt.ConnectionNotificationFailed:
			l.connectFailed(n.Reason)
		}
	})
	if o.Username != "" {
		opts.SetUsername(o.Username).SetPassword(o.Password)
	}
	if w := o.Will; w != nil {
		opts.SetBinaryWill(w.Topic, w.Payload, 1, w.Retained)
	}
	opts.SetConnectionLostHandler(func(_ mqtt.Client, err error) {
		l.log.Warn("connection lost; reconnecting", "err", err)
	})
	opts.SetOnConnectHandler(func(mqtt.Client) {
		l.mu.Lock()
		l.lastErr = ""
		l.mu.Unlock()
		l.log.Info("connected")
		l.resubscribe()
		if o.OnConnect != nil {
			o.OnConnect()
		}
	})
	l.c = mqtt.NewClient(opts)
	l.c.Connect() // with ConnectRetry the token completes only on success or Close
	return l, nil
}

// connectFailed logs why a connection attempt failed (TLS, refused login,
// unreachable broker): a warning when the reason changes, debug when it
// repeats, so a broker that stays down does not flood the log.
func (l *Link) connectFailed(err error) {
	if err == nil {
		return
	}
	l.mu.Lock()
	repeat := l.lastErr == err.Error()
	l.lastErr = err.Error()
	l.mu.Unlock()
	if repeat {
		l.log.Debug("connection to the broker failed again; retrying", "err", err)
		return
	}
	l.log.Warn("connection to the broker failed; retrying", "err", err)
}

// noteDropped remembers that the payload of a message on topic was thrown
// away, for its delivery.
func (l *Link) noteDropped(topic string, size int64) {
	l.mu.Lock()
	if len(l.dropped) >= maxDropped {
		clear(l.dropped)
	}
	if q := l.dropped[topic]; len(q) < maxDropped {
		l.dropped[topic] = append(q, size)
	}
	l.mu.Unlock()
}

// brokerURL turns the broker URL into paho's form and builds the TLS
// configuration for mqtts.
func brokerURL(o Options) (string, *tls.Config, error) {
	u, err := url.Parse(o.Broker)
	if err != nil || u.Host == "" {
		return "", nil, fmt.Errorf("mqttlink: broker %q: want mqtt://HOST:PORT or mqtts://HOST:PORT", o.Broker)
	}
	var secure bool
	switch u.Scheme {
	case "mqtt", "tcp":
	case "mqtts", "ssl", "tls":
		secure = true
	default:
		return "", nil, fmt.Errorf("mqttlink: broker %q: unknown scheme %q, want mqtt or mqtts", o.Broker, u.Scheme)
	}
	host := u.Host
	if u.Port() == "" {
		if secure {
			host += ":8883"
		} else {
			host += ":1883"
		}
	}
	if !secure {
		if o.CAFile != "" || o.CertFile != "" {
			return "", nil, fmt.Errorf("mqttlink: broker %q: TLS files given for a plain mqtt:// broker; use mqtts://", o.Broker)
		}
		return "tcp://" + host, nil, nil
	}
	conf := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: u.Hostname()}
	if o.CAFile != "" {
		pem, err := os.ReadFile(o.CAFile)
		if err != nil {
			return "", nil, fmt.Errorf("mqttlink: CA file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return "", nil, fmt.Errorf("mqttlink: CA file %s: no PEM certificate in it", o.CAFile)
		}
		conf.RootCAs = pool
	}
	if (o.CertFile == "") != (o.KeyFile == "") {
		return "", nil, fmt.Errorf("mqttlink: client certificate and key go together: cert %q, key %q", o.CertFile, o.KeyFile)
	}
	if o.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(o.CertFile, o.KeyFile)
		if err != nil {
			return "", nil, fmt.Errorf("mqttlink: client certificate %s: %w", o.CertFile, err)
		}
		conf.Certificates = []tls.Certificate{cert}
	}
	return "ssl://" + host, conf, nil
}

// WaitConnected waits until the link is up or ctx ends.
func (l *Link) WaitConnected(ctx context.Context) error {
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for !l.c.IsConnectionOpen() {
		select {
		case <-ctx.Done():
			return fmt.Errorf("mqttlink: waiting for the broker: %w", ctx.Err())
		case <-t.C:
		}
	}
	return nil
}

// Connected reports whether the link is up now.
func (l *Link) Connected() bool { return l.c.IsConnectionOpen() }

// Subscribe subscribes to filter (MQTT wildcards + and # allowed) and
// remembers it, so it is made again after every reconnect. When the link
// is down it returns nil and subscribes on the next connect.
func (l *Link) Subscribe(ctx context.Context, filter string, qos byte, h Handler) error {
	l.mu.Lock()
	l.subs[filter] = sub{qos, h}
	l.mu.Unlock()
	if !l.c.IsConnectionOpen() {
		return nil
	}
	return wait(ctx, l.c.Subscribe(filter, qos, l.deliver(h)), "subscribe "+filter)
}

// resubscribe makes every remembered subscription again (the session is
// clean, so the broker forgot them). The broker then sends the retained
// messages again.
func (l *Link) resubscribe() {
	l.mu.Lock()
	filters := make(map[string]byte, len(l.subs))
	cbs := make(map[string]mqtt.MessageHandler, len(l.subs))
	for f, s := range l.subs {
		filters[f] = s.qos
		cbs[f] = l.deliver(s.h)
	}
	l.mu.Unlock()
	for f, qos := range filters {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		err := wait(ctx, l.c.Subscribe(f, qos, cbs[f]), "subscribe "+f)
		cancel()
		if err != nil {
			l.log.Warn("resubscribe failed", "filter", f, "err", err)
		}
	}
}

func (l *Link) deliver(h Handler) mqtt.MessageHandler {
	return func(_ mqtt.Client, m mqtt.Message) {
		msg := Message{Topic: m.Topic(), Payload: m.Payload(), Retained: m.Retained()}
		if len(msg.Payload) == 0 {
			l.mu.Lock()
			if q := l.dropped[msg.Topic]; len(q) > 0 {
				msg.Dropped = q[0]
				if len(q) == 1 {
					delete(l.dropped, msg.Topic)
				} else {
					l.dropped[msg.Topic] = q[1:]
				}
			}
			l.mu.Unlock()
		}
		h(msg)
	}
}

// Publish sends payload to topic and waits for the broker's
// acknowledgement (QoS 1 and 2) or ctx. A retained message with an empty
// payload clears the topic's retained message.
func (l *Link) Publish(ctx context.Context, topic string, qos byte, retained bool, payload []byte) error {
	if !l.c.IsConnectionOpen() {
		return fmt.Errorf("publish %s: %w", topic, ErrNotConnected)
	}
	return wait(ctx, l.c.Publish(topic, qos, retained, payload), "publish "+topic)
}

// Close disconnects cleanly (the broker does not publish the will) after
// at most 250 ms for work in flight.
func (l *Link) Close() { l.c.Disconnect(250) }

func wait(ctx context.Context, t mqtt.Token, what string) error {
	select {
	case <-t.Done():
		if err := t.Error(); err != nil {
			return fmt.Errorf("mqttlink: %s: %w", what, err)
		}
		if st, ok := t.(*mqtt.SubscribeToken); ok {
			for f, code := range st.Result() {
				if code == 0x80 {
					return fmt.Errorf("mqttlink: %s: the broker refused the subscription to %s", what, f)
				}
			}
		}
		return nil
	case <-ctx.Done():
		return fmt.Errorf("mqttlink: %s: %w", what, ctx.Err())
	}
}
