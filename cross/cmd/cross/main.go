// Command cross builds edgeinfer for every release target, runs tests for
// the arm targets under qemu user-mode emulation, and makes the Debian
// packages, from the table in package cross. The Makefile calls it:
//
//	go run ./cross/cmd/cross list
//	go run ./cross/cmd/cross build -o dist -ldflags "-X main.version=v1" ./cmd/edgeinfer
//	go run ./cross/cmd/cross test -short ./runtime/...
//	go run ./cross/cmd/cross deb -out dist -version v1.2.0
package main

import (
	"bytes"
	"context"
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
	cross test [-short] [-run REGEXP] [-targets NAME,...] PACKAGE...
	cross deb [-out DIR] [-version V] [-ldflags FLAGS] [-maintainer "NAME <EMAIL>"] [-targets NAME,...]`

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
	out := fs.String("o", "dist", "output `directory` of build and deb")
	fs.StringVar(out, "out", "dist", "same as -o")
	ldflags := fs.String("ldflags", "", "linker flags of build and deb (deb default: -s -w -X main.version=VERSION)")
	version := fs.String("version", "", "version of deb, a tag like v1.2.3 or git describe output (default: git describe)")
	maintainer := fs.String("maintainer", cross.DefaultMaintainer, "Maintainer field of deb")
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
	case "deb":
		if fs.NArg() != 0 {
			return errUsage
		}
		return deb(context.Background(), targets, *out, *version, *ldflags, *maintainer, stdout, stderr)
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
		if err := cross.Build(context.Background(), t, pkg, bin, ldflags, stdout, stderr); err != nil {
			return err
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

// deb builds edgeinfer for every target and writes its Debian package,
// DIR/edgeinfer_VERSION_ARCH.deb, printing each package's size.
func deb(ctx context.Context, targets []cross.Target, dir, version, ldflags, maintainer string, stdout, stderr io.Writer) error {
	for _, t := range targets {
		if t.DebArch() == "" {
			return fmt.Errorf("deb: Debian has no architecture for %s", t.Name())
		}
	}
	if version == "" {
		var err error
		if version, err = cross.GitDescribe(ctx); err != nil {
			return fmt.Errorf("deb: %w (or give -version)", err)
		}
	}
	date, err := cross.SourceDate(ctx)
	if err != nil {
		return fmt.Errorf("deb: %w", err)
	}
	debVersion, err := cross.DebVersion(version, date)
	if err != nil {
		return fmt.Errorf("deb: %w", err)
	}
	if ldflags == "" {
		ldflags = "-s -w -X main.version=" + version
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, t := range targets {
		bin := filepath.Join(dir, "edgeinfer-"+t.Name())
		if err := cross.Build(ctx, t, "github.com/edgeinfer/edgeinfer/cmd/edgeinfer", bin, ldflags, stdout, stderr); err != nil {
			return err
		}
		b, err := os.ReadFile(bin)
		if err != nil {
			return err
		}
		d := cross.Deb{Target: t, Version: debVersion, Maintainer: maintainer, Date: date, Binary: b}
		var pkg bytes.Buffer
		if err := d.Write(&pkg); err != nil {
			return err
		}
		file := filepath.Join(dir, d.FileName())
		if err := os.WriteFile(file, pkg.Bytes(), 0o644); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s: %.2f MiB (%s, binary %.2f MiB)\n", file, float64(pkg.Len())/(1<<20), t.DebArch(), float64(len(b))/(1<<20))
	}
	return nil
}
