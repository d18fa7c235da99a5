package main

import (
	"context"
	"io"
)

func cmdHelp(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newFlags("help", "help [COMMAND]", `
Help lists the commands, or explains one: its arguments, flags and an
example. "edgeinfer help run" is the same as "edgeinfer run --help".`, `
edgeinfer help bench`)
	pos, err := f.parse(args, stdout, 0, 1)
	if err != nil {
		return helpDone(err)
	}
	if len(pos) == 0 {
		printCommands(stdout)
		return nil
	}
	c := lookup(pos[0])
	if c == nil {
		return usagef("unknown command %q", pos[0])
	}
	return c.run(ctx, []string{"--help"}, stdout, stderr)
}
