package server

import (
	"context"
	"net"
	"os"
	"sync"

	"golang.org/x/sys/unix"
)

// fdListener accepts connections that can carry a file descriptor with
// the request (SCM_RIGHTS): how a caller hands the agent a model file it
// opened with its own rights.
type fdListener struct{ net.Listener }

func (l fdListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if uc, ok := c.(*net.UnixConn); ok {
		return &fdConn{UnixConn: uc}, nil
	}
	return c, err
}

// fdConn is a connection whose reads keep the one file descriptor a
// caller may send along (further ones are closed: the receive buffer
// holds one, and the kernel closes those that do not fit).
type fdConn struct {
	*net.UnixConn
	mu   sync.Mutex
	file *os.File
	oob  [64]byte
}

// oobSpace is room for one descriptor's control message.
var oobSpace = unix.CmsgSpace(4)

func (c *fdConn) Read(b []byte) (int, error) {
	n, oobn, _, _, err := c.ReadMsgUnix(b, c.oob[:oobSpace])
	if oobn > 0 {
		c.keep(c.oob[:oobn])
	}
	return n, err
}

// keep takes the descriptors of a control message: the first is kept
// until taken (replacing an earlier one), the others are closed.
func (c *fdConn) keep(oob []byte) {
	msgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return
	}
	for _, m := range msgs {
		fds, err := unix.ParseUnixRights(&m)
		if err != nil {
			continue
		}
		for _, fd := range fds {
			c.mu.Lock()
			if c.file != nil {
				c.file.Close()
			}
			c.file = os.NewFile(uintptr(fd), "the caller's file")
			c.mu.Unlock()
		}
	}
}

// take returns the descriptor the caller sent, if any; the caller of take
// closes it.
func (c *fdConn) take() *os.File {
	c.mu.Lock()
	defer c.mu.Unlock()
	f := c.file
	c.file = nil
	return f
}

func (c *fdConn) Close() error {
	if f := c.take(); f != nil {
		f.Close()
	}
	return c.UnixConn.Close()
}

type connKey struct{}

// withConn is the part of http.Server.ConnContext that remembers the
// connection, for handlers that take its file descriptor.
func withConn(ctx context.Context, c net.Conn) context.Context {
	if fc, ok := c.(*fdConn); ok {
		return context.WithValue(ctx, connKey{}, fc)
	}
	return ctx
}

// passedFile returns the file descriptor sent with the request, or nil.
func passedFile(ctx context.Context) *os.File {
	if fc, ok := ctx.Value(connKey{}).(*fdConn); ok {
		return fc.take()
	}
	return nil
}
