package store

// Actions an ingested mail can end in (Outcome.Action), shared by the
// pipeline that decides them and the pages that show them.
const (
	ActionCreated     = "created"
	ActionAppended    = "appended"
	ActionDuplicate   = "duplicate"
	ActionIgnored     = "ignored"
	ActionQuarantined = "quarantined"
	ActionBounce      = "bounce"
	// ActionFeedback is an abuse report (ARF) or an AWS notification that
	// came as mail: feedback about a mail we sent, never a ticket or a reply.
	ActionFeedback = "feedback"
)

// ActionFailed is no ingested mail's action: it counts, in
// dargo_inbound_mails_total, a mail whose processing failed and that stays
// on its queue (or that `dargo ingest` could not take).
const ActionFailed = "failed"
