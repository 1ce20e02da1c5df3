package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/dargo-support/dargo/inbound/transport"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/dargo-support/dargo/store"
)

// Figures are the figures a run can measure, in the order it measures them.
var Figures = []string{"ingest", "sqs", "send", "inbox", "signin"}

// Default sizes: N is the number of mails of the mail figures; the rest
// scale with it (see Sizes).
const (
	DefaultN = 2000
	QuickN   = 40
)

// Opts configures a run. The three wiring functions build what the
// production processes build, on the bench's own database and Redis.
type Opts struct {
	DatabaseURL string // the configured database; the bench works beside it
	RedisURL    string // the configured Redis; "" runs an in-process stand-in
	RedisDB     int    // the Redis database to use instead of the URL's; -1 keeps the URL's
	Only        []string
	N           int // mails per mail figure; 0 is DefaultN
	MailDomain  string
	Secret      string // the key the wiring was given: it opens sealed sign-in links

	// SQS consumer shape, as `dargo inbound` is configured.
	SQSReceivers, SQSProcessors int
	SQSVisibility               time.Duration

	Pipeline func(db *store.DB) transport.Ingester
	Web      func(db *store.DB, rdb redis.UniversalClient, baseURL string) (http.Handler, error)
	// Worker starts the worker (task server and outbox relay) and returns
	// its stop.
	Worker func(ctx context.Context, db *store.DB, redis asynq.RedisConnOpt) (stop func() error, err error)

	Log      *slog.Logger
	Progress io.Writer // a line as each figure starts; nil for none
}

// Sizes are the counts of one run, derived from N.
type Sizes struct {
	Mails    int `json:"mails"`    // ingest, SQS drain and send
	Paced    int `json:"paced"`    // SQS mails sent at a steady rate, for latency
	Tickets  int `json:"tickets"`  // seeded for the inbox
	Messages int `json:"messages"` // seeded for the inbox
	Requests int `json:"requests"` // per inbox page and per sign-in step
	Clients  int `json:"clients"`  // concurrent HTTP clients
}

// SizesFor derives a run's counts from N.
func SizesFor(n int) Sizes {
	return Sizes{Mails: n, Paced: max(n/4, 10), Tickets: 5 * n, Messages: 50 * n, Requests: max(n/5, 20), Clients: 8}
}

// Run measures the selected figures and returns the report. Whatever
// happens, the bench's database and Redis keys are gone when it returns.
func Run(ctx context.Context, o Opts) (rep *Report, err error) {
	if o.N <= 0 {
		o.N = DefaultN
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Progress == nil {
		o.Progress = io.Discard
	}
	only, err := selected(o.Only)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	target, err := openTarget(ctx, o.DatabaseURL)
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, target.close()) }()
	rds, err := openRedis(ctx, o.RedisURL, o.RedisDB)
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, rds.close()) }()
	db, err := openStore(ctx, target)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		return nil, fmt.Errorf("bench: migrate: %w", err)
	}
	rep = &Report{Machine: readMachine(), Dargo: readDargo(), Dialect: db.Dialect, DatabaseVersion: databaseVersion(ctx, db),
		Database: target.desc, Redis: rds.desc, N: o.N, Sizes: SizesFor(o.N), Started: start.UTC()}
	r := &run{o: o, db: db, redis: rds.opt, sizes: rep.Sizes}
	for _, f := range figures {
		if !slices.Contains(only, f.name) {
			continue
		}
		fmt.Fprintf(o.Progress, "bench: %s…\n", f.name)
		rows, err := f.run(ctx, r)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.name, err)
		}
		rep.Rows = append(rep.Rows, rows...)
	}
	rep.Seconds = time.Since(start).Seconds()
	return rep, nil
}

// run is what every figure gets.
type run struct {
	o     Opts
	db    *store.DB
	redis asynq.RedisConnOpt
	sizes Sizes
}

var figures = []struct {
	name string
	run  func(ctx context.Context, r *run) ([]Row, error)
}{
	{"ingest", ingestDirect},
	{"sqs", ingestSQS},
	{"send", sendPipeline},
	{"inbox", inboxPages},
	{"signin", signIn},
}

// selected checks a --only list; empty selects every figure.
func selected(only []string) ([]string, error) {
	if len(only) == 0 {
		return Figures, nil
	}
	for _, name := range only {
		if !slices.Contains(Figures, name) {
			return nil, fmt.Errorf("bench: unknown figure %q (want %s)", name, strings.Join(Figures, ", "))
		}
	}
	return only, nil
}
