package transport_test

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dargo-support/dargo/inbound/transport"

	"github.com/dargo-support/dargo/inbound"
)

func TestDecodeNotificationFixtures(t *testing.T) {
	tests := []struct {
		file       string
		kind       string
		wrapped    bool
		sesID      string
		sender     string
		null       bool
		recipients []string
		verdicts   inbound.Verdicts
		content    string // a substring of the MIME, for inline mail
		bucket     string
		key        string
		bounce     string // bounceType
		feedback   []string
	}{
		{file: "single_recipient_email_sns_body.json", kind: transport.KindMail, wrapped: true,
			sesID: "s08vnjngg8o82cpus2084722eiate3c6ig885f01", sender: "fxastage@protonmail.com",
			recipients: []string{"ebsbdsan7@test.com"},
			verdicts:   inbound.Verdicts{Spam: "PASS", Virus: "PASS", SPF: "PASS", DKIM: "PASS", DMARC: "PASS"},
			content:    "Return-Path: <fxastage@protonmail.com>\r\n"},
		{file: "replies_email_sns_body.json", kind: transport.KindMail, wrapped: true,
			sesID: "s08vnjngg8o82cpus2084722eiate3c6ig885f01", sender: "fxastage@protonmail.com",
			recipients: []string{"replies@test.com"},
			verdicts:   inbound.Verdicts{Spam: "PASS", Virus: "PASS", SPF: "PASS", DKIM: "PASS", DMARC: "PASS"},
			content:    "Subject: localized email header + footer"},
		{file: "spamVerdict_FAIL_email_sns_body.json", kind: transport.KindMail, wrapped: true,
			sesID: "s08vnjngg8o82cpus2084722eiate3c6ig885f01", sender: "fxastage@protonmail.com",
			recipients: []string{"ebsbdsan7@test.com"},
			verdicts:   inbound.Verdicts{Spam: "FAIL", Virus: "PASS", SPF: "PASS", DKIM: "PASS", DMARC: "PASS"},
			content:    "Return-Path:"},
		{file: "s3_stored_email_sns_body.json", kind: transport.KindMail, wrapped: true,
			sesID: "objectkey123", sender: "source@sender.com", recipients: []string{"sender@test.com"},
			verdicts: inbound.Verdicts{Spam: "PASS", Virus: "PASS", SPF: "PASS", DKIM: "PASS", DMARC: "PASS"},
			bucket:   "test-bucket", key: "/emails/objectkey123"},
		{file: "dmarc_failed_email_sns_body.json", kind: transport.KindMail, wrapped: true,
			sesID: "objectkey123", sender: "source@sender.com", recipients: []string{"sender@test.com"},
			verdicts: inbound.Verdicts{Spam: "PASS", Virus: "PASS", SPF: "FAIL", DKIM: "PASS", DMARC: "FAIL", DMARCPolicy: "reject"},
			bucket:   "test-bucket", key: "/emails/objectkey123"},
		{file: "received_base64_sns_body.json", kind: transport.KindMail, wrapped: true,
			sesID: "fixtureb64000000000000000000000000000001", sender: "anna@customer.example",
			recipients: []string{"support@help.example.com", "billing@help.example.com"},
			verdicts:   inbound.Verdicts{Spam: "PASS", Virus: "PASS", SPF: "PASS", DKIM: "GRAY", DMARC: "PASS"},
			content:    "Die Rechnung für Oktober ist doppelt."},
		{file: "received_raw_delivery_body.json", kind: transport.KindMail,
			sesID: "fixtureraw000000000000000000000000000001", sender: "anna@customer.example",
			recipients: []string{"support@help.example.com", "billing@help.example.com"},
			verdicts:   inbound.Verdicts{Spam: "PASS", Virus: "PASS", SPF: "PASS", DKIM: "GRAY", DMARC: "PASS"},
			content:    "Die Rechnung für Oktober ist doppelt."},
		{file: "received_s3_raw_delivery_body.json", kind: transport.KindMail,
			sesID: "fixtures3raw0000000000000000000000000001", sender: "anna@customer.example",
			recipients: []string{"support@help.example.com", "billing@help.example.com"},
			verdicts:   inbound.Verdicts{Spam: "PASS", Virus: "PASS", SPF: "PASS", DKIM: "GRAY", DMARC: "PASS"},
			bucket:     "dargo-mail", key: "inbound/fixtures3raw0000000000000000000000000001"},
		{file: "received_null_sender_sns_body.json", kind: transport.KindMail, wrapped: true,
			sesID: "fixturenull00000000000000000000000000001", null: true,
			recipients: []string{"support@help.example.com", "billing@help.example.com"},
			verdicts:   inbound.Verdicts{Spam: "PASS", Virus: "PASS", SPF: "PASS", DKIM: "GRAY", DMARC: "PASS"},
			content:    "Die Rechnung"},
		{file: "hard_bounce_sns_body.json", kind: transport.KindBounce, wrapped: true,
			sesID: "0100017e6dde5594-4912fac5-bd85-4358-98d4-7b8d8b89fc60-000000", bounce: "Permanent",
			feedback: []string{"relayuser@test.com"}},
		{file: "bounce_transient_sns_body.json", kind: transport.KindBounce, wrapped: true,
			sesID: "0100019a2b3c4d5e-11111111-2222-3333-4444-555555555555-000000", bounce: "Transient",
			feedback: []string{"bob@customer.example"}},
		{file: "event_bounce_sns_body.json", kind: transport.KindBounce, wrapped: true,
			sesID: "0100019a2b3c4d62-66666666-7777-8888-9999-000000000000-000000", bounce: "Permanent",
			feedback: []string{"carol@customer.example"}},
		{file: "complaint_sns_body.json", kind: transport.KindComplaint, wrapped: true,
			sesID: "0100019a2b3c4d5e-11111111-2222-3333-4444-555555555555-000000", feedback: []string{"bob@customer.example"}},
		{file: "subscription_confirmation_invalid_sns_body.json", kind: transport.KindSubscription, wrapped: true},
		{file: "event_delivery_raw_body.json", kind: transport.KindIgnored,
			sesID: "0100019a2b3c4d5e-11111111-2222-3333-4444-555555555555-000000"},
		{file: "subscription_succeeded_raw_body.json", kind: transport.KindIgnored},
	}
	seen := map[string]bool{}
	for _, tt := range tests {
		seen[tt.file] = true
		t.Run(tt.file, func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join("testdata", "ses", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			n, err := transport.DecodeNotification(body)
			if err != nil {
				t.Fatalf("DecodeNotification: %v", err)
			}
			if n.Kind != tt.kind {
				t.Errorf("kind %q, want %q (type %q)", n.Kind, tt.kind, n.Type)
			}
			if (n.SNS != nil) != tt.wrapped {
				t.Errorf("wrapped %v, want %v", n.SNS != nil, tt.wrapped)
			}
			if n.SESID != tt.sesID {
				t.Errorf("SESID %q, want %q", n.SESID, tt.sesID)
			}
			switch tt.kind {
			case transport.KindMail:
				e := n.Envelope
				if e.SESID != tt.sesID || e.Sender != tt.sender || e.NullSender != tt.null {
					t.Errorf("envelope id %q sender %q null %v, want %q %q %v", e.SESID, e.Sender, e.NullSender, tt.sesID, tt.sender, tt.null)
				}
				if !slices.Equal(e.Recipients, tt.recipients) {
					t.Errorf("recipients %q, want %q", e.Recipients, tt.recipients)
				}
				if e.Verdicts != tt.verdicts {
					t.Errorf("verdicts %+v, want %+v", e.Verdicts, tt.verdicts)
				}
				if n.Bucket != tt.bucket || n.Key != tt.key {
					t.Errorf("s3 %q %q, want %q %q", n.Bucket, n.Key, tt.bucket, tt.key)
				}
				if tt.content == "" && n.Content != nil {
					t.Errorf("content for an S3 action")
				}
				if tt.content != "" && !bytes.Contains(n.Content, []byte(tt.content)) {
					t.Errorf("content lacks %q:\n%.300s", tt.content, n.Content)
				}
			case transport.KindBounce:
				if n.Bounce.BounceType != tt.bounce {
					t.Errorf("bounce type %q, want %q", n.Bounce.BounceType, tt.bounce)
				}
				var got []string
				for _, r := range n.Bounce.BouncedRecipients {
					got = append(got, r.EmailAddress)
				}
				if !slices.Equal(got, tt.feedback) {
					t.Errorf("bounced %q, want %q", got, tt.feedback)
				}
			case transport.KindComplaint:
				var got []string
				for _, r := range n.Complaint.ComplainedRecipients {
					got = append(got, r.EmailAddress)
				}
				if !slices.Equal(got, tt.feedback) || n.Complaint.ComplaintFeedbackType != "abuse" {
					t.Errorf("complained %q (%q), want %q", got, n.Complaint.ComplaintFeedbackType, tt.feedback)
				}
			case transport.KindSubscription:
				if !strings.Contains(n.SNS.SubscribeURL, "ConfirmSubscription") {
					t.Errorf("SubscribeURL %q", n.SNS.SubscribeURL)
				}
			}
		})
	}
	entries, _ := os.ReadDir(filepath.Join("testdata", "ses"))
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".json") && !seen[e.Name()] {
			t.Errorf("fixture %s is not in the table", e.Name())
		}
	}
}

func TestDecodeNotificationWrappedEqualsRaw(t *testing.T) {
	wrapped, err := os.ReadFile(filepath.Join("testdata", "ses", "received_base64_sns_body.json"))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join("testdata", "ses", "received_raw_delivery_body.json"))
	if err != nil {
		t.Fatal(err)
	}
	a, err := transport.DecodeNotification(wrapped)
	if err != nil {
		t.Fatal(err)
	}
	b, err := transport.DecodeNotification(raw)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Content, b.Content) {
		t.Errorf("BASE64 (wrapped) and UTF8 (raw) decode to different MIME:\n%q\n%q", a.Content, b.Content)
	}
}

func TestDecodeNotificationErrors(t *testing.T) {
	for name, body := range map[string]string{
		"not json":           `Return-Path: <a@b>`,
		"truncated":          `{"Type":"Notification","Message":"{\"notificationType\":`,
		"neither":            `{"hello":"world"}`,
		"message not json":   `{"Type":"Notification","Message":"hello"}`,
		"received no mail":   `{"notificationType":"Received","mail":{"messageId":"x"},"receipt":{"action":{"type":"SNS","encoding":"UTF8"}}}`,
		"bad base64":         `{"notificationType":"Received","mail":{"messageId":"x"},"receipt":{"action":{"type":"SNS","encoding":"BASE64"}},"content":"!!!"}`,
		"unknown encoding":   `{"notificationType":"Received","mail":{"messageId":"x"},"receipt":{"action":{"type":"SNS","encoding":"UTF16"}},"content":"x"}`,
		"s3 without key":     `{"notificationType":"Received","mail":{"messageId":"x"},"receipt":{"action":{"type":"S3","bucketName":"b"}}}`,
		"lambda action":      `{"notificationType":"Received","mail":{"messageId":"x"},"receipt":{"action":{"type":"Lambda"}}}`,
		"no receipt":         `{"notificationType":"Received","mail":{"messageId":"x"},"content":"x"}`,
		"no message id":      `{"notificationType":"Received","mail":{},"receipt":{"action":{"type":"SNS"}},"content":"x"}`,
		"bounce without obj": `{"notificationType":"Bounce","mail":{"messageId":"x"}}`,
	} {
		t.Run(name, func(t *testing.T) {
			if n, err := transport.DecodeNotification([]byte(body)); err == nil {
				t.Errorf("no error; got %+v", n)
			}
		})
	}
}

func TestDecodeNotificationUnknownTypes(t *testing.T) {
	for _, body := range []string{
		`{"Type":"SomethingNew","MessageId":"1","Message":"x"}`,
		`{"Type":"Notification","Message":"{\"notificationType\":\"Rendering Failure\",\"mail\":{\"messageId\":\"x\"},\"extra\":{\"a\":1}}"}`,
		`{"eventType":"Open","mail":{"messageId":"x"},"open":{"ipAddress":"192.0.2.1"}}`,
	} {
		n, err := transport.DecodeNotification([]byte(body))
		if err != nil || n.Kind != transport.KindIgnored {
			t.Errorf("%s: %+v, %v; want ignored", body, n, err)
		}
	}
}

// BenchmarkDecodeNotification decodes an SNS-wrapped SES Received
// notification carrying a 17 KB mail as base64, as the consumer does for
// every SQS message.
func BenchmarkDecodeNotification(b *testing.B) {
	raw := bytes.Repeat([]byte("Also, the printer driver crashes on install with error 0x80070643; same result.\r\n"), 210)
	raw = append([]byte("From: kunde@customer.example\r\nTo: support@help.example.com\r\nSubject: crash\r\n\r\n"), raw...)
	body := []byte(snsWrap(sqsReceived("bench-1", raw, "BASE64", "")))
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := transport.DecodeNotification(body); err != nil {
			b.Fatal(err)
		}
	}
}
