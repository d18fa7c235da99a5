// Command cross builds edgeinfer for every release target and runs tests
// for the arm targets under qemu user-mode emulation, from the table in
// package cross. The Makefile calls it:
//
//	go run ./cross/cmd/cross list
//	go run ./cross/cmd/cross build -o dist -ldflags "-X main.version=v1" ./cmd/edgeinfer
//	go run ./cross/cmd/cross test -short ./runtime/...
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"sync"

	"github.com/edgeinfer/edgeinfer/cross"
)

const usage = `usage:
	cross list
	cross build [-o DIR] [-ldflags FLAGS] [-targets NAME,...] PACKAGE
	cross test [-short] [-run REGEXP] [-targets NAME,...] PACKAGE...`

// errUsage is returned for a wrong command line; main prints the usage.
var errUsage = errors.New("wrong arguments")

func main() {
	err := run(os.Args[1:], os.Stdout, os.Stderr)
	if err == nil {
		return
	}
	fmt.Fprintf(os.Stderr, "cross: %v\n", err)
	if errors.Is(err, errUsage) {
		fmt.Fprintln(os.Stderr, usage)
	}
	os.Exit(2)
}

func run(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errUsage
	}
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", "dist", "output `directory` of build")
	ldflags := fs.String("ldflags", "", "linker flags of build")
	short := fs.Bool("short", false, "pass -short to go test")
	runRE := fs.String("run", "", "pass -run `regexp` to go test")
	only := fs.String("targets", "", "comma-separated target names (default: all for build, the tested ones for test)")
	if err := fs.Parse(args[1:]); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	targets, err := pick(*only, args[0] == "test")
	if err != nil {
		return err
	}
	switch args[0] {
	case "list":
		for _, t := range cross.Targets {
			fmt.Fprintf(stdout, "%-14s qemu=%-20s tested=%v\n", t.Name(), t.Qemu, t.Test)
		}
		return nil
	case "build":
		if fs.NArg() != 1 {
			return errUsage
		}
		return build(targets, fs.Arg(0), *out, *ldflags, stdout, stderr)
	case "test":
		if fs.NArg() == 0 {
			return errUsage
		}
		var extra []string
		if *short {
			extra = append(extra, "-short")
		}
		if *runRE != "" {
			extra = append(extra, "-run", *runRE)
		}
		return test(targets, append(extra, fs.Args()...), stdout, stderr)
	}
	return fmt.Errorf("%w: unknown subcommand %q", errUsage, args[0])
}

// pick returns the named targets, or by default all of them (tested ones
// only when tested is set).
func pick(names string, tested bool) ([]cross.Target, error) {
	var ts []cross.Target
	if names != "" {
		for _, n := range strings.Split(names, ",") {
			t, err := cross.Lookup(n)
			if err != nil {
				return nil, err
			}
			ts = append(ts, t)
		}
		return ts, nil
	}
	for _, t := range cross.Targets {
		if t.Test || !tested {
			ts = append(ts, t)
		}
	}
	return ts, nil
}

// build writes DIR/<package base>-<target> for every target.
func build(targets []cross.Target, pkg, dir, ldflags string, stdout, stderr io.Writer) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, t := range targets {
		bin := filepath.Join(dir, path.Base(pkg)+"-"+t.Name())
		cmd := exec.Command("go", "build", "-trimpath", "-ldflags", ldflags, "-o", bin, pkg)
		cmd.Env = append(os.Environ(), t.Env()...)
		cmd.Stdout, cmd.Stderr = stdout, stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("build %s for %s: %w", pkg, t.Name(), err)
		}
		st, err := os.Stat(bin)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%-36s %6.2f MiB\n", bin, float64(st.Size())/(1<<20))
	}
	return nil
}

// test runs go test for every target at once (each emulator is mostly one
// busy thread, so two targets use two cores): natively when the build
// machine has the target's architecture, under its qemu emulator
// otherwise. Each target's output is printed whole when it ends.
func test(targets []cross.Target, args []string, stdout, stderr io.Writer) error {
	type result struct {
		out bytes.Buffer
		err error
	}
	results := make([]result, len(targets))
	cmds := make([]*exec.Cmd, len(targets))
	for i, t := range targets {
		goArgs := []string{"test"}
		how := "natively"
		if !t.Native() {
			qemu, err := exec.LookPath(t.Qemu)
			if err != nil {
				return fmt.Errorf("testing %s needs %s (Debian package qemu-user-static): %w", t.Name(), t.Qemu, err)
			}
			goArgs = append(goArgs, "-exec", qemu)
			how = "under " + t.Qemu
		}
		goArgs = append(goArgs, args...)
		fmt.Fprintf(stdout, "=== %s tests %s: go %s\n", t.Name(), how, strings.Join(goArgs, " "))
		cmd := exec.Command("go", goArgs...)
		cmd.Env = append(os.Environ(), t.Env()...)
		cmd.Stdout, cmd.Stderr = &results[i].out, &results[i].out
		cmds[i] = cmd
	}
	var wg sync.WaitGroup
	for i, cmd := range cmds {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i].err = cmd.Run()
		}()
	}
	wg.Wait()
	var failed []string
	for i, t := range targets {
		fmt.Fprintf(stdout, "=== %s test output:\n%s", t.Name(), results[i].out.Bytes())
		if results[i].err != nil {
			failed = append(failed, t.Name())
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("tests failed on %s", strings.Join(failed, ", "))
	}
	return nil
}
