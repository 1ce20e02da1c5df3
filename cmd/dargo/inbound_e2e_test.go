package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/dargo-support/dargo/internal/testaws"
	"github.com/dargo-support/dargo/store"
)

// sesReceived is an SNS-wrapped SES Received notification in the shape SES
// sends: the notification is a JSON string in Message.
func sesReceived(t *testing.T, sesID string, action map[string]any, content string) string {
	t.Helper()
	note := map[string]any{
		"notificationType": "Received",
		"mail": map[string]any{"messageId": sesID, "source": "juergen.mueller@example.de",
			"destination": []string{"support@help.example.com"}, "timestamp": "2026-11-02T09:14:03.000Z"},
		"receipt": map[string]any{"recipients": []string{"support@help.example.com"},
			"spamVerdict": map[string]string{"status": "PASS"}, "virusVerdict": map[string]string{"status": "PASS"},
			"spfVerdict": map[string]string{"status": "PASS"}, "dkimVerdict": map[string]string{"status": "PASS"},
			"dmarcVerdict": map[string]string{"status": "PASS"}, "action": action},
	}
	if content != "" {
		note["content"] = content
	}
	inner, _ := json.Marshal(note)
	outer, _ := json.Marshal(map[string]any{"Type": "Notification", "MessageId": "sns-" + sesID,
		"TopicArn": "arn:aws:sns:us-east-1:123456789012:ses-inbound", "Message": string(inner)})
	return string(outer)
}

// TestInboundConsumesSESFromSQS runs `dargo inbound` against moto: one mail
// inline (SNS action, BASE64), one stored by an S3 action, raw mail and
// attachments kept in the blob bucket; both become tickets, the queue empties.
func TestInboundConsumesSESFromSQS(t *testing.T) {
	endpoint := testaws.Moto(t)
	testaws.Env(t, endpoint)
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sq, s3c := sqs.NewFromConfig(cfg), s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	databases(t, func(t *testing.T, url string) {
		name := strings.NewReplacer("/", "-", "_", "-").Replace(t.Name())
		q, err := sq.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range []string{name + "-receipts", name + "-blobs"} {
			if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(strings.ToLower(b))}); err != nil {
				t.Fatal(err)
			}
		}
		raw, _ := os.ReadFile("testdata/new.eml")
		second := bytes.Replace(raw, []byte("CAF1xyz0001@"), []byte("CAF1xyz0009@"), 1)
		second = bytes.Replace(second, []byte("From: =?UTF-8?Q?J=C3=BCrgen_M=C3=BCller?= <Juergen.Mueller@Example.de>"), []byte("From: Ada <ada@example.com>"), 1)
		receipts := strings.ToLower(name + "-receipts")
		if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(receipts), Key: aws.String("mail/ses-2"), Body: bytes.NewReader(second)}); err != nil {
			t.Fatal(err)
		}
		for _, body := range []string{
			sesReceived(t, "ses-1", map[string]any{"type": "SNS", "encoding": "BASE64", "topicArn": "arn:aws:sns:us-east-1:123456789012:ses-inbound"},
				base64.StdEncoding.EncodeToString(raw)),
			sesReceived(t, "ses-2", map[string]any{"type": "S3", "bucketName": receipts, "objectKey": "mail/ses-2", "objectKeyPrefix": "mail"}, ""),
		} {
			if _, err := sq.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: q.QueueUrl, MessageBody: aws.String(body)}); err != nil {
				t.Fatal(err)
			}
		}
		env := append(baseEnv(url), "DARGO_SQS_QUEUE_URL="+*q.QueueUrl, "DARGO_BLOB_BUCKET="+strings.ToLower(name+"-blobs"),
			"AWS_REGION=us-east-1", "AWS_ACCESS_KEY_ID=testing", "AWS_SECRET_ACCESS_KEY=testing",
			"AWS_ENDPOINT_URL_SQS="+endpoint, "AWS_ENDPOINT_URL_S3="+endpoint)
		if _, errOut, code := dargo(t, env, nil, "migrate"); code != 0 {
			t.Fatalf("migrate: %s", errOut)
		}
		proc := startProcess(t, env, "inbound")
		waitExport(t, env, "juergen.mueller@example.de", func(d *store.Export) bool { return len(d.Tickets) == 1 })
		doc := waitExport(t, env, "ada@example.com", func(d *store.Export) bool { return len(d.Tickets) == 1 })
		if len(doc.Tickets[0].Messages) != 1 || len(doc.Tickets[0].Messages[0].Attachments) != 1 {
			t.Errorf("S3-action mail: %+v", doc.Tickets[0])
		}
		proc.Process.Signal(os.Interrupt)
		if err := proc.Wait(); err != nil {
			t.Errorf("dargo inbound did not stop cleanly: %v", err)
		}
		attrs, err := sq.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: q.QueueUrl,
			AttributeNames: []sqstypes.QueueAttributeName{"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"}})
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range attrs.Attributes {
			if v != "0" {
				t.Errorf("queue not empty after commit: %s = %s", k, v)
			}
		}
		objs, err := s3c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(strings.ToLower(name + "-blobs"))})
		if err != nil {
			t.Fatal(err)
		}
		var raws, atts int
		for _, o := range objs.Contents {
			switch {
			case strings.Contains(*o.Key, "raw/"):
				raws++
			case strings.Contains(*o.Key, "att/"):
				atts++
			}
		}
		if raws != 2 || atts != 1 {
			t.Errorf("blob bucket holds %d raw mails and %d attachments, want 2 and 1 (the PDF is shared)", raws, atts)
		}
	})
}
