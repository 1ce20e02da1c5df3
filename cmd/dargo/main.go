// Command dargo is Dargo Support: one binary whose subcommands are the
// processes of an email-first support desk (see `dargo help`).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

// command is one of dargo's subcommands, as help shows it and run runs it.
type command struct {
	name, usage, doc string
	// bind declares the command's flags on fs and returns the func that
	// runs the command with them parsed. Help calls it only to list the
	// flags, so it may do nothing else.
	bind func(fs *flag.FlagSet) runFunc
	// args checks the positional arguments; nil allows none.
	args argRule
	// sub are the subcommands (staff add, remove, list); a command with
	// subcommands has no bind of its own.
	sub []command
	// noSecret: the command runs without a strong DARGO_SECRET because it
	// neither touches the database nor uses the key (dev has its own rule).
	noSecret bool
	// noConfig: the command reads no configuration, so that a broken one
	// never stops it (help, version, secret).
	noConfig bool
}

// Env is what every command gets: configuration and standard streams.
type Env struct {
	Config *Config // nil for the commands that read none
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Log    *slog.Logger
}

var commands []command

func init() {
	commands = []command{
		{name: "dev", usage: "dargo dev", bind: noFlags(runDev), noSecret: true,
			doc: "run everything on embedded defaults: SQLite, in-process Redis, SMTP in, web with sign-in, outbox at /dev/mail"},
		{name: "web", usage: "dargo web", bind: noFlags(runWeb),
			doc: "serve sign-in, the customer portal and the staff inbox on DARGO_HTTP_ADDR"},
		{name: "worker", usage: "dargo worker [--concurrency N] [--queues q=p,...]", bind: withFlags((*workerOpts).flags, runWorker),
			doc: "send mail and run tasks from Redis; relays the outbox"},
		{name: "inbound", usage: "dargo inbound", bind: noFlags(runInbound),
			doc: "consume SES receipts (and bounces, complaints) from SQS into tickets"},
		{name: "scheduler", usage: "dargo scheduler", bind: noFlags(runScheduler),
			doc: "enqueue the periodic sweeps and checks (unique: a second one is harmless)"},
		{name: "migrate", usage: "dargo migrate", bind: noFlags(runMigrate),
			doc: "apply database migrations (the Procfile's release step)"},
		{name: "ingest", usage: "dargo ingest [--recipient ADDR]... [FILE...]", bind: withFlags((*ingestOpts).flags, runIngest), args: anyArgs,
			doc: "feed raw MIME files (or stdin) through the inbound pipeline; one JSON line each"},
		{name: "export", usage: "dargo export --email ADDR [--zip FILE]", bind: withFlags((*exportOpts).flags, runExport),
			doc: "print a person's data as one JSON document (and a ZIP with their files)"},
		{name: "erase", usage: "dargo erase --email ADDR [--block]", bind: withFlags((*eraseOpts).flags, runErase),
			doc: "erase a person's personal data (idempotent); --block: never recreate the address"},
		{name: "staff", usage: "dargo staff add EMAIL [--admin] | remove EMAIL | list", sub: staffCommands,
			doc: "give or take staff (and admin) rights; staff sign in by magic link"},
		{name: "suppression", usage: "dargo suppression list | remove ADDR", sub: suppressionCommands,
			doc: "list the addresses no mail goes to (bounced, complained), or lift one (audited)"},
		{name: "broadcast", usage: "dargo broadcast --subject S --body-file F | --resume ID | --list", bind: withFlags((*broadcastOpts).flags, runBroadcast),
			doc: "mail a notice (a privacy-policy change) once to every active user through the outbox; killed, it resumes"},
		{name: "policy", usage: "dargo policy publish --kind privacy|terms FILE | list", sub: policyCommands,
			doc: "publish a version of the privacy policy or terms (a significant one is announced by mail, ticket notice and banner, once), or list them"},
		{name: "send", usage: "dargo send --from ADDR [flags] [TEXT | --file F]", bind: withFlags((*sendOpts).flags, runSend), args: anyArgs, noSecret: true,
			doc: "mail dargo dev's SMTP listener, as a customer would"},
		{name: "seed", usage: "dargo seed [--tickets N] [--messages N] [flags]", bind: withFlags(seedFlags, runSeed),
			doc: "generate tickets and messages to try and measure the inbox (never on real data)"},
		{name: "bench", usage: "dargo bench [--quick] [--n N] [--only LIST] [--json FILE|-] [--redis-db N]", bind: withFlags((*benchFlags).flags, runBench), noSecret: true,
			doc: "measure the headline figures on this machine, beside the configured database and Redis (never their data); prints a table, writes JSON"},
		{name: "quarantine", usage: "dargo quarantine list [--json] | release ID...", sub: quarantineCommands,
			doc: "list quarantined inbound mail, or release it into the pipeline (prints what ingest prints)"},
		{name: "doctor", usage: "dargo doctor", bind: noFlags(runDoctor), noSecret: true,
			doc: "say what this configuration lacks for production; exits 1 on a blocker"},
		{name: "secret", usage: "dargo secret", bind: noFlags(runSecret), noSecret: true, noConfig: true,
			doc: "print a new random secret for DARGO_SECRET or DARGO_METRICS_TOKEN"},
		{name: "version", usage: "dargo version", bind: noFlags(runVersion), noSecret: true, noConfig: true,
			doc: "print the version, commit, commit time and Go version this binary was built from (also dargo --version)"},
		{name: "help", usage: "dargo help [COMMAND [SUBCOMMAND]]", bind: noFlags(runHelp), args: anyArgs, noSecret: true, noConfig: true,
			doc: "this text, or a command's usage and flags (also dargo COMMAND --help)"},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}

// Exit statuses.
const (
	exitOK     = 0
	exitFailed = 1 // the command ran and failed
	exitUsage  = 2 // the command line or the configuration is wrong; nothing ran
)

// run is dargo with its arguments, streams and environment; it returns
// the exit status. The command line is checked, and help printed, before
// the configuration is read.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	if len(args) == 0 || isHelpFlag(args[0]) {
		printOverview(stdout)
		return exitOK
	}
	if args[0] == "--version" || args[0] == "-version" {
		args = append([]string{"version"}, args[1:]...)
	}
	inv, err := resolve(args)
	var usage *usageError
	if errors.As(err, &usage) {
		printUsageError(stderr, usage)
		return exitUsage
	}
	if inv.help {
		printHelp(stdout, inv.cmd, inv.path)
		return exitOK
	}
	env := &Env{Stdin: stdin, Stdout: stdout, Stderr: stderr}
	if inv.top.noConfig {
		env.Log = newLogger(stderr, slog.LevelInfo, false)
	} else {
		cfg, err := LoadConfig(getenv)
		if err != nil {
			fmt.Fprintln(stderr, "dargo: configuration:", err)
			return exitUsage
		}
		env.Config, env.Log = cfg, newLogger(stderr, cfg.LogLevel, inv.top.name == "dev")
		// Packages without a logger of their own, the log package and the
		// libraries with loggers of their own go through the same redaction.
		slog.SetDefault(env.Log)
		routeLibraryLogs(env.Log)
		if err := checkSecret(cfg.Secret); err != nil && !inv.top.noSecret {
			fmt.Fprintf(stderr, "dargo %s: %v\n", inv.path, err)
			return exitUsage
		}
	}
	err = inv.run(ctx, env, inv.args)
	if errors.As(err, &usage) {
		if usage.path == "" {
			usage.path = inv.path
		}
		printUsageError(stderr, usage)
		return exitUsage
	}
	if err != nil {
		fmt.Fprintf(stderr, "dargo %s: %v\n", inv.path, err)
		return exitFailed
	}
	return exitOK
}

func newLogger(w io.Writer, level slog.Level, text bool) *slog.Logger {
	opts := &slog.HandlerOptions{Level: level, ReplaceAttr: redactAttr}
	if text {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}
