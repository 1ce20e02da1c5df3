package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/dargo-support/dargo/internal/testaws"
	"github.com/dargo-support/dargo/internal/testredis"
	"github.com/dargo-support/dargo/store"
)

// sesVerdicts is an SNS-wrapped SES Received notification with the mail
// inline (SNS action, BASE64) from source, and these receipt verdicts
// (missing ones PASS).
func sesVerdicts(sesID, source string, verdicts map[string]string, raw []byte) string {
	receipt := map[string]any{"recipients": []string{"support@help.example.com"},
		"action": map[string]any{"type": "SNS", "encoding": "BASE64", "topicArn": "arn:aws:sns:us-east-1:123456789012:ses-inbound"}}
	for _, k := range []string{"spamVerdict", "virusVerdict", "spfVerdict", "dkimVerdict", "dmarcVerdict"} {
		status := "PASS"
		if v, ok := verdicts[k]; ok {
			status = v
		}
		receipt[k] = map[string]string{"status": status}
	}
	inner, _ := json.Marshal(map[string]any{
		"notificationType": "Received",
		"mail": map[string]any{"messageId": sesID, "source": source,
			"destination": []string{"support@help.example.com"}, "timestamp": "2026-11-02T09:14:03.000Z"},
		"receipt": receipt,
		"content": base64.StdEncoding.EncodeToString(raw),
	})
	outer, _ := json.Marshal(map[string]any{"Type": "Notification", "MessageId": "sns-" + sesID,
		"TopicArn": "arn:aws:sns:us-east-1:123456789012:ses-inbound", "Message": string(inner)})
	return string(outer)
}

// TestTooLargeNoticeThroughSQS runs `dargo inbound` on SES notifications
// from moto's SQS and `dargo worker` sending with moto's SES: two mails
// over DARGO_MAX_MAIL_BYTES from one verified sender within a day bring
// exactly one notice, which SES sends with the limit and our footer; an
// oversized mail with a spam or a virus verdict, and one from a sender
// that is not verified, bring none. All five are held.
func TestTooLargeNoticeThroughSQS(t *testing.T) {
	endpoint := testaws.Moto(t)
	testaws.Env(t, endpoint)
	verifyIdentity(t, "help.example.com")
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sq := sqs.NewFromConfig(cfg)
	databases(t, func(t *testing.T, url string) {
		dialect := strings.SplitN(url, ":", 2)[0]
		name := strings.NewReplacer("/", "-", "_", "-").Replace(t.Name())
		q, err := sq.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		big := func(from, subject string) []byte {
			return []byte("From: " + from + "\r\nTo: support@help.example.com\r\nSubject: " + subject +
				"\r\nMessage-ID: <" + subject + "@example.com>\r\nContent-Type: text/plain\r\n\r\n" + strings.Repeat("photo bytes\r\n", 1000))
		}
		ada := "ada-" + dialect + "@example.com"
		mails := []struct {
			id, from string
			verdicts map[string]string
		}{
			{"big-1", ada, nil},
			{"big-2", ada, nil},
			{"big-spam", "bob-" + dialect + "@example.com", map[string]string{"spamVerdict": "FAIL"}},
			{"big-virus", "carol-" + dialect + "@example.com", map[string]string{"virusVerdict": "FAIL"}},
			{"big-forged", "dan-" + dialect + "@example.com", map[string]string{"spfVerdict": "FAIL", "dkimVerdict": "FAIL", "dmarcVerdict": "FAIL"}},
		}
		for _, m := range mails {
			body := sesVerdicts(dialect+"-"+m.id, m.from, m.verdicts, big("Ada <"+m.from+">", dialect+"-"+m.id))
			if _, err := sq.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: q.QueueUrl, MessageBody: aws.String(body)}); err != nil {
				t.Fatal(err)
			}
		}
		r := testredis.Open(t, redisDB)
		env := append(baseEnv(url), "DARGO_SQS_QUEUE_URL="+*q.QueueUrl, "DARGO_MAX_MAIL_BYTES=8192",
			"DARGO_FROM=Help Desk <support@help.example.com>", "DARGO_BASE_URL=https://help.example.com",
			fmt.Sprintf("DARGO_REDIS_URL=redis://%s/%d", r.Addr, r.DB),
			"DARGO_MAILER=ses", "DARGO_SES_MAX_RATE=50", "DARGO_RELAY_INTERVAL=100ms",
			"AWS_REGION=us-east-1", "AWS_ACCESS_KEY_ID=testing", "AWS_SECRET_ACCESS_KEY=testing",
			"AWS_ENDPOINT_URL_SQS="+endpoint, "AWS_ENDPOINT_URL_SESV2="+endpoint)
		if _, errOut, code := dargo(t, env, nil, "migrate"); code != 0 {
			t.Fatalf("migrate: %s", errOut)
		}
		db, err := store.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		inbound := startProcess(t, env, "inbound")
		worker := startProcess(t, env, "worker", "--concurrency", "2")
		held := func() int {
			var n int
			db.X.GetContext(ctx, &n, `SELECT COUNT(*) FROM inbound_mail WHERE status = 'quarantined'`)
			return n
		}
		for deadline := time.Now().Add(60 * time.Second); held() < len(mails); time.Sleep(200 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%d of %d mails held after 60s", held(), len(mails))
			}
		}
		for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(200 * time.Millisecond) {
			es, _ := db.Emails(ctx, ada) // the notice creates no user: ada has no export
			if len(es) > 0 && es[0].Status == store.EmailSent {
				if es[0].Kind != store.EmailTooLarge || es[0].Subject != dialect+"-big-1" && es[0].Subject != dialect+"-big-2" {
					t.Errorf("ada's mail: %+v", es[0])
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("no notice sent to ada after 60s: %+v", es)
			}
		}
		for _, m := range mails {
			es, err := db.Emails(ctx, m.from)
			if err != nil {
				t.Fatal(err)
			}
			if want := map[string]int{ada: 1}[m.from]; len(es) != want {
				t.Errorf("%s (%s) got %d mails, want %d", m.from, m.id, len(es), want)
			}
		}
		raw, _ := sentByMoto(t, endpoint, ada)
		text := strings.Join(strings.Fields(strings.ReplaceAll(raw, "=\r\n", "")), " ")
		for _, want := range []string{
			"Subject: Your message was not delivered: it is larger than 8 KB",
			"was not delivered because it is larger than 8 KB",
			"Auto-Submitted: auto-generated",
			"Privacy policy: https://help.example.com/privacy",
		} {
			if !strings.Contains(text, want) {
				t.Errorf("the notice SES sent lacks %q:\n%s", want, raw)
			}
		}
		for _, p := range []interface{ Signal(os.Signal) error }{inbound.Process, worker.Process} {
			p.Signal(os.Interrupt)
		}
		inbound.Wait()
		worker.Wait()
	})
}
