package mailparse

// Envelope is what the transport knows beside the MIME: SES's id and the
// envelope recipients (which may differ from the To header), and verdicts.
type Envelope struct {
	SESID  string
	Sender string
	// NullSender is set when the transport saw MAIL FROM:<> (bounces and
	// other automatic mail), which a missing Return-Path cannot tell.
	NullSender bool
	Recipients []string
	Verdicts   Verdicts // SES's receipt verdicts, stored with the raw mail
}

// Verdicts are SES's receipt checks: PASS, FAIL, GRAY or PROCESSING_FAILED,
// "" when unknown (mail that did not come through SES).
type Verdicts struct {
	Spam        string `json:"spam,omitempty"`
	Virus       string `json:"virus,omitempty"`
	SPF         string `json:"spf,omitempty"`
	DKIM        string `json:"dkim,omitempty"`
	DMARC       string `json:"dmarc,omitempty"`
	DMARCPolicy string `json:"dmarc_policy,omitempty"` // none, quarantine or reject
}

// Result is what became of one mail; it is printed by `dargo ingest`.
// Action is one of store's Action constants (store.ActionCreated…).
type Result struct {
	Action  string `json:"action"`
	Ticket  *int64 `json:"ticket"`
	Message *int64 `json:"message"`
	Reason  string `json:"reason"`
}
