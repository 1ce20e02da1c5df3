package transport

import (
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/dargo-support/dargo/internal/metrics"
	"github.com/dargo-support/dargo/store"
)

// The op labels of dargo_sqs_errors_total.
const (
	sqsOpReceive    = "receive"    // ReceiveMessage
	sqsOpDelete     = "delete"     // DeleteMessageBatch, per message not deleted
	sqsOpVisibility = "visibility" // ChangeMessageVisibility(Batch): heartbeat, retry delay, release
	sqsOpDLQ        = "dlq"        // reading the dead-letter queue's depth
)

// sqsErrors counts n failed SQS calls (or batch entries) of op.
func sqsErrors(op string, n int) {
	if n > 0 {
		metrics.SQSErrors.WithLabelValues(op).Add(float64(n))
	}
}

// observeLatency records, in dargo_inbound_sqs_to_commit_seconds, the time
// from j's arrival on SQS (its SentTimestamp, epoch milliseconds) to now,
// when its mail has been committed. A message without the attribute is
// not observed; a clock behind SQS's counts as 0.
func observeLatency(j job, now time.Time) {
	raw, ok := j.msg.Attributes[string(types.MessageSystemAttributeNameSentTimestamp)]
	if !ok {
		return
	}
	ms, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		return
	}
	metrics.InboundLatency.Observe(max(now.Sub(time.UnixMilli(ms)), 0).Seconds())
}

// Every bounded series exists from the start, at 0, so that increase()
// sees the first event after a restart.
func init() {
	for _, a := range []string{store.ActionCreated, store.ActionAppended, store.ActionDuplicate, store.ActionIgnored, store.ActionQuarantined, store.ActionBounce, store.ActionFailed} {
		metrics.InboundMails.WithLabelValues(a)
	}
	for _, op := range []string{sqsOpReceive, sqsOpDelete, sqsOpVisibility, sqsOpDLQ} {
		metrics.SQSErrors.WithLabelValues(op)
	}
	for _, f := range []string{feedbackBounce, feedbackSoftBounce, feedbackComplaint, feedbackDelivery} {
		metrics.SESFeedback.WithLabelValues(f)
	}
}
