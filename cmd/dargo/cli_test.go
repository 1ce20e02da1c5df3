package main

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

// garbageEnv is a configuration that LoadConfig refuses on every count it
// can: help and version must not care.
var garbageEnv = map[string]string{
	"DARGO_LOG_LEVEL":          "loud",
	"DARGO_HTTP_ADDR":          "nonsense",
	"DARGO_QUEUES":             "critical=high",
	"DARGO_WORKER_CONCURRENCY": "-3",
	"DARGO_SQS_VISIBILITY":     "forever",
	"DARGO_MAILER":             "pigeon",
	"DARGO_FROM":               "not an address",
	"DARGO_DATABASE_URL":       "mysql://nope",
	"DARGO_SECRET":             "short",
}

// runDargo runs dargo in this process and returns stdout, stderr and the
// exit status. The process's default logger, which a command sets, is put
// back.
func runDargo(t *testing.T, env map[string]string, args ...string) (string, string, int) {
	t.Helper()
	defer slog.SetDefault(slog.Default())
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(""), &stdout, &stderr, func(k string) string { return env[k] })
	return stdout.String(), stderr.String(), code
}

// commandPath is one command or subcommand, as its names.
type commandPath struct {
	names []string
	cmd   *command
}

// everyCommand lists every command and subcommand in the table.
func everyCommand() []commandPath {
	var all []commandPath
	for i := range commands {
		c := &commands[i]
		all = append(all, commandPath{[]string{c.name}, c})
		for j := range c.sub {
			all = append(all, commandPath{[]string{c.name, c.sub[j].name}, &c.sub[j]})
		}
	}
	return all
}

// helpForms are the ways to ask for a command's help.
func helpForms(names []string) [][]string {
	return [][]string{
		append(append([]string{}, names...), "--help"),
		append(append([]string{}, names...), "-h"),
		append([]string{"help"}, names...),
	}
}

// TestHelpForEveryCommand: --help, -h and dargo help CMD print the same
// help for every command and subcommand, exit 0 and read no configuration
// (this one is refused on every count).
func TestHelpForEveryCommand(t *testing.T) {
	for _, p := range everyCommand() {
		t.Run(strings.Join(p.names, "_"), func(t *testing.T) {
			var first string
			for _, args := range helpForms(p.names) {
				out, errOut, code := runDargo(t, garbageEnv, args...)
				if code != 0 || errOut != "" || !strings.HasPrefix(out, "usage: "+p.cmd.usage+"\n") {
					t.Errorf("%q: exit %d, stderr %q, stdout:\n%s\nwant exit 0 and the usage %q", args, code, errOut, out, p.cmd.usage)
				}
				if first == "" {
					first = out
				} else if out != first {
					t.Errorf("%q prints another help:\n%s\nthan %q:\n%s", args, out, helpForms(p.names)[0], first)
				}
			}
		})
	}
}

// TestHelpLooksRight: a command's help has its usage, its description
// and every flag, aligned; a command with subcommands lists them.
func TestHelpLooksRight(t *testing.T) {
	out, _, _ := runDargo(t, nil, "help", "broadcast")
	for _, want := range []string{
		"usage: dargo broadcast --subject S --body-file F | --resume ID | --list\n\nmail a notice",
		"\nFlags:\n",
		"\n  --again        send even though",
		"\n  --batch N      queue N recipients per transaction (default 500)\n",
		"\n  --body-file F  File with the mail's text",
		"\n  --pause D      wait D between batches",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("dargo help broadcast lacks %q:\n%s", want, out)
		}
	}
	out, _, _ = runDargo(t, nil, "staff", "--help")
	for _, want := range []string{
		"\nCommands:\n  dargo staff add EMAIL [--admin]  give EMAIL staff rights",
		"\n  dargo staff list                 print staff",
		"\nsee dargo help staff add for a command's flags\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("dargo staff --help lacks %q:\n%s", want, out)
		}
	}
	if out, _, _ := runDargo(t, nil, "migrate", "--help"); strings.Contains(out, "Flags:") {
		t.Errorf("dargo migrate has no flags but its help lists some:\n%s", out)
	}
}

// TestHelpAnywhere: -h after positional arguments or other flags still
// asks for help, and runs nothing.
func TestHelpAnywhere(t *testing.T) {
	dbFile := filepath.Join(t.TempDir(), "d.db")
	env := map[string]string{"DARGO_DATABASE_URL": "sqlite:" + dbFile, "DARGO_SECRET": testSecret}
	for _, args := range [][]string{
		{"staff", "add", "ada@example.com", "-h"},
		{"staff", "add", "--admin", "--help", "ada@example.com"},
		{"ingest", "testdata/new.eml", "--help"},
		{"policy", "publish", "--kind", "privacy", "-", "-help"},
		{"worker", "--concurrency", "3", "-h"},
		{"help", "--help"},
	} {
		out, errOut, code := runDargo(t, env, args...)
		if code != 0 || errOut != "" || !strings.HasPrefix(out, "usage: dargo ") {
			t.Errorf("%q: exit %d, stderr %q, stdout %q", args, code, errOut, out)
		}
	}
	if _, err := os.Stat(dbFile); !os.IsNotExist(err) {
		t.Errorf("help opened the database (%v)", err)
	}
	// After --, -h is an argument like any other: here, the file to ingest.
	if _, errOut, code := runDargo(t, env, "ingest", "--", "-h"); code != 1 || !strings.Contains(errOut, "-h: no such file") {
		t.Errorf("ingest -- -h: exit %d, %q; want the file -h not found", code, errOut)
	}
}

// TestOverview: dargo, dargo -h, --help and help print the commands,
// their descriptions in one column, then the settings.
func TestOverview(t *testing.T) {
	out, errOut, code := runDargo(t, garbageEnv)
	if code != 0 || errOut != "" {
		t.Fatalf("dargo: exit %d, %s", code, errOut)
	}
	for _, args := range [][]string{{"-h"}, {"--help"}, {"-help"}, {"help"}} {
		if again, _, code := runDargo(t, garbageEnv, args...); code != 0 || again != out {
			t.Errorf("%q: exit %d, another text:\n%s", args, code, again)
		}
	}
	width := 0
	for _, c := range commands {
		width = max(width, len(c.usage))
	}
	for _, c := range commands {
		if line := "\n  " + c.usage + strings.Repeat(" ", width-len(c.usage)) + "  " + c.doc + "\n"; !strings.Contains(out, line) {
			t.Errorf("the overview lacks the aligned line %q", line)
		}
	}
	for _, s := range settings {
		if !regexp.MustCompile(`\n  ` + s.name + ` +\S`).MatchString(out) {
			t.Errorf("the overview lacks %s", s.name)
		}
	}
	if !strings.Contains(out, "Exit status: 0 done, 1 the command failed, 2 a usage or configuration error.") {
		t.Errorf("the overview does not explain the exit status")
	}
}

// TestUsageErrors: unknown flags, subcommands, commands and unexpected
// arguments exit 2 naming what was wrong and where help is, before any
// configuration is read or anything is opened.
func TestUsageErrors(t *testing.T) {
	dbFile := filepath.Join(t.TempDir(), "d.db")
	env := map[string]string{"DARGO_DATABASE_URL": "sqlite:" + dbFile, "DARGO_SECRET": testSecret}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"worker", "--bogus"}, "dargo worker: unknown flag --bogus\nusage: dargo worker [--concurrency N] [--queues q=p,...]\nsee dargo help worker\n"},
		{[]string{"migrate", "-x=1"}, "dargo migrate: unknown flag -x\nusage: dargo migrate\nsee dargo help migrate\n"},
		{[]string{"web", "now"}, "dargo web: unexpected argument \"now\"\nusage: dargo web\nsee dargo help web\n"},
		{[]string{"dev", "--port", "80"}, "dargo dev: unknown flag --port\n"},
		{[]string{"inbound", "queue"}, "dargo inbound: unexpected argument \"queue\"\n"},
		{[]string{"scheduler", "-v"}, "dargo scheduler: unknown flag -v\n"},
		{[]string{"doctor", "--fix"}, "dargo doctor: unknown flag --fix\n"},
		{[]string{"secret", "32"}, "dargo secret: unexpected argument \"32\"\n"},
		{[]string{"version", "--short"}, "dargo version: unknown flag --short\n"},
		{[]string{"seed", "--tickets", "many"}, "dargo seed: invalid value \"many\" for flag -tickets: parse error\n"},
		{[]string{"export", "--zip"}, "dargo export: flag needs an argument: -zip\n"},
		{[]string{"staff"}, "dargo staff: want a command: add, remove or list\n"},
		{[]string{"staff", "promote", "ada@example.com"}, "dargo staff: unknown command \"promote\": want add, remove or list\nusage: dargo staff add EMAIL [--admin] | remove EMAIL | list\nsee dargo help staff\n"},
		{[]string{"staff", "--admin", "add"}, "dargo staff: unknown flag --admin: give a command first (add, remove or list)\n"},
		{[]string{"staff", "add"}, "dargo staff add: want EMAIL, got none\nusage: dargo staff add EMAIL [--admin]\nsee dargo help staff add\n"},
		{[]string{"staff", "add", "a@example.com", "b@example.com"}, "dargo staff add: want one EMAIL, got also [\"b@example.com\"]\n"},
		{[]string{"staff", "remove", "--admin", "a@example.com"}, "dargo staff remove: unknown flag --admin\n"},
		{[]string{"staff", "list", "all"}, "dargo staff list: unexpected argument \"all\"\n"},
		{[]string{"suppression", "remove"}, "dargo suppression remove: want ADDR, got none\n"},
		{[]string{"suppression", "list", "--json"}, "dargo suppression list: unknown flag --json\n"},
		{[]string{"quarantine", "release"}, "dargo quarantine release: want ID..., got none\n"},
		{[]string{"quarantine", "list", "7"}, "dargo quarantine list: unexpected argument \"7\"\n"},
		{[]string{"policy", "publish", "--kind", "terms"}, "dargo policy publish: want FILE (- reads stdin), got none\nusage: dargo policy publish"},
		{[]string{"policy", "list", "--kind", "terms"}, "dargo policy list: unknown flag --kind\n"},
		{[]string{"broadcast", "--list", "extra"}, "dargo broadcast: unexpected argument \"extra\"\n"},
		{[]string{"help", "wroker"}, "dargo help: unknown command \"wroker\"; did you mean \"worker\"?\n"},
		{[]string{"help", "staff", "promote"}, "dargo help: no command \"dargo staff promote\"\n"},
		{[]string{"wroker"}, "dargo: unknown command \"wroker\"; did you mean \"worker\"?\nsee dargo help\n"},
		{[]string{"migrat"}, "dargo: unknown command \"migrat\"; did you mean \"migrate\"?\n"},
		{[]string{"quar"}, "dargo: unknown command \"quar\"; did you mean \"quarantine\"?\n"},
		{[]string{"xyzzy"}, "dargo: unknown command \"xyzzy\"\nsee dargo help\n"},
		{[]string{"--verbose"}, "dargo: unknown flag --verbose\nsee dargo help\n"},
	} {
		out, errOut, code := runDargo(t, env, tc.args...)
		if code != 2 || out != "" || !strings.HasPrefix(errOut, tc.want) {
			t.Errorf("%q: exit %d, stdout %q, stderr:\n%s\nwant exit 2 and a stderr starting\n%s", tc.args, code, out, errOut, tc.want)
		}
	}
	if _, err := os.Stat(dbFile); !os.IsNotExist(err) {
		t.Errorf("a usage error opened the database (%v)", err)
	}
}

// TestFlagValueErrors: flags that parse but do not go together, or a
// required one missing, are usage errors too (exit 2), found before the
// database is opened.
func TestFlagValueErrors(t *testing.T) {
	dbFile := filepath.Join(t.TempDir(), "d.db")
	env := map[string]string{"DARGO_DATABASE_URL": "sqlite:" + dbFile, "DARGO_SECRET": testSecret}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"export"}, "dargo export: --email is required\nusage: dargo export --email ADDR [--zip FILE]\nsee dargo help export\n"},
		{[]string{"erase", "--block"}, "dargo erase: --email is required\n"},
		{[]string{"broadcast"}, "dargo broadcast: give --subject and --body-file, --resume ID or --list\n"},
		{[]string{"broadcast", "--list", "--resume", "3"}, "dargo broadcast: give one of --subject with --body-file, --resume ID or --list\n"},
		{[]string{"broadcast", "--list", "--batch", "0"}, "dargo broadcast: --batch: want 1 to"},
		{[]string{"policy", "publish", "--kind", "cookies", "-"}, "dargo policy publish: --kind: privacy or terms\n"},
		{[]string{"policy", "publish", "--kind", "terms", "--effective", "tomorrow", "-"}, "dargo policy publish: --effective: want YYYY-MM-DD, got \"tomorrow\"\n"},
		{[]string{"quarantine", "list", "--limit", "0"}, "dargo quarantine list: --limit: want a number ≥ 1, got 0\n"},
		{[]string{"quarantine", "release", "1", "abc"}, "dargo quarantine release: \"abc\" is not an inbound mail id (see dargo quarantine list)\n"},
		{[]string{"staff", "add", "not-an-address"}, "dargo staff add: \"not-an-address\" is not an email address\n"},
		{[]string{"worker", "--queues", "critical"}, "dargo worker: --queues: want queue=priority pairs"},
		{[]string{"worker", "--concurrency", "-1"}, "dargo worker: --concurrency: want a number ≥ 1, got -1\n"},
		{[]string{"send", "--from", "nobody"}, "dargo send: --from: give the sender's email address\n"},
		{[]string{"send", "--from", "ada@example.com", "--file", "x.eml", "hello"}, "dargo send: give TEXT or --file, not both\n"},
	} {
		out, errOut, code := runDargo(t, env, tc.args...)
		if code != 2 || out != "" || !strings.HasPrefix(errOut, tc.want) {
			t.Errorf("%q: exit %d, stdout %q, stderr:\n%s\nwant exit 2 and a stderr starting\n%s", tc.args, code, out, errOut, tc.want)
		}
	}
	if _, err := os.Stat(dbFile); !os.IsNotExist(err) {
		t.Errorf("a usage error opened the database (%v)", err)
	}
}

// TestVersion: dargo version and --version print the build, whatever the
// configuration.
func TestVersion(t *testing.T) {
	out, errOut, code := runDargo(t, garbageEnv, "version")
	want := regexp.MustCompile(`^version   \S+\ncommit    \S+\ntime      \S+\nmodified  (true|false)\ngo        ` + regexp.QuoteMeta(runtime.Version()) + "\n$")
	if code != 0 || errOut != "" || !want.MatchString(out) {
		t.Errorf("dargo version: exit %d, stderr %q, stdout:\n%s", code, errOut, out)
	}
	for _, flag := range []string{"--version", "-version"} {
		if again, _, code := runDargo(t, garbageEnv, flag); code != 0 || again != out {
			t.Errorf("dargo %s: exit %d:\n%s\nwant what dargo version prints", flag, code, again)
		}
	}
}

// TestSecretIgnoresConfiguration: dargo secret makes a secret whatever
// the environment says.
func TestSecretIgnoresConfiguration(t *testing.T) {
	out, errOut, code := runDargo(t, garbageEnv, "secret")
	if code != 0 || errOut != "" || checkSecret(strings.TrimSpace(out)) != nil {
		t.Errorf("dargo secret: exit %d, %q, %q", code, out, errOut)
	}
}

// TestLogLevel: DARGO_LOG_LEVEL is debug, info, warn or error, in any
// case; anything else is a configuration error that names the variable.
func TestLogLevel(t *testing.T) {
	for v, want := range map[string]slog.Level{"": slog.LevelInfo, "debug": slog.LevelDebug, "INFO": slog.LevelInfo,
		"Warn": slog.LevelWarn, " error ": slog.LevelError} {
		c, err := LoadConfig(func(k string) string { return map[string]string{"DARGO_LOG_LEVEL": v}[k] })
		if err != nil || c.LogLevel != want {
			t.Errorf("DARGO_LOG_LEVEL=%q: level %v, %v; want %v", v, c.LogLevel, err, want)
		}
	}
	for _, v := range []string{"loud", "warning", "info+2", "0", "trace"} {
		_, err := LoadConfig(func(k string) string { return map[string]string{"DARGO_LOG_LEVEL": v}[k] })
		if err == nil || !strings.Contains(err.Error(), `DARGO_LOG_LEVEL: want debug, info, warn or error, got "`+v+`"`) {
			t.Errorf("DARGO_LOG_LEVEL=%q: %v; want a configuration error", v, err)
		}
	}
	dbFile := filepath.Join(t.TempDir(), "d.db")
	env := map[string]string{"DARGO_DATABASE_URL": "sqlite:" + dbFile, "DARGO_SECRET": testSecret, "DARGO_LOG_LEVEL": "loud"}
	out, errOut, code := runDargo(t, env, "migrate")
	if code != 2 || out != "" || !strings.Contains(errOut, "dargo: configuration: DARGO_LOG_LEVEL: want debug, info, warn or error, got \"loud\"") {
		t.Errorf("migrate with DARGO_LOG_LEVEL=loud: exit %d, %q, %q", code, out, errOut)
	}
	if _, err := os.Stat(dbFile); !os.IsNotExist(err) {
		t.Errorf("a configuration error opened the database (%v)", err)
	}
}

// TestEditDistance: the distance "did you mean" uses.
func TestEditDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"", "web", 3}, {"web", "web", 0}, {"wroker", "worker", 2}, {"migrat", "migrate", 1}, {"seed", "send", 1}, {"kitten", "sitting", 3},
	} {
		if got := editDistance(tc.a, tc.b); got != tc.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}
