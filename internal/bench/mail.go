package bench

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/dargo-support/dargo/inbound/transport"
)

// mails makes the bench's inbound mail: about 17 KB each, with the headers
// a receiving MTA adds, a text and an HTML part; two in three open a
// ticket, the third is the same customer's reply to the mail before it
// (In-Reply-To, quoted text). tag keeps Message-IDs apart between figures.
type mails struct {
	domain    string // the support address's domain
	tag       string
	customers int
}

func newMails(domain, tag string, n int) *mails {
	return &mails{domain: domain, tag: tag, customers: max(n/4, 10)}
}

const (
	paraDE = "Guten Tag, die Rechnung für Oktober wurde doppelt abgebucht, einmal am 3. und einmal am 5. — bitte prüfen Sie das und erstatten Sie den zweiten Betrag. "
	paraEN = "Also, the printer driver from your download page crashes on install with error 0x80070643; I tried the older version too, same result. "
)

// sender is the customer of mail i; a reply has the sender of the mail it answers.
func (m *mails) sender(i int) string {
	if isReply(i) {
		i--
	}
	return fmt.Sprintf("kunde%d@customer.example", (i/3*2+i%3)%m.customers)
}

func (m *mails) messageID(i int) string {
	return fmt.Sprintf("%s.%d@mail.customer.example", m.tag, i)
}

// isReply says whether mail i answers mail i-1.
func isReply(i int) bool { return i%3 == 2 }

// raw returns mail i.
func (m *mails) raw(i int) []byte {
	from := m.sender(i)
	subject := fmt.Sprintf("Rechnung %d doppelt abgebucht / printer crash", 100000+i)
	var b bytes.Buffer
	fmt.Fprintf(&b, "Return-Path: <%s>\r\n", from)
	fmt.Fprintf(&b, "Received: from mail.customer.example (mail.customer.example [192.0.2.%d])\r\n\tby inbound-smtp.eu-west-1.amazonaws.com with SMTP id %s%d\r\n\tfor support@%s; Mon, 2 Nov 2026 10:00:00 +0000 (UTC)\r\n", i%250+1, m.tag, i, m.domain)
	b.WriteString("Received: from [10.1.2.3] (unknown [10.1.2.3])\r\n\tby mail.customer.example (Postfix) with ESMTPSA id 4Xk2Lq0Zzz\r\n\tfor <support@" + m.domain + ">; Mon, 2 Nov 2026 10:59:58 +0100 (CET)\r\n")
	b.WriteString("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=customer.example; s=2026;\r\n\tt=1793613598; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=;\r\n\th=Date:From:To:Subject:Message-ID:MIME-Version:Content-Type;\r\n\tb=" + strings.Repeat("dGhpcyBpcyBub3QgYSByZWFsIHNpZ25hdHVyZQ", 9) + "\r\n")
	fmt.Fprintf(&b, "From: Kunde %d <%s>\r\nTo: Support <support@%s>\r\n", i, from, m.domain)
	if isReply(i) {
		subject = "Re: " + fmt.Sprintf("Rechnung %d doppelt abgebucht / printer crash", 100000+i-1)
		fmt.Fprintf(&b, "In-Reply-To: <%s>\r\nReferences: <%s>\r\n", m.messageID(i-1), m.messageID(i-1))
	}
	fmt.Fprintf(&b, "Subject: %s\r\nMessage-ID: <%s>\r\nDate: Mon, 2 Nov 2026 10:59:58 +0100\r\n", subject, m.messageID(i))
	b.WriteString("User-Agent: Mozilla Thunderbird\r\nContent-Language: de-DE\r\nMIME-Version: 1.0\r\n")
	b.WriteString("Content-Type: multipart/alternative; boundary=\"------------b1Xy\"\r\n\r\nThis is a multi-part message in MIME format.\r\n")
	b.WriteString("--------------b1Xy\r\nContent-Type: text/plain; charset=UTF-8; format=flowed\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
	for range 23 {
		b.WriteString(paraDE + paraEN + "\r\n\r\n")
	}
	b.WriteString("Mit freundlichen Grüßen\r\nJürgen Müller\r\n-- \r\nMüller & Söhne GmbH · Hauptstraße 5 · 80331 München\r\n")
	if isReply(i) {
		b.WriteString("\r\nAm 01.11.26 um 09:12 schrieb Support:\r\n")
		for range 4 {
			b.WriteString("> " + paraEN + "\r\n>\r\n")
		}
	}
	b.WriteString("--------------b1Xy\r\nContent-Type: text/html; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
	b.WriteString("<!DOCTYPE html>\r\n<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=UTF-8\"></head><body style=\"font-family: Arial, sans-serif; font-size: 11pt;\">\r\n")
	for range 23 {
		b.WriteString("<p style=\"margin: 0 0 1em 0;\">" + paraDE + "<b>" + paraEN + "</b></p>\r\n")
	}
	b.WriteString("<div class=\"moz-signature\">Mit freundlichen Grüßen<br>Jürgen Müller</div>\r\n")
	if isReply(i) {
		b.WriteString("<blockquote type=\"cite\">")
		for range 4 {
			b.WriteString("<p>" + paraEN + "</p>")
		}
		b.WriteString("</blockquote>\r\n")
	}
	b.WriteString("</body></html>\r\n--------------b1Xy--\r\n")
	return b.Bytes()
}

// sesID is the SES message id of mail i.
func (m *mails) sesID(i int) string { return fmt.Sprintf("%s-%08d", m.tag, i) }

// notification is mail i as SES puts it on the queue: a Received
// notification with the mail inline, in an SNS envelope (unsigned: the
// bench's consumer does not verify signatures).
func (m *mails) notification(i int) (string, error) {
	raw := m.raw(i)
	from := m.sender(i)
	to := "support@" + m.domain
	pass := map[string]string{"status": "PASS"}
	now := time.Now().UTC().Format("2006-01-02T15:04:05.000Z")
	n := map[string]any{
		"notificationType": "Received",
		"mail": map[string]any{"timestamp": now, "source": from, "messageId": m.sesID(i),
			"destination": []string{to}, "headersTruncated": false,
			"headers":       []map[string]string{{"name": "From", "value": from}},
			"commonHeaders": map[string]any{"from": []string{from}, "to": []string{to}}},
		"receipt": map[string]any{"timestamp": now, "processingTimeMillis": 300,
			"recipients": []string{to}, "spamVerdict": pass, "virusVerdict": pass,
			"spfVerdict": pass, "dkimVerdict": pass, "dmarcVerdict": pass,
			"action": map[string]any{"type": "SNS", "topicArn": "arn:aws:sns:eu-west-1:111122223333:dargo-inbound", "encoding": "UTF8"}},
		"content": string(raw),
	}
	inner, err := json.Marshal(n)
	if err != nil {
		return "", err
	}
	env, err := json.Marshal(&transport.SNSMessage{
		Type: "Notification", MessageID: fmt.Sprintf("6a1f3c2e-0000-4000-8000-%012d", i),
		TopicArn: "arn:aws:sns:eu-west-1:111122223333:dargo-inbound", Subject: "Amazon SES Email Receipt Notification",
		Message: string(inner), Timestamp: now, SignatureVersion: "1", Signature: "YmVuY2g=",
		SigningCertURL: "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-0000.pem",
	})
	return string(env), err
}
