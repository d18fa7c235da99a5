package cross

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
)

// Build compiles the Go package pkg into the static binary bin for target
// t (go build -trimpath with ldflags, in the environment of t.Env), with
// go's output to stdout and stderr.
func Build(ctx context.Context, t Target, pkg, bin, ldflags string, stdout, stderr io.Writer) error {
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-ldflags", ldflags, "-o", bin, pkg)
	cmd.Env = append(os.Environ(), t.Env()...)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("build %s for %s: %w", pkg, t.Name(), err)
	}
	return nil
}
