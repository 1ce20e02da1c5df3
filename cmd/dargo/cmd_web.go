package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/dargo-support/dargo/internal/metrics"
	"github.com/dargo-support/dargo/internal/turnstile"
	"github.com/dargo-support/dargo/jobs"
	"github.com/dargo-support/dargo/store"
	"github.com/dargo-support/dargo/web"
)

// runWeb serves the customer portal, the staff inbox and sign-in. Its
// listeners open at once; until the database and Redis answer, the pages
// say "starting" with a 503.
func runWeb(ctx context.Context, env *Env, args []string) error {
	if err := requireTLS(env, usesDatabase|usesRedis|usesAWS); err != nil {
		return err
	}
	if env.Config.RedisURL == "" {
		return errors.New("DARGO_REDIS_URL must be set: rate limits are shared through Redis")
	}
	opt, err := jobs.ParseRedisURL(env.Config.RedisURL)
	if err != nil {
		return err
	}
	ready := newReadiness("database", "redis")
	ops, err := newOps(env, "web", ready, metrics.NewRegistry([][]prometheus.Collector{metrics.Web}))
	if err != nil {
		return err
	}
	defer ops.Close()
	l, err := net.Listen("tcp", env.Config.HTTPAddr)
	if err != nil {
		return fmt.Errorf("http listener: %w", err)
	}
	gate := &startGate{}
	srv := newHTTPServer(gate, env.Log)
	env.Log.Info("web listening", "addr", l.Addr().String(), "base_url", env.Config.BaseURL)

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	served := make(chan error, 1)
	go func() { served <- serveHTTP(ctx, srv, l) }()

	rdb := jobs.RedisClient(opt)
	defer rdb.Close()
	db, err := waitDB(ctx, env, ready.dep("database"))
	if err == nil {
		defer db.Close()
		err = waitRedis(ctx, env, rdb, ready.dep("redis"))
	}
	var h http.Handler
	if err == nil {
		h, err = newWebHandler(env, db, rdb, nil)
	}
	if err != nil {
		cancel()
		<-served
		if stopped(err) {
			return nil
		}
		return err
	}
	gate.open(h)
	env.Log.Info("web ready")
	return <-served
}

// startGate answers for the web tier while it waits for its dependencies:
// a 503 to try again (probes go to the ops listener); once open, the real
// handler.
type startGate struct {
	h atomic.Pointer[http.Handler]
}

func (g *startGate) open(h http.Handler) { g.h.Store(&h) }

func (g *startGate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h := g.h.Load(); h != nil {
		(*h).ServeHTTP(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Retry-After", "5")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusServiceUnavailable)
	w.Write([]byte("starting, try again\n"))
}

// newWebServer builds the web tier's server with its timeouts set; dev
// passes the dev outbox store.
func newWebServer(env *Env, db *store.DB, rdb redis.UniversalClient, devMail web.DevMailStore) (*http.Server, error) {
	h, err := newWebHandler(env, db, rdb, devMail)
	if err != nil {
		return nil, err
	}
	return newHTTPServer(h, env.Log), nil
}

// newWebHandler builds the web tier's pages.
func newWebHandler(env *Env, db *store.DB, rdb redis.UniversalClient, devMail web.DevMailStore) (http.Handler, error) {
	c := env.Config
	if c.TurnstileSecret == "" {
		env.Log.Warn("DARGO_TURNSTILE_SECRET is not set: public forms are not checked for bots")
	}
	return web.New(web.Opts{
		Store:            db,
		Redis:            rdb,
		BaseURL:          c.BaseURL,
		Secret:           c.Secret,
		TrustedProxies:   c.TrustedProxies,
		BehindCloudflare: c.BehindCloudflare,
		Turnstile:        turnstile.Verifier{Secret: c.TurnstileSecret, URL: c.TurnstileVerifyURL},
		TurnstileSiteKey: c.TurnstileSiteKey,
		Limits:           c.Limits,
		Categories:       c.categoryNames(),
		CategoryLabels:   c.CategoryLabels,
		ReplyTo:          c.replyTo,
		DevMail:          devMail,
		Held:             heldReleaser(newPipeline(db, env)),
		UndoWindow:       c.UndoWindow,
		TagsVisible:      c.TagsVisible,
		Logger:           env.Log,
	})
}

// newHTTPServer is the web tier's server around h, its timeouts set and
// its error log on slog.
func newHTTPServer(h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute, // uploads
		WriteTimeout:      2 * time.Minute, // downloads
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          httpErrorLog(log),
	}
}

// serveHTTP serves until ctx ends, then lets requests in flight finish for
// up to 20 seconds.
func serveHTTP(ctx context.Context, srv *http.Server, l net.Listener) error {
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-done; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
