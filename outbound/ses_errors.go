package outbound

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/dargo-support/dargo/internal/metrics"
)

// permanentCodes are the SES error codes that retrying will not fix: the
// message or an address is refused, or the account cannot send at all
// until a person acts.
var permanentCodes = map[string]bool{
	"MessageRejected":                    true,
	"MailFromDomainNotVerifiedException": true,
	"AccountSuspendedException":          true,
	"SendingPausedException":             true,
	"NotFoundException":                  true, // the sending identity does not exist
	"BadRequestException":                true, // for example a malformed address
}

// throttleCodes are the SES error codes that say "slow down".
var throttleCodes = map[string]bool{
	"TooManyRequestsException": true,
	"LimitExceededException":   true,
	"Throttling":               true,
	"ThrottlingException":      true,
}

// classify marks err permanent when SES refused the mail for good; anything
// else (throttling, 5xx, network, unknown) stays temporary.
func classify(err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || IsThrottled(err) {
		return err
	}
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) && (re.HTTPStatusCode() == 429 || re.HTTPStatusCode() >= 500) {
		return err
	}
	var (
		rejected   *types.MessageRejected
		mailFrom   *types.MailFromDomainNotVerifiedException
		suspended  *types.AccountSuspendedException
		paused     *types.SendingPausedException
		notFound   *types.NotFoundException
		badRequest *types.BadRequestException
		api        smithy.APIError
	)
	switch {
	case errors.As(err, &rejected), errors.As(err, &mailFrom), errors.As(err, &suspended),
		errors.As(err, &paused), errors.As(err, &notFound), errors.As(err, &badRequest):
		return &PermanentError{Err: err}
	case errors.As(err, &api) && permanentCodes[api.ErrorCode()]:
		return &PermanentError{Err: err}
	}
	return err
}

// IsThrottled reports whether err is SES asking to slow down (HTTP 429 or
// a throttling code), so a caller can back off for longer.
func IsThrottled(err error) bool {
	var api smithy.APIError
	if errors.As(err, &api) && throttleCodes[api.ErrorCode()] {
		return true
	}
	var re *smithyhttp.ResponseError
	return errors.As(err, &re) && re.HTTPStatusCode() == 429
}

// IsUnsure reports whether a failed send leaves it unknown whether SES
// took the mail: a 5xx (SES may have failed after taking it), a transport
// error, a timeout, a cancelled call, an answer without a MessageId. Only
// an answer that refuses the mail (throttling, a permanent refusal, another
// 4xx) says it is not out.
func IsUnsure(err error) bool {
	if err == nil {
		return false
	}
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) && re.HTTPStatusCode() >= 500 {
		return true
	}
	var api smithy.APIError
	return !errors.As(err, &api) && !IsPermanent(err) && !IsThrottled(err)
}

// Every class exists from the start, at 0, so that increase() sees the
// first error after a restart.
func init() {
	for _, c := range []string{"throttled", "permanent", "unsure", "temporary"} {
		metrics.SESErrors.WithLabelValues(c)
	}
}

// errorClass is the class of a failed send in dargo_ses_errors_total:
// throttled, permanent, unsure or temporary.
func errorClass(err error) string {
	switch {
	case IsThrottled(err):
		return "throttled"
	case IsPermanent(err):
		return "permanent"
	case IsUnsure(err):
		return "unsure"
	default:
		return "temporary"
	}
}
