package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/dargo-support/dargo/internal/metrics"
)

// helpWidth is where help wraps a command's description.
const helpWidth = 80

// printOverview is `dargo help`: every command, then every setting.
func printOverview(w io.Writer) {
	fmt.Fprintln(w, "dargo: an email-first support desk.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands (dargo help COMMAND, or dargo COMMAND --help, tells more):")
	width := 0
	for _, c := range commands {
		width = max(width, len(c.usage))
	}
	for _, c := range commands {
		fmt.Fprintf(w, "  %-*s  %s\n", width, c.usage, c.doc)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Exit status: 0 done, 1 the command failed, 2 a usage or configuration error.")
	fmt.Fprintln(w)
	printSettings(w)
}

// printHelp is one command's help: its usage, what it does, and its
// flags or subcommands. It declares the flags on a flag set of its own and
// runs nothing.
func printHelp(w io.Writer, c *command, path string) {
	fmt.Fprintf(w, "usage: %s\n\n", c.usage)
	fmt.Fprintln(w, wrap(c.doc, helpWidth))
	if len(c.sub) > 0 {
		fmt.Fprintln(w)
		fmt.Fprintln(w, "Commands:")
		width := 0
		for _, s := range c.sub {
			width = max(width, len(s.usage))
		}
		for _, s := range c.sub {
			fmt.Fprintf(w, "  %-*s  %s\n", width, s.usage, s.doc)
		}
		fmt.Fprintf(w, "\nsee dargo help %s %s for a command's flags\n", path, c.sub[0].name)
		return
	}
	fs := newFlagSet(path)
	c.bind(fs)
	printFlags(w, fs)
}

// printFlags lists a flag set's flags, aligned: --name VALUE, what it
// does, and its default unless that is the zero value.
func printFlags(w io.Writer, fs *flag.FlagSet) {
	type row struct{ name, doc string }
	var rows []row
	width := 0
	fs.VisitAll(func(f *flag.Flag) {
		value, doc := flag.UnquoteUsage(f)
		name := "--" + f.Name
		if value != "" {
			name += " " + value
		}
		switch f.DefValue {
		case "", "0", "false", "0s", "[]":
		default:
			doc += fmt.Sprintf(" (default %s)", f.DefValue)
		}
		rows = append(rows, row{name, doc})
		width = max(width, len(name))
	})
	if len(rows) == 0 {
		return
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Flags:")
	for _, r := range rows {
		fmt.Fprintf(w, "  %-*s  %s\n", width, r.name, r.doc)
	}
}

// wrap breaks s into lines of at most width bytes, at spaces.
func wrap(s string, width int) string {
	var b strings.Builder
	line := 0
	for i, word := range strings.Fields(s) {
		switch {
		case i == 0:
		case line+1+len(word) > width:
			b.WriteByte('\n')
			line = 0
		default:
			b.WriteByte(' ')
			line++
		}
		b.WriteString(word)
		line += len(word)
	}
	return b.String()
}

// runHelp is `dargo help [COMMAND [SUBCOMMAND]]`.
func runHelp(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 {
		printOverview(env.Stdout)
		return nil
	}
	c := lookupPath(args)
	if c == nil {
		if findCommand(commands, args[0]) == nil {
			return unknownCommand(args[0])
		}
		return usagef("no command %q", "dargo "+strings.Join(args, " "))
	}
	printHelp(env.Stdout, c, strings.Join(args, " "))
	return nil
}

// runVersion is `dargo version`: what was built, from which commit, with
// which Go.
func runVersion(ctx context.Context, env *Env, args []string) error {
	b := metrics.ReadBuild()
	_, err := fmt.Fprintf(env.Stdout, "version   %s\ncommit    %s\ntime      %s\nmodified  %t\ngo        %s\n",
		b.Version, b.Commit, b.Time, b.Modified, b.GoVersion)
	return err
}
