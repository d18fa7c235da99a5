// Command edgeinfer is edgeinfer's one static binary: the agent that serves
// TensorFlow Lite models to local apps on a Unix socket, the tools that talk
// to it, the tools for model updates and the fleet hub, and the engine's
// own tools.
//
// The agent and its clients: agent (the daemon: registry, hot swap,
// scheduler, cache, model updates over MQTT, telemetry), infer (one
// request over the socket) and models (the agent's models and their
// state). Model updates and the fleet: keygen (a signing key pair), push
// (sign a model version and publish it), fleet (every device's status) and
// hub (the small collector, blob store and dashboard). The engine, without
// an agent: run (a model on tensor files), inspect (inputs, outputs,
// operators, metadata), bench (latency, memory, per-operator profile),
// compress (smaller weights) and platform (the detected board and the
// defaults it implies). Builds for small boards may leave out the model
// updates (tag noota) or the hub (tag nohub).
//
// This package is the composition root: it parses flags and the
// configuration file, builds the packages and wires them together; the
// domain logic lives in those packages. "edgeinfer help COMMAND" explains
// each command.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
)

// A command is one subcommand. Its run function parses its own flags from
// args and returns an error to print once; a usageError exits with 2.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

// commands is the command table, in the order "edgeinfer help" lists it
// (commandOrder). Commands a build may leave out (tags noota, nohub) add
// themselves from their own files with addCommands.
var commands []command

// commandOrder is the order of the command table.
var commandOrder = []string{"agent", "run", "inspect", "bench", "compress", "infer", "models", "keygen", "push", "fleet", "platform", "hub", "version", "help"}

func init() {
	addCommands(
		command{"agent", "run the daemon: serve models to local apps on a Unix socket", cmdAgent},
		command{"run", "run a model on raw tensor files and write its outputs", cmdRun},
		command{"inspect", "show a model's inputs, outputs, operators and whether they are supported", cmdInspect},
		command{"bench", "measure load time, latency, allocations and memory of a model", cmdBench},
		command{"infer", "send an inference request to the running agent and print the outputs", cmdInfer},
		command{"models", "list the running agent's models with their state and latency", cmdModels},
		command{"platform", "show the detected board, CPU, memory, thermal state and defaults", cmdPlatform},
		command{"version", "print the version, Go version and platform", cmdVersion},
		command{"help", "explain a command", cmdHelp},
	)
}

// addCommands puts cs into the command table at their places.
func addCommands(cs ...command) {
	commands = append(commands, cs...)
	slices.SortStableFunc(commands, func(a, b command) int {
		return slices.Index(commandOrder, a.name) - slices.Index(commandOrder, b.name)
	})
}

func lookup(name string) *command {
	for i := range commands {
		if commands[i].name == name {
			return &commands[i]
		}
	}
	return nil
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run dispatches args to a command and returns the process exit code: 0 on
// success, 1 when the command failed, 2 for a usage error.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		printCommands(stderr)
		return 2
	}
	name := args[0]
	if name == "-h" || name == "-help" || name == "--help" {
		printCommands(stdout)
		return 0
	}
	c := lookup(name)
	if c == nil {
		fmt.Fprintf(stderr, "edgeinfer: unknown command %q; run 'edgeinfer help' for the list\n", name)
		return 2
	}
	err := c.run(ctx, args[1:], stdout, stderr)
	if err == nil {
		return 0
	}
	var ue usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(stderr, "edgeinfer %s: %v\nrun 'edgeinfer %s --help' for usage\n", c.name, ue.err, c.name)
		return 2
	}
	fmt.Fprintf(stderr, "edgeinfer %s: %v\n", c.name, err)
	return 1
}

func printCommands(w io.Writer) {
	fmt.Fprintf(w, "edgeinfer runs TensorFlow Lite models with its own Go engine.\n\nUsage:\n\n\tedgeinfer <command> [arguments]\n\nCommands:\n\n")
	for _, c := range commands {
		fmt.Fprintf(w, "\t%-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, "\nRun 'edgeinfer <command> --help' for a command's flags and an example.\n")
}

// usageError is a mistake in the command line: unknown flag, missing or
// extra argument. It makes the process exit with 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// A cmdFlags is a command's flag set together with the text of its help.
type cmdFlags struct {
	*flag.FlagSet
	synopsis string // "run MODEL.tflite --input IN.bin ..."
	about    string // paragraph(s) after the synopsis
	example  string // one or more command lines, with comments
}

func newFlags(name, synopsis, about, example string) *cmdFlags {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return &cmdFlags{FlagSet: fs, synopsis: synopsis, about: about, example: example}
}

// printHelp writes the command's help: synopsis, description, flags and
// example.
func (f *cmdFlags) printHelp(w io.Writer) {
	fmt.Fprintf(w, "Usage: edgeinfer %s\n\n%s\n", f.synopsis, strings.TrimSpace(f.about))
	n := 0
	f.VisitAll(func(*flag.Flag) { n++ })
	if n > 0 {
		fmt.Fprintf(w, "\nFlags:\n")
		f.SetOutput(w)
		f.PrintDefaults()
		f.SetOutput(io.Discard)
	}
	fmt.Fprintf(w, "\nExample:\n\n%s\n", indent(strings.TrimSpace(f.example)))
}

func indent(s string) string {
	return "\t" + strings.ReplaceAll(s, "\n", "\n\t")
}

// errHelpShown means --help was asked for and the help was printed; the
// command returns nil.
var errHelpShown = errors.New("help shown")

// parse parses args, allowing flags after positional arguments
// ("run MODEL --input x"), and checks the number of positional arguments.
// After "--" everything is positional. On --help it prints the help to
// stdout and returns errHelpShown.
func (f *cmdFlags) parse(args []string, stdout io.Writer, minArgs, maxArgs int) ([]string, error) {
	var pos []string
	for {
		if err := f.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				f.printHelp(stdout)
				return nil, errHelpShown
			}
			return nil, usageError{err}
		}
		rest := f.Args()
		consumed := len(args) - len(rest)
		if len(rest) == 0 {
			break
		}
		if consumed > 0 && args[consumed-1] == "--" {
			pos = append(pos, rest...)
			break
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
	switch {
	case len(pos) < minArgs:
		return nil, usagef("missing argument: want %s", f.synopsis)
	case maxArgs >= 0 && len(pos) > maxArgs:
		return nil, usagef("unexpected argument %q", pos[maxArgs])
	}
	return pos, nil
}

// helpDone turns errHelpShown into success.
func helpDone(err error) error {
	if errors.Is(err, errHelpShown) {
		return nil
	}
	return err
}

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string { return strings.Join(*l, ",") }

func (l *stringList) Set(s string) error {
	*l = append(*l, s)
	return nil
}
