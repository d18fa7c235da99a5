package server

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"unsafe"

	"golang.org/x/sys/unix"
)

// peerCred reads the connecting process's uid, gid and pid with
// SO_PEERCRED and its supplementary groups with SO_PEERGROUPS. The kernel
// fixed both when the caller connected, so neither the caller (changing
// its groups, exiting so that its pid is reused) nor a race with
// /proc/PID can change what the agent sees later.
func peerCred(c *net.UnixConn) (peer, error) {
	raw, err := c.SyscallConn()
	if err != nil {
		return peer{}, fmt.Errorf("peer credentials: %w", err)
	}
	var cred *unix.Ucred
	var groups []byte
	var credErr, groupsErr error
	if err := raw.Control(func(fd uintptr) {
		cred, credErr = unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED)
		groups, groupsErr = getPeerGroups(fd)
	}); err != nil {
		return peer{}, fmt.Errorf("peer credentials: %w", err)
	}
	if credErr != nil {
		return peer{}, fmt.Errorf("peer credentials: SO_PEERCRED: %w", credErr)
	}
	p := peer{uid: int(cred.Uid), gid: int(cred.Gid), pid: int(cred.Pid)}
	if groupsErr != nil {
		// Admin by supplementary group is not granted; by uid and primary
		// gid it still is.
		p.groupsErr = fmt.Errorf("SO_PEERGROUPS: %w", groupsErr)
	} else {
		p.groups = peerGroups(groups)
	}
	return p, nil
}

// getPeerGroups reads SO_PEERGROUPS (unix.GetsockoptString would cut the
// binary array at its first zero byte). When the caller has more groups
// than the first buffer holds, the kernel says how many and it reads again.
func getPeerGroups(fd uintptr) ([]byte, error) {
	buf := make([]byte, 64*4)
	for range 2 {
		n := uint32(len(buf))
		_, _, errno := unix.Syscall6(unix.SYS_GETSOCKOPT, fd, unix.SOL_SOCKET, unix.SO_PEERGROUPS,
			uintptr(unsafe.Pointer(&buf[0])), uintptr(unsafe.Pointer(&n)), 0)
		switch {
		case errno == 0:
			return buf[:n], nil
		case errno == unix.ERANGE && n > uint32(len(buf)) && n <= 65536*4:
			buf = make([]byte, n)
		default:
			return nil, errno
		}
	}
	return nil, errors.New("the group list kept growing")
}

// peerGroups decodes SO_PEERGROUPS: an array of gid_t (uint32, native byte
// order).
func peerGroups(b []byte) []int {
	gids := make([]int, 0, len(b)/4)
	for ; len(b) >= 4; b = b[4:] {
		gids = append(gids, int(binary.NativeEndian.Uint32(b)))
	}
	return gids
}
