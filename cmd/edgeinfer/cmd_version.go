package main

import (
	"context"
	"fmt"
	"io"
	goruntime "runtime"
	"runtime/debug"
)

// version is set at build time: go build -ldflags "-X main.version=v1.2.3".
var version = "dev"

func cmdVersion(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newFlags("version", "version", `
Version prints edgeinfer's version (set at build time by the Makefile from
git describe), the source revision when the build recorded it, the Go
version it was built with, and the platform it was built for.`, `
edgeinfer version
# edgeinfer v0.1.0-3-g8edfba9
# go1.26.8 linux/arm64`)
	if _, err := f.parse(args, stdout, 0, 0); err != nil {
		return helpDone(err)
	}
	fmt.Fprintf(stdout, "edgeinfer %s\n", version)
	if rev := revision(); rev != "" {
		fmt.Fprintf(stdout, "revision %s\n", rev)
	}
	fmt.Fprintf(stdout, "%s %s/%s\n", goruntime.Version(), goruntime.GOOS, goruntime.GOARCH)
	return nil
}

// revision returns the VCS revision recorded in the binary, with "+dirty"
// for a build from a modified work tree, or "".
func revision() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	var rev, dirty string
	for _, s := range bi.Settings {
		switch {
		case s.Key == "vcs.revision":
			rev = s.Value
		case s.Key == "vcs.modified" && s.Value == "true":
			dirty = "+dirty"
		}
	}
	if rev == "" {
		return ""
	}
	return rev + dirty
}
