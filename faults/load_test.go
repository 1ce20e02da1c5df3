//go:build faults

package faults

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// supportAddress is where the customers write.
const supportAddress = "support@help.example.com"

// mail is one customer mail of the load and what became of it.
type mail struct {
	token string    // unique; in the subject and the sender's address
	sent  time.Time // SendMessage returned

	tickets     int       // tickets whose subject holds the token
	ticketAt    time.Time // the first one's created_at
	confirms    int       // confirmations SES (moto) accepted for the sender
	confirmedAt time.Time // when the first was seen
	interrupted int       // the confirmation's emails.interrupted, -1 without the column
}

func (m *mail) address() string { return "c-" + m.token + "@customers.example" }

// done says whether the mail has its ticket and its confirmation.
func (m *mail) done() bool { return m.tickets > 0 && m.confirms > 0 }

// doneAt is when the mail was done (zero while it is not).
func (m *mail) doneAt() time.Time {
	if !m.done() {
		return time.Time{}
	}
	if m.confirmedAt.After(m.ticketAt) {
		return m.confirmedAt
	}
	return m.ticketAt
}

// load sends customer mail to the SQS queue as SES's receipt rule would.
type load struct {
	client   *sqs.Client
	queueURL string
	run      string // distinguishes this run's tokens

	mu     sync.Mutex
	mails  []*mail
	byTok  map[string]*mail
	failed int // SendMessage errors
}

// send keeps sending, one mail per interval, until ctx ends.
func (l *load) send(ctx context.Context, interval time.Duration) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for n := 1; ; n++ {
		l.sendOne(ctx, fmt.Sprintf("m%05d%s", n, l.run))
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

func (l *load) sendOne(ctx context.Context, token string) {
	m := &mail{token: token, interrupted: -1}
	body := sesReceived(token, m.address(), rawMail(token, m.address()))
	sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	_, err := l.client.SendMessage(sctx, &sqs.SendMessageInput{QueueUrl: &l.queueURL, MessageBody: aws.String(body)})
	l.mu.Lock()
	defer l.mu.Unlock()
	if err != nil {
		l.failed++
		return
	}
	m.sent = time.Now()
	l.mails = append(l.mails, m)
	l.byTok[token] = m
}

// rawMail is a customer's first mail about an order.
func rawMail(token, from string) string {
	return "From: Customer " + token + " <" + from + ">\r\n" +
		"To: " + supportAddress + "\r\n" +
		"Subject: Order " + token + " has not arrived\r\n" +
		"Message-ID: <" + token + "@customers.example>\r\n" +
		"Date: " + time.Now().UTC().Format(time.RFC1123Z) + "\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
		"Hello, my order " + token + " has not arrived. Where is it?\r\n"
}

// sesReceived is an SES Received notification with the raw mail inline
// (SNS action, BASE64), wrapped in SNS as it lands on the queue.
func sesReceived(sesID, from, raw string) string {
	pass := map[string]string{"status": "PASS"}
	note := map[string]any{
		"notificationType": "Received",
		"mail": map[string]any{"messageId": sesID, "source": from, "destination": []string{supportAddress},
			"timestamp": time.Now().UTC().Format("2006-01-02T15:04:05.000Z")},
		"receipt": map[string]any{"recipients": []string{supportAddress},
			"spamVerdict": pass, "virusVerdict": pass, "spfVerdict": pass, "dkimVerdict": pass, "dmarcVerdict": pass,
			"action": map[string]any{"type": "SNS", "encoding": "BASE64", "topicArn": "arn:aws:sns:us-east-1:123456789012:ses-inbound"}},
		"content": base64.StdEncoding.EncodeToString([]byte(raw)),
	}
	inner, _ := json.Marshal(note)
	outer, _ := json.Marshal(map[string]any{"Type": "Notification", "MessageId": "sns-" + sesID,
		"TopicArn": "arn:aws:sns:us-east-1:123456789012:ses-inbound", "Message": string(inner)})
	return string(outer)
}
