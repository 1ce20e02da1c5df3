package web

import (
	"log/slog"
	"net/http"

	"github.com/dargo-support/dargo/internal/turnstile"
)

// humanCheck verifies Turnstile on a public form.
type humanCheck struct {
	verifier *turnstile.Verifier
	log      *slog.Logger
}

// check verifies the form's Turnstile token. When it fails it returns
// the status and the text to show on the form.
func (h *humanCheck) check(r *http.Request) (outcome turnstile.Outcome, status int, problem string) {
	outcome, err := h.verifier.Verify(r.Context(), r.PostFormValue(turnstile.FormField), ipFrom(r))
	switch outcome {
	case turnstile.Off, turnstile.Passed:
		return outcome, http.StatusOK, ""
	case turnstile.Unavailable:
		h.log.WarnContext(r.Context(), "turnstile unavailable", "err", err)
		return outcome, http.StatusServiceUnavailable, "We could not check that you are human just now. Please try again in a moment."
	default:
		h.log.InfoContext(r.Context(), "turnstile failed", "err", err)
		return outcome, http.StatusBadRequest, "Please complete the human check (the box above the button) and try again."
	}
}
