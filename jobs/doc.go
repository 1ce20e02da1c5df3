// Package jobs is Dargo's worker tier on asynq and Redis.
//
// Every mail is owed through an outbox row written in the same transaction
// as the event that owes it; the Relay hands those rows to asynq as
// email:send tasks whose TaskID is the row id, so a relay that runs twice,
// or dies between enqueue and marking, never makes a second task. The
// email:send handler is idempotent as well: it sends only a mail whose
// emails row is still queued, never to a suppressed address nor optional
// mail to someone who objected to it (store.StopReason), at the send
// rate kept in Redis for all worker replicas, and classifies failures as
// temporary (retried with backoff) or permanent (asynq.SkipRetry). The
// scheduler enqueues the periodic sweeps as unique tasks, so a second
// scheduler is harmless.
package jobs
