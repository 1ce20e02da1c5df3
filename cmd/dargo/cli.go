package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// runFunc runs a command once its flags are parsed; args are its
// positional arguments, already checked.
type runFunc func(ctx context.Context, env *Env, args []string) error

// noFlags is the bind of a command without flags.
func noFlags(run runFunc) func(*flag.FlagSet) runFunc {
	return func(*flag.FlagSet) runFunc { return run }
}

// withFlags is the bind of a command whose flags fill an options value:
// declare puts them on the flag set, run gets them parsed.
func withFlags[O any](declare func(*O, *flag.FlagSet), run func(context.Context, *Env, *O, []string) error) func(*flag.FlagSet) runFunc {
	return func(fs *flag.FlagSet) runFunc {
		o := new(O)
		declare(o, fs)
		return func(ctx context.Context, env *Env, args []string) error { return run(ctx, env, o, args) }
	}
}

// argRule checks a command's positional arguments before anything runs; a
// nil rule allows none.
type argRule func(args []string) error

// anyArgs allows any positional arguments, none too.
func anyArgs([]string) error { return nil }

// oneArg wants exactly one positional argument, called name in messages.
func oneArg(name string) argRule {
	return func(args []string) error {
		switch {
		case len(args) == 0:
			return fmt.Errorf("want %s, got none", name)
		case len(args) > 1:
			return fmt.Errorf("want one %s, got also %q", name, args[1:])
		}
		return nil
	}
}

// someArgs wants one positional argument or more, called name in messages.
func someArgs(name string) argRule {
	return func(args []string) error {
		if len(args) == 0 {
			return fmt.Errorf("want %s..., got none", name)
		}
		return nil
	}
}

// usageError is a command line dargo cannot make sense of: the command
// ran nothing, and exits 2 with its usage.
type usageError struct {
	path string // "staff add"; "" for dargo itself
	err  error
}

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// usagef is a usage error a command's run func returns for flag values
// that do not go together or are missing (the path is filled in by run).
func usagef(format string, a ...any) error {
	return &usageError{err: fmt.Errorf(format, a...)}
}

// invocation is a command line resolved: the command (a subcommand, for
// staff add and the like), its run func with the flags parsed, and the
// positional arguments.
type invocation struct {
	top  *command // the top-level command: its rules on configuration and secret hold
	cmd  *command
	path string // "staff add"
	run  runFunc
	args []string
	help bool // -h or --help: print the command's help, run nothing
}

// resolve finds the command args name, parses its flags and checks its
// positional arguments. It runs nothing and reads no configuration.
func resolve(args []string) (*invocation, error) {
	top := findCommand(commands, args[0])
	if top == nil {
		return nil, unknownCommand(args[0])
	}
	inv := &invocation{top: top, cmd: top, path: top.name}
	args = args[1:]
	for len(inv.cmd.sub) > 0 {
		switch {
		case len(args) == 0:
			return nil, &usageError{inv.path, fmt.Errorf("want a command: %s", subNames(inv.cmd))}
		case isHelpFlag(args[0]):
			inv.help = true
			return inv, nil
		case strings.HasPrefix(args[0], "-"):
			return nil, &usageError{inv.path, fmt.Errorf("unknown flag %s: give a command first (%s)", args[0], subNames(inv.cmd))}
		}
		sub := findCommand(inv.cmd.sub, args[0])
		if sub == nil {
			return nil, &usageError{inv.path, fmt.Errorf("unknown command %q: want %s", args[0], subNames(inv.cmd))}
		}
		inv.cmd, inv.path, args = sub, inv.path+" "+sub.name, args[1:]
	}
	fs := newFlagSet(inv.path)
	inv.run = inv.cmd.bind(fs)
	rest, err := parseInterleaved(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		inv.help = true
		return inv, nil
	}
	if err != nil {
		return nil, &usageError{inv.path, flagError(err, args)}
	}
	check := inv.cmd.args
	if check == nil {
		check = noArgs
	}
	if err := check(rest); err != nil {
		return nil, &usageError{inv.path, err}
	}
	inv.args = rest
	return inv, nil
}

// noArgs is the rule of a command without positional arguments.
func noArgs(args []string) error {
	if len(args) > 0 {
		return fmt.Errorf("unexpected argument %q", args[0])
	}
	return nil
}

// newFlagSet is a command's flag set: errors come back to resolve, which
// prints them; nothing is printed here.
func newFlagSet(path string) *flag.FlagSet {
	fs := flag.NewFlagSet("dargo "+path, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// parseInterleaved parses flags that may come before or after the
// positional arguments, which it returns; after "--" every argument is
// positional.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if consumed := len(args) - fs.NArg(); consumed > 0 && args[consumed-1] == "--" {
			return append(rest, fs.Args()...), nil
		}
		if fs.NArg() == 0 {
			return rest, nil
		}
		rest = append(rest, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// flagError names the flag as it was typed: the flag package says
// "-name" for --name.
func flagError(err error, args []string) error {
	name, ok := strings.CutPrefix(err.Error(), "flag provided but not defined: -")
	if !ok {
		return err
	}
	for _, a := range args {
		if typed, _, _ := strings.Cut(a, "="); strings.TrimLeft(typed, "-") == name {
			return fmt.Errorf("unknown flag %s", typed)
		}
	}
	return fmt.Errorf("unknown flag -%s", name)
}

// isHelpFlag reports whether a is one of the spellings of -h.
func isHelpFlag(a string) bool {
	switch a {
	case "-h", "--h", "-help", "--help":
		return true
	}
	return false
}

// findCommand is the command called name in list, or nil.
func findCommand(list []command, name string) *command {
	for i := range list {
		if list[i].name == name {
			return &list[i]
		}
	}
	return nil
}

// subNames lists c's subcommands: "add, remove or list".
func subNames(c *command) string {
	names := make([]string, len(c.sub))
	for i, s := range c.sub {
		names[i] = s.name
	}
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// unknownCommand is the usage error for a first argument that names no
// command, with the closest name when one is close.
func unknownCommand(name string) error {
	if strings.HasPrefix(name, "-") {
		return &usageError{err: fmt.Errorf("unknown flag %s", name)}
	}
	msg := fmt.Sprintf("unknown command %q", name)
	if near := nearest(name); near != "" {
		msg += fmt.Sprintf("; did you mean %q?", near)
	}
	return &usageError{err: errors.New(msg)}
}

// nearest is the command name closest to name: at most two edits away,
// or name is the start of it; "" when none is.
func nearest(name string) string {
	best, bestDist := "", 3
	for _, c := range commands {
		d := editDistance(name, c.name)
		if len(name) >= 2 && strings.HasPrefix(c.name, name) {
			d = min(d, 1)
		}
		if d < bestDist {
			best, bestDist = c.name, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// printUsageError tells what is wrong with the command line, the
// command's usage, and where its help is.
func printUsageError(w io.Writer, e *usageError) {
	if e.path == "" {
		fmt.Fprintf(w, "dargo: %v\nsee dargo help\n", e.err)
		return
	}
	fmt.Fprintf(w, "dargo %s: %v\n", e.path, e.err)
	if c := lookupPath(strings.Fields(e.path)); c != nil {
		fmt.Fprintf(w, "usage: %s\n", c.usage)
	}
	fmt.Fprintf(w, "see dargo help %s\n", e.path)
}

// lookupPath finds the command (or subcommand) a path of names leads to.
func lookupPath(names []string) *command {
	list := commands
	var c *command
	for _, n := range names {
		if c = findCommand(list, n); c == nil {
			return nil
		}
		list = c.sub
	}
	return c
}
