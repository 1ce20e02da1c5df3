package inbound

import "github.com/dargo-support/dargo/inbound/mailparse"

// The pipeline works on mailparse's types; these names keep its code (and
// its callers) as it was before the MIME work moved to mailparse.
type (
	Mail     = mailparse.Mail
	Address  = mailparse.Address
	Envelope = mailparse.Envelope
	Verdicts = mailparse.Verdicts
	Result   = mailparse.Result
	Item     = mailparse.Item

	Report          = mailparse.Report
	ReportRecipient = mailparse.ReportRecipient
)
