package jobs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"
)

// TestErrorLoggerSaysWhatHappensNext: a revoked periodic run is an error
// that names who takes over; a mail left to another attempt is a note.
func TestErrorLoggerSaysWhatHappensNext(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want []string
	}{
		{"revoked", fmt.Errorf("%w: %w", asynq.RevokeTask, errors.New("connection refused")), []string{"level=ERROR", "its next scheduled run takes over", "connection refused"}},
		{"claimed", &SendClaimedError{EmailID: 3, Until: time.Now()}, []string{"level=INFO", "being sent by another attempt"}},
		{"skipped", fmt.Errorf("%w: bad payload", asynq.SkipRetry), []string{"level=ERROR", `msg="task failed"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			errorLogger(slog.New(slog.NewTextHandler(&b, nil)))(context.Background(), asynq.NewTask(TypeOutboxLag, nil), tt.err)
			for _, w := range tt.want {
				if !strings.Contains(b.String(), w) {
					t.Errorf("log %q lacks %q", b.String(), w)
				}
			}
		})
	}
}
