// Command dargo is Dargo Support: one binary whose subcommands are the
// processes of an email-first support desk (see `dargo help`).
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

type command struct {
	name, usage, doc string
	run              func(ctx context.Context, env *Env, args []string) error
	// noSecret: the command runs without a strong DARGO_SECRET because it
	// neither touches the database nor uses the key (dev has its own rule).
	noSecret bool
}

// Env is what every command gets: configuration and standard streams.
type Env struct {
	Config *Config
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Log    *slog.Logger
}

var commands []command

func init() {
	commands = []command{
		{"dev", "dargo dev", "run everything on embedded defaults: SQLite, in-process Redis, SMTP in, web with sign-in, outbox at /dev/mail", runDev, true},
		{"web", "dargo web", "serve sign-in, the customer portal and the staff inbox on DARGO_HTTP_ADDR", runWeb, false},
		{"worker", "dargo worker [--concurrency N] [--queues q=p,...]", "send mail and run tasks from Redis; relays the outbox", runWorker, false},
		{"inbound", "dargo inbound", "consume SES receipts (and bounces, complaints) from SQS into tickets", runInbound, false},
		{"scheduler", "dargo scheduler", "enqueue the periodic sweeps and checks (unique: a second one is harmless)", runScheduler, false},
		{"migrate", "dargo migrate", "apply database migrations (the Procfile's release step)", runMigrate, false},
		{"ingest", "dargo ingest [--recipient ADDR]... [FILE...]", "feed raw MIME files (or stdin) through the inbound pipeline; one JSON line each", runIngest, false},
		{"export", "dargo export --email ADDR [--zip FILE]", "print a person's data as one JSON document (and a ZIP with their files)", runExport, false},
		{"erase", "dargo erase --email ADDR [--block]", "erase a person's personal data (idempotent); --block: never recreate the address", runErase, false},
		{"staff", "dargo staff add EMAIL [--admin] | remove EMAIL | list", "give or take staff (and admin) rights; staff sign in by magic link", runStaff, false},
		{"suppression", "dargo suppression list | remove ADDR", "list the addresses no mail goes to (bounced, complained), or lift one (audited)", runSuppression, false},
		{"broadcast", "dargo broadcast --subject S --body-file F | --resume ID | --list", "mail a notice (a privacy-policy change) once to every active user through the outbox; killed, it resumes (--batch N, --pause D, --again)", runBroadcast, false},
		{"policy", "dargo policy publish --kind privacy|terms FILE | list", "publish a version of the privacy policy or terms (--significant, --effective YYYY-MM-DD, --summary TEXT); a significant one is announced by mail, ticket notice and banner, once; killed, the same command resumes", runPolicy, false},
		{"send", "dargo send --from ADDR [--to ADDR] [--subject S] [--in-reply-to ID] [TEXT | --file F]", "mail dargo dev's SMTP listener, as a customer would", runSend, true},
		{"seed", "dargo seed [--tickets N] [--messages N] [--customers N] [--big-thread N]", "generate tickets and messages to try and measure the inbox (never on real data)", runSeed, false},
		{"bench", "dargo bench [--quick] [--n N] [--only ingest,sqs,send,inbox,signin] [--json FILE|-] [--redis-db N]", "measure the headline figures on this machine, beside the configured database and Redis (never their data); prints a table, writes JSON", runBench, true},
		{"quarantine", "dargo quarantine list [--json] | release ID...", "list quarantined inbound mail, or release it into the pipeline (prints what ingest prints)", runQuarantine, false},
		{"doctor", "dargo doctor", "say what this configuration lacks for production; exits non-zero on a blocker", runDoctor, true},
		{"secret", "dargo secret", "print a new random secret for DARGO_SECRET or DARGO_METRICS_TOKEN", runSecret, true},
		{"help", "dargo help", "this text", func(ctx context.Context, env *Env, args []string) error { usage(env.Stdout); return nil }, true},
	}
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "dargo: an email-first support desk.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-52s %s\n", c.usage, c.doc)
	}
	fmt.Fprintln(w)
	printSettings(w)
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		usage(stdout)
		return 0
	}
	cfg, err := LoadConfig(getenv)
	if err != nil {
		fmt.Fprintln(stderr, "dargo: configuration:", err)
		return 2
	}
	env := &Env{Config: cfg, Stdin: stdin, Stdout: stdout, Stderr: stderr, Log: newLogger(stderr, cfg.LogLevel, args[0] == "dev")}
	// Packages without a logger of their own, the log package and the
	// libraries with loggers of their own go through the same redaction.
	slog.SetDefault(env.Log)
	routeLibraryLogs(env.Log)
	for _, c := range commands {
		if c.name == args[0] {
			if err := checkSecret(cfg.Secret); err != nil && !c.noSecret {
				fmt.Fprintf(stderr, "dargo %s: %v\n", c.name, err)
				return 2
			}
			if err := c.run(ctx, env, args[1:]); err != nil {
				fmt.Fprintf(stderr, "dargo %s: %v\n", c.name, err)
				return 1
			}
			return 0
		}
	}
	fmt.Fprintf(stderr, "dargo: unknown command %q\n\n", args[0])
	usage(stderr)
	return 2
}

func newLogger(w io.Writer, level string, text bool) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: l, ReplaceAttr: redactAttr}
	if text {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}
