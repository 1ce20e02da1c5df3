package outbound

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"

	"github.com/dargo-support/dargo/internal/awslog"
	"github.com/dargo-support/dargo/internal/metrics"
)

// SES sends raw mail through Amazon SES v2.
type SES struct {
	client *sesv2.Client
}

// NewSES returns a sender on client.
func NewSES(client *sesv2.Client) *SES { return &SES{client: client} }

// NewSESFromEnv builds the client from the SDK's standard configuration
// chain, so AWS_REGION, credentials and AWS_ENDPOINT_URL_SESV2 apply.
func NewSESFromEnv(ctx context.Context) (*SES, error) {
	cfg, err := config.LoadDefaultConfig(ctx, awslog.Option())
	if err != nil {
		return nil, fmt.Errorf("outbound: aws config: %w", err)
	}
	return NewSES(sesv2.NewFromConfig(cfg)), nil
}

// Send sends raw as it is and returns the SES MessageId. Errors are
// temporary unless they are a *PermanentError.
//
// It makes exactly one request, whatever the client's retryer: after a
// broken connection or a 5xx SES may have taken the mail, and a retry
// inside the SDK would mail it twice unseen. The task queue retries
// instead, with back-off, and the task's attempt counts the doubt.
//
// Each call is timed (dargo_ses_send_duration_seconds) and each failure
// counted by its class (dargo_ses_errors_total).
func (s *SES) Send(ctx context.Context, from string, to []string, raw []byte) (string, error) {
	start := time.Now()
	out, err := s.client.SendEmail(ctx, &sesv2.SendEmailInput{
		FromEmailAddress: aws.String(from),
		Destination:      &types.Destination{ToAddresses: to},
		Content:          &types.EmailContent{Raw: &types.RawMessage{Data: raw}},
	}, oneTry)
	metrics.SESSendDuration.Observe(time.Since(start).Seconds())
	if err != nil {
		err = classify(fmt.Errorf("outbound: ses send: %w", err))
	} else if aws.ToString(out.MessageId) == "" {
		err = errors.New("outbound: ses send: no MessageId in the answer")
	}
	if err != nil {
		metrics.SESErrors.WithLabelValues(errorClass(err)).Inc()
		return "", err
	}
	return aws.ToString(out.MessageId), nil
}

// oneTry makes an operation a single request.
func oneTry(o *sesv2.Options) { o.Retryer = aws.NopRetryer{} }

// MaxSendRate returns the account's maximum number of mails per second.
func (s *SES) MaxSendRate(ctx context.Context) (float64, error) {
	out, err := s.client.GetAccount(ctx, &sesv2.GetAccountInput{})
	if err != nil {
		return 0, fmt.Errorf("outbound: ses get account: %w", err)
	}
	if out.SendQuota == nil {
		return 0, errors.New("outbound: ses get account: no send quota")
	}
	return out.SendQuota.MaxSendRate, nil
}
