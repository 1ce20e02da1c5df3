package main

import (
	"context"
	"fmt"
	"log"
	"log/slog"
	"strings"

	"github.com/redis/go-redis/v9"
)

// Every library's logging goes through the process's slog logger, each
// line with a "component" attribute, so a JSON log stays JSON: go-redis
// (redisLogger), net/http's ErrorLog (httpErrorLog), the AWS SDK
// (internal/awslog) and asynq (jobs.asynqLogger).

// redisLogger is go-redis's logger on slog. go-redis logs only what went
// wrong (failed dials, bad connections), so its lines are warnings.
type redisLogger struct{ log *slog.Logger }

func (l redisLogger) Printf(ctx context.Context, format string, v ...any) {
	msg := strings.TrimPrefix(fmt.Sprintf(format, v...), "redis: ")
	l.log.WarnContext(ctx, msg, "component", "redis")
}

// routeLibraryLogs sends go-redis's log to log. go-redis has one logger
// for the whole process, so this is set once, in main.
func routeLibraryLogs(log *slog.Logger) {
	redis.SetLogger(redisLogger{log})
}

// httpErrorLog is an http.Server's ErrorLog (TLS handshake errors, panics
// in handlers, accept errors) on slog, as warnings with component=http.
func httpErrorLog(l *slog.Logger) *log.Logger {
	return slog.NewLogLogger(l.With("component", "http").Handler(), slog.LevelWarn)
}
