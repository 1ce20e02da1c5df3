package transport_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/dargo-support/dargo/inbound/transport"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// TestSQSConsumerVerifiesSignatures: with a Verifier, a correctly signed
// mail is ingested; a tampered one and a raw (unsigned) delivery are poison.
func TestSQSConsumerVerifiesSignatures(t *testing.T) {
	db := testdb.Open(t, store.SQLite)
	q := sqsSetup(t, 1)
	s := newSNSSigner(t)

	inner, _ := json.Marshal(sqsReceived("ses-signed", sqsMail(1, "signed@customer.example"), "UTF8", ""))
	good := snsWrapMessage(string(inner))
	s.sign(t, good, "2")
	body, _ := json.Marshal(good)
	q.send(t, q.main, string(body))

	inner, _ = json.Marshal(sqsReceived("ses-tampered", sqsMail(2, "forged@customer.example"), "UTF8", ""))
	bad := snsWrapMessage(string(inner))
	s.sign(t, bad, "1")
	bad.Message = strings.Replace(bad.Message, "forged@", "ceo@", -1)
	body, _ = json.Marshal(bad)
	q.send(t, q.main, string(body))

	raw, _ := json.Marshal(sqsReceived("ses-raw", sqsMail(3, "raw@customer.example"), "UTF8", ""))
	q.send(t, q.main, string(raw))

	sqsStart(t, transport.ConsumerOpts{QueueURL: q.main, Client: q.client, Pipeline: sqsPipeline(t, db), Verifier: s.verifier(),
		Visibility: 6 * time.Second, Retry: time.Second})
	eventually(t, 20*time.Second, "the signed mail ingested and the others in the DLQ", func() bool {
		return q.count(t, q.main) == 0 && q.count(t, q.dlq) == 2
	})
	if got := sqsCount(t, db, `SELECT COUNT(*) FROM inbound_mail`); got != 1 {
		t.Errorf("%d inbound mails, want only the signed one", got)
	}
	if got := sqsCount(t, db, `SELECT COUNT(*) FROM inbound_mail WHERE ses_id = 'ses-signed'`); got != 1 {
		t.Errorf("the signed mail was not ingested")
	}
	if n := s.fetches.Load(); n != 1 {
		t.Errorf("certificate fetched %d times, want once", n)
	}
}
