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
// temporary (retried with backoff) or permanent (asynq.SkipRetry).
//
// Redis is a cache of work, never its only copy. Beside the relay, a
// reconciliation enqueues again, under the same TaskID, mail still queued
// two minutes after it was handed over (Reconcile, a batch at a time), an
// email:send task out of retries without a recorded failure is revoked,
// not archived, so its TaskID is free for that; and each worker re-enqueues at once the mail of an
// email:send task whose worker stopped (Orphans), instead of waiting for
// asynq's recoverer. A send is claimed on its row right before the SES
// call (store.ClaimSend), so of all these copies one sends; only a worker
// killed inside the SES call (or an SES answer that leaves it unknown, a
// 5xx or a broken connection: the SES client tries once) can leave a mail
// that goes twice, and the row counts that (interrupted). A mail SES took
// but the database could not record is noted in Redis first, and the
// retry records it from the note instead of sending again.
//
// The scheduler enqueues the periodic sweeps and checks as unique tasks,
// so a second scheduler is harmless; a run that fails on its last retry is
// revoked, not archived, and the next run takes over.
package jobs
