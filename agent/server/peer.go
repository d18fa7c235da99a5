package server

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"runtime"
)

// peer is the caller at the other end of a socket connection.
type peer struct {
	uid, gid, pid int
	groups        []int // supplementary groups, when they could be read
	groupsErr     error // why they could not
	err           error // why the credentials are unknown
}

type peerKey struct{}

// withPeer is http.Server.ConnContext: it reads the credentials of the
// process that connected, once per connection.
func withPeer(ctx context.Context, c net.Conn) context.Context {
	if fc, ok := c.(*fdConn); ok {
		c = fc.UnixConn
	}
	uc, ok := c.(*net.UnixConn)
	if !ok {
		return context.WithValue(ctx, peerKey{}, peer{err: fmt.Errorf("not a unix socket connection (%T)", c)})
	}
	p, err := peerCred(uc)
	if err != nil {
		p = peer{err: err}
	}
	return context.WithValue(ctx, peerKey{}, p)
}

// checkAdmin lets the request through only when its caller is an admin:
// root, the agent's own user, or a uid or group of Options.AdminUIDs and
// AdminGIDs.
func (h *handler) checkAdmin(r *http.Request) error {
	p, ok := r.Context().Value(peerKey{}).(peer)
	if !ok || p.err != nil {
		why := "unknown"
		if ok {
			why = p.err.Error()
		}
		return errorf(http.StatusForbidden, "admin endpoint: the caller's credentials cannot be read on %s: %s", runtime.GOOS, why)
	}
	if h.isAdmin(p.uid, append([]int{p.gid}, p.groups...)) {
		return nil
	}
	why := ""
	if p.groupsErr != nil {
		why = "; supplementary groups unknown: " + p.groupsErr.Error()
	}
	return errorf(http.StatusForbidden, "admin endpoint: uid %d (gid %d) is not allowed (admins: uid 0, uid %d, uids %v, gids %v)%s",
		p.uid, p.gid, h.self, h.o.AdminUIDs, h.o.AdminGIDs, why)
}
