package client_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/client"
)

// hostileAgent listens on a socket and answers every request with the
// status line and headers given, then streams zeros until the client
// goes away (no Content-Length, or a false one).
func hostileAgent(t *testing.T, header string) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "eihostile")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	sock := filepath.Join(dir, "s")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				c.Read(make([]byte, 4096))
				fmt.Fprint(c, header)
				zeros := make([]byte, 1<<16)
				for {
					if _, err := c.Write(zeros); err != nil {
						return
					}
				}
			}()
		}
	}()
	return sock
}

// TestClientBoundsTheAnswer: an agent (or an impostor on the socket)
// that sends an endless or oversized answer gets an error once the
// client's MaxAnswerBytes is passed, not the client's memory.
func TestClientBoundsTheAnswer(t *testing.T) {
	for _, tc := range []struct{ name, header, want string }{
		{"endless chunk-less answer", "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n", "longer than the client's limit of 1048576 bytes"},
		{"declared too long", "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 10000000000\r\n\r\n", "has 10000000000 bytes, more than the client's limit of 1048576"},
		{"endless error", "HTTP/1.1 500 Oops\r\nConnection: close\r\n\r\n", "longer than the client's limit"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &client.Client{Socket: hostileAgent(t, tc.header), MaxAnswerBytes: 1 << 20}
			_, err := c.Models(context.Background())
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%v, want an error saying %q", err, tc.want)
			}
			var e *client.Error
			if errors.As(err, &e) {
				t.Errorf("the limit error is an agent error %v", e)
			}
		})
	}
}

// TestInstallNeedsARegularFile: the client opens the file itself (with the
// caller's rights) and sends only regular files.
func TestInstallNeedsARegularFile(t *testing.T) {
	var c client.Client
	for _, tc := range []struct{ path, want string }{
		{"/nonexistent/model.tflite", "no such file or directory"},
		{"/dev/zero", "is not a regular file"},
		{t.TempDir(), "is not a regular file"},
	} {
		_, err := c.Install(context.Background(), "m", tc.path)
		var e *client.Error
		if err == nil || !strings.Contains(err.Error(), tc.want) || errors.As(err, &e) {
			t.Errorf("%s: %v, want the client's own error saying %q", tc.path, err, tc.want)
		}
	}
}
