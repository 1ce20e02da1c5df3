package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/dargo-support/dargo/internal/turnstile"
	"github.com/dargo-support/dargo/jobs"
	"github.com/dargo-support/dargo/store"
	"github.com/dargo-support/dargo/web"
)

// runWeb serves the customer portal, the staff inbox and sign-in.
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
	rdb := jobs.RedisClient(opt)
	defer rdb.Close()
	db, err := openDB(ctx, env, false)
	if err != nil {
		return err
	}
	defer db.Close()
	l, err := net.Listen("tcp", env.Config.HTTPAddr)
	if err != nil {
		return fmt.Errorf("http listener: %w", err)
	}
	srv, err := newWebServer(env, db, rdb, nil)
	if err != nil {
		l.Close()
		return err
	}
	env.Log.Info("web listening", "addr", l.Addr().String(), "base_url", env.Config.BaseURL)
	return serveHTTP(ctx, srv, l)
}

// newWebServer builds the web tier's server with its timeouts set; dev
// passes the dev outbox store.
func newWebServer(env *Env, db *store.DB, rdb redis.UniversalClient, devMail web.DevMailStore) (*http.Server, error) {
	c := env.Config
	if c.TurnstileSecret == "" {
		env.Log.Warn("DARGO_TURNSTILE_SECRET is not set: public forms are not checked for bots")
	}
	h, err := web.New(web.Opts{
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
		Held:             newPipeline(db, env),
		MetricsToken:     c.MetricsToken,
		UndoWindow:       c.UndoWindow,
		Logger:           env.Log,
	})
	if err != nil {
		return nil, err
	}
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute, // uploads
		WriteTimeout:      2 * time.Minute, // downloads
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          nil,
	}, nil
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
