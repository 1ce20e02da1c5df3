// Package awslog sends the AWS SDK's log lines to slog, so a JSON log stays
// JSON. The SDK's own default writes plain text to stderr.
package awslog

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/smithy-go/logging"
)

// Logger is a smithy-go logger writing to Log (slog's default logger when
// nil) with the attribute component=aws.
type Logger struct{ Log *slog.Logger }

var _ logging.Logger = Logger{}

// Logf logs a WARN line as a warning and anything else as debug.
func (l Logger) Logf(c logging.Classification, format string, v ...any) {
	log := l.Log
	if log == nil {
		log = slog.Default()
	}
	level := slog.LevelDebug
	if c == logging.Warn {
		level = slog.LevelWarn
	}
	log.Log(context.Background(), level, fmt.Sprintf(format, v...), "component", "aws")
}

// Option is the LoadDefaultConfig option that makes the SDK log through
// slog's default logger (which main sets up).
func Option() func(*config.LoadOptions) error { return config.WithLogger(Logger{}) }
