// Package inbound is the pipeline that turns mail into tickets: it stores
// the raw bytes first, parses them with mailparse, classifies the mail
// (bounce, automatic reply, spam or virus verdict, too large), routes it to a
// ticket by reply address, thread ids or subject tag, checks the sender and
// delivers it to the store. How mail arrives (SQS, SNS, the SMTP listener) is
// inbound/transport's job; it calls Pipeline.Ingest through its Ingester
// interface.
//
// Mail to a staff reply address (replyaddr.StaffAddr, the Reply-To of a
// staff notice) is a staff member answering by mail (staff_mail.go). It is
// acted on only when SES's verdicts or a trusted Authentication-Results
// field prove that the From is that staff member; its first lines may hold
// commands (commands.go) and its signature is cut (mailparse.StripSignature). Anything
// else is held on the ticket as a note, and automatic replies are ignored.
package inbound
