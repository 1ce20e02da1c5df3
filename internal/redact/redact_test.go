package redact_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/hibiken/asynq"

	"github.com/dargo-support/dargo/internal/redact"
)

func TestErrorKeepsItsChainAndDropsAddresses(t *testing.T) {
	err := fmt.Errorf("%w: SES: MessageRejected: identities failed the check: ada.lovelace@example.com, <x@y.test>", asynq.SkipRetry)
	got := redact.Error(err)
	if !errors.Is(got, asynq.SkipRetry) {
		t.Error("the redacted error no longer is asynq.SkipRetry")
	}
	if want := "skip retry for the task: SES: MessageRejected: identities failed the check: [email], <[email]>"; got.Error() != want {
		t.Errorf("got %q, want %q", got.Error(), want)
	}
	if redact.Error(nil) != nil {
		t.Error("nil became an error")
	}
}
