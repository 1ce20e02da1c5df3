package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"runtime/pprof"
	"strings"

	"github.com/dargo-support/dargo/inbound/transport"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/dargo-support/dargo/internal/bench"
	"github.com/dargo-support/dargo/store"
	"github.com/dargo-support/dargo/web"
)

// benchLimit is the sign-in rate limit per hour during a bench: every
// request comes from 127.0.0.1, and the limiter still counts each in Redis.
const benchLimit = 1 << 30

// benchFlags are dargo bench's flags.
type benchFlags struct {
	quick      bool
	n, redisDB int
	only, json string
	cpuProfile string
}

func (f *benchFlags) flags(fs *flag.FlagSet) {
	fs.BoolVar(&f.quick, "quick", false, fmt.Sprintf("small sizes (N=%d), a few seconds: for tests and CI", bench.QuickN))
	fs.IntVar(&f.n, "n", 0, fmt.Sprintf("mails per mail figure; the inbox seeds 5N tickets and 50N messages (default %d)", bench.DefaultN))
	fs.StringVar(&f.only, "only", "", "comma-separated figures to run: "+strings.Join(bench.Figures, ","))
	fs.StringVar(&f.json, "json", "bench.json", `write the report as JSON to this file ("-": standard output, the table then goes to standard error)`)
	fs.StringVar(&f.cpuProfile, "cpuprofile", "", "write a CPU profile of the run to this file (go tool pprof reads it)")
	fs.IntVar(&f.redisDB, "redis-db", -1, "Redis database to use instead of DARGO_REDIS_URL's; it must be empty, and is emptied at the end")
}

// runBench measures Dargo's headline figures on this machine, beside the
// configured database and Redis without touching their data (see
// internal/bench), prints a table and writes the report as JSON.
func runBench(ctx context.Context, env *Env, f *benchFlags, _ []string) error {
	quick, n, only, jsonPath, redisDB := &f.quick, &f.n, &f.only, &f.json, &f.redisDB
	if *n < 0 {
		return usagef("--n must be positive")
	}
	size := *n
	if size == 0 && *quick {
		size = bench.QuickN
	}
	var figures []string
	if *only != "" {
		for _, f := range strings.Split(*only, ",") {
			figures = append(figures, strings.TrimSpace(f))
		}
	}
	opts, err := benchOpts(env)
	if err != nil {
		return err
	}
	opts.RedisDB, opts.N, opts.Only = *redisDB, size, figures
	table := env.Stdout
	if *jsonPath == "-" {
		table = env.Stderr
	}
	opts.Progress = env.Stderr
	if f.cpuProfile != "" {
		stop, err := startCPUProfile(f.cpuProfile)
		if err != nil {
			return err
		}
		defer stop()
	}
	rep, err := bench.Run(ctx, opts)
	if err != nil {
		return err
	}
	if err := rep.WriteTable(table); err != nil {
		return err
	}
	out, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	out = append(out, '\n')
	if *jsonPath == "-" {
		_, err = env.Stdout.Write(out)
		return err
	}
	if err := os.WriteFile(*jsonPath, out, 0o644); err != nil { // #nosec G306 -- figures, no secrets
		return fmt.Errorf("write report: %w", err)
	}
	fmt.Fprintf(table, "report: %s\n", *jsonPath)
	return nil
}

// benchOpts wires the bench with what the production processes build,
// from a copy of the configuration changed where the bench must differ: a
// fresh random key (nothing the bench makes is signed with the desk's),
// no Turnstile (no calls to Cloudflare), no proxies (clients are on
// loopback), sign-in limits raised, and errors only in the log.
func benchOpts(env *Env) (bench.Opts, error) {
	c := *env.Config
	secret, err := newSecret()
	if err != nil {
		return bench.Opts{}, err
	}
	c.Secret = secret
	c.TurnstileSecret, c.TurnstileSiteKey = "", ""
	c.TrustedProxies, c.BehindCloudflare = nil, false
	c.Limits = web.Limits{LinksPerAddress: benchLimit, LinksPerIP: benchLimit, ConfirmsPerIP: benchLimit}
	quiet := slog.New(slog.NewJSONHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelError, ReplaceAttr: redactAttr}))
	benv := &Env{Config: &c, Stdin: env.Stdin, Stdout: io.Discard, Stderr: env.Stderr, Log: quiet}
	return bench.Opts{
		DatabaseURL:   c.DatabaseURL,
		RedisURL:      c.RedisURL,
		MailDomain:    c.MailDomain,
		Secret:        c.Secret,
		SQSReceivers:  c.InboundReceivers,
		SQSProcessors: c.InboundProcessors,
		SQSVisibility: c.SQSVisibility,
		Pipeline:      func(db *store.DB) transport.Ingester { return newPipeline(db, benv) },
		Web: func(db *store.DB, rdb redis.UniversalClient, baseURL string) (http.Handler, error) {
			wc := c
			wc.BaseURL = baseURL
			return newWebHandler(&Env{Config: &wc, Stderr: env.Stderr, Stdout: io.Discard, Log: quiet}, db, rdb, nil)
		},
		Worker: func(ctx context.Context, db *store.DB, redis asynq.RedisConnOpt) (func() error, error) {
			w, err := startWorker(ctx, benv, db, redis, "outbox", c.Concurrency, c.Queues)
			if err != nil {
				return nil, err
			}
			return w.stop, nil
		},
		Log: quiet,
	}, nil
}

// startCPUProfile writes a CPU profile to path until the returned func is called.
func startCPUProfile(path string) (func(), error) {
	out, err := os.Create(path) // #nosec G304 -- the operator's own --cpuprofile path
	if err != nil {
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(out); err != nil {
		_ = out.Close()
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		_ = out.Close()
	}, nil
}
