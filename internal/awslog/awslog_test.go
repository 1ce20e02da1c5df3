package awslog

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"testing"

	"github.com/aws/smithy-go/logging"
)

func TestLoggerWritesSlog(t *testing.T) {
	var buf bytes.Buffer
	l := Logger{Log: slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	l.Logf(logging.Warn, "response has no checksum for %s", "key")
	var line struct {
		Level, Msg, Component string
	}
	if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
		t.Fatalf("not one JSON line: %q", buf.String())
	}
	if line.Level != "WARN" || line.Msg != "response has no checksum for key" || line.Component != "aws" {
		t.Errorf("got %+v", line)
	}
}
