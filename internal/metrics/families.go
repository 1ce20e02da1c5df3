package metrics

// The families, grouped by the process that records them. Names, types
// and labels are a contract: the README table, deploy/grafana and
// deploy/prometheus use them.

var (
	// HTTPRequests counts the web tier's answers by route pattern (as
	// routes.go writes it, "unmatched" for none), method and status code.
	HTTPRequests = counter("dargo_http_requests_total",
		"HTTP requests answered, by route pattern, method and status code.", "route", "method", "code")
	// HTTPDuration is the time to answer, by route pattern.
	HTTPDuration = histogram("dargo_http_request_duration_seconds",
		"Time to answer an HTTP request, by route pattern.", httpBuckets, "route")
	// SigninLinks counts sign-in link requests: sent, or refused and why
	// (rate_limited, bot_check, invalid_address, unavailable).
	SigninLinks = counter("dargo_signin_links_total",
		"Sign-in link requests, by result: sent, rate_limited, bot_check, invalid_address, unavailable.", "result")
	// SigninConfirms counts uses of sign-in links: ok, or refused
	// (expired, used, invalid, rate_limited, bot_check, unavailable).
	SigninConfirms = counter("dargo_signin_confirms_total",
		"Sign-in link uses, by result: ok, expired, used, invalid, rate_limited, bot_check, unavailable.", "result")
)

var (
	// InboundMails counts ingested mails by the pipeline's action
	// (store.Action*: created, appended, duplicate, ignored,
	// quarantined, bounce, feedback) and "failed" for a mail left on the queue.
	InboundMails = counter("dargo_inbound_mails_total",
		"Inbound mail processing attempts, by outcome: created, appended, duplicate, ignored, quarantined, bounce, feedback, failed (a mail that fails and then succeeds counts once each).", "action")
	// SQSErrors counts failed SQS calls by operation: receive, delete,
	// visibility (ChangeMessageVisibility) and dlq (reading the
	// dead-letter queue's depth).
	SQSErrors = counter("dargo_sqs_errors_total",
		"Failed SQS calls, by operation: receive, delete, visibility, dlq.", "op")
	// InboundLatency is from SQS's SentTimestamp to the mail's commit.
	InboundLatency = histogram1("dargo_inbound_sqs_to_commit_seconds",
		"Time from a notification's arrival on SQS (SentTimestamp) to its mail being committed.", latencyBuckets)
	// InboundInFlight is the number of messages received and not yet done.
	InboundInFlight = gauge1("dargo_inbound_in_flight",
		"SQS messages received and not yet finished (processing or waiting for a processor).")
	// SESFeedback counts SES bounce and complaint notifications by type:
	// bounce (permanent), soft_bounce (transient) and complaint.
	SESFeedback = counter("dargo_ses_feedback_total",
		"SES feedback notifications received, by type: bounce, soft_bounce, complaint, delivery.", "type")
	// DLQMessages is the approximate depth of the SQS dead-letter queue
	// behind each queue the consumer reads (its RedrivePolicy).
	DLQMessages = gauge("dargo_sqs_dlq_messages",
		"Approximate messages in the SQS dead-letter queue of a consumed queue, by queue: inbound, feedback.", "queue")
)

var (
	// OutboundMails counts the end of each send attempt by mail kind
	// (store.MailKinds) and status: sent, failed (permanently),
	// suppressed (not sent: a suppressed or objecting address), retry.
	OutboundMails = counter("dargo_outbound_mails_total",
		"Outbound mail send attempts, by kind and status: sent, failed, suppressed, retry.", "kind", "status")
	// SESErrors counts failed SES calls by class: throttled, permanent,
	// temporary, unsure (cut off: SES may have taken the mail).
	SESErrors = counter("dargo_ses_errors_total",
		"Failed SES SendEmail calls, by class: throttled, permanent, temporary, unsure.", "class")
	// SESSendDuration is the time of one SES SendEmail call.
	SESSendDuration = histogram1("dargo_ses_send_duration_seconds",
		"Time of one SES SendEmail call, whatever its outcome.", sesBuckets)
	// Tasks counts asynq task runs by type and outcome: ok, retry,
	// failed (no retry left, or not retried), panic.
	Tasks = counter("dargo_tasks_total",
		"Asynq task runs, by task type and outcome: ok, retry, failed, panic.", "type", "outcome")
	// TaskDuration is the time of one task run, by type.
	TaskDuration = histogram("dargo_task_duration_seconds",
		"Time of one asynq task run, by task type.", taskBuckets, "type")
)

var (
	httpBuckets    = []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}
	latencyBuckets = []float64{.05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600}
	sesBuckets     = []float64{.025, .05, .1, .25, .5, 1, 2.5, 5, 10, 15}
	taskBuckets    = []float64{.005, .01, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300}
)

func init() {
	Web = append(Web, HTTPRequests, HTTPDuration, SigninLinks, SigninConfirms)
	Inbound = append(Inbound, InboundMails, SQSErrors, InboundLatency, InboundInFlight, SESFeedback, DLQMessages)
	Worker = append(Worker, OutboundMails, SESErrors, SESSendDuration, Tasks, TaskDuration)
}
