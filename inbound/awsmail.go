package inbound

import (
	"encoding/json"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// awsNotice is an SES bounce, complaint or delivery notification that an
// SNS email (or email-json) subscription delivered as mail.
type awsNotice struct {
	Type       string   // Bounce, Complaint, Delivery, ... as SES names it
	SESID      string   // mail.messageId: the SES id of the mail we sent
	Permanent  bool     // a Permanent bounce
	Detail     string   // bounce type and subtype, or the complaint's feedback type
	Recipients []string // the bounced or complaining recipients
	Topics     []string // every SNS topic the mail names (TopicArn, unsubscribe links)
}

// subscriptionARN finds the subscription in SNS's unsubscribe links: the
// footer SNS appends to an email subscription's mail, or email-json's
// UnsubscribeURL.
var subscriptionARN = regexp.MustCompile(`SubscriptionArn=([^&\s"<>]+)`)

// topicsOf are the SNS topics a notification mail names: email-json's
// TopicArn and the topic of each unsubscribe link. The publisher writes the
// message body but SNS writes the footer and the envelope, so a publisher
// on another topic can add our topic's name but never remove its own.
func topicsOf(text, topicARN string) []string {
	var topics []string
	if topicARN != "" {
		topics = append(topics, topicARN)
	}
	for _, m := range subscriptionARN.FindAllStringSubmatch(text, 20) {
		arn, err := url.QueryUnescape(m[1])
		if err != nil {
			arn = m[1]
		}
		if i := strings.LastIndexByte(arn, ':'); i > 0 {
			topics = append(topics, arn[:i]) // topic ARN + ":" + subscription id
		}
	}
	return topics
}

// topicsAccepted reports whether the mail names at least one topic and
// every one it names is in accepted (DARGO_SNS_TOPIC_ARNS).
func topicsAccepted(topics, accepted []string) bool {
	if len(topics) == 0 {
		return false
	}
	for _, t := range topics {
		if !slices.Contains(accepted, t) {
			return false
		}
	}
	return true
}

// isAWSNotificationMail tells mail that says it is from SNS. The From
// proves nothing: act on it only when the mail is verified.
func isAWSNotificationMail(m *Mail) bool {
	return domainOf(m.From.Email) == "sns.amazonaws.com" ||
		(strings.EqualFold(strings.TrimSpace(m.Subject), "AWS Notification Message") && strings.HasSuffix(domainOf(m.From.Email), ".amazonaws.com"))
}

// decodeAWSMail reads the SES notification in an SNS mail's text: the SES
// JSON itself (email protocol, followed by SNS's unsubscribe footer) or an
// SNS envelope with it in Message (email-json). ok is false when the text
// holds no SES notification.
func decodeAWSMail(text string) (n awsNotice, ok bool) {
	i := strings.IndexByte(text, '{')
	if i < 0 {
		return n, false
	}
	dec := json.NewDecoder(strings.NewReader(text[i:]))
	var outer struct {
		Type     string  `json:"Type"`
		TopicArn string  `json:"TopicArn"`
		Message  *string `json:"Message"`
	}
	var raw json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		return n, false
	}
	if json.Unmarshal(raw, &outer) == nil && outer.Message != nil {
		raw = json.RawMessage(*outer.Message)
	}
	n.Topics = topicsOf(text, outer.TopicArn)
	var s struct {
		NotificationType string `json:"notificationType"`
		EventType        string `json:"eventType"`
		Mail             struct {
			MessageID string `json:"messageId"`
		} `json:"mail"`
		Bounce *struct {
			BounceType        string `json:"bounceType"`
			BounceSubType     string `json:"bounceSubType"`
			BouncedRecipients []struct {
				EmailAddress string `json:"emailAddress"`
			} `json:"bouncedRecipients"`
		} `json:"bounce"`
		Complaint *struct {
			ComplaintFeedbackType string `json:"complaintFeedbackType"`
			ComplainedRecipients  []struct {
				EmailAddress string `json:"emailAddress"`
			} `json:"complainedRecipients"`
		} `json:"complaint"`
	}
	if err := json.Unmarshal(raw, &s); err != nil {
		return n, false
	}
	n.Type = s.NotificationType
	if n.Type == "" {
		n.Type = s.EventType
	}
	if n.Type == "" {
		return n, false
	}
	n.SESID = s.Mail.MessageID
	switch {
	case n.Type == "Bounce" && s.Bounce != nil:
		n.Permanent = s.Bounce.BounceType == "Permanent"
		n.Detail = strings.TrimSpace(s.Bounce.BounceType + " " + s.Bounce.BounceSubType)
		for _, r := range s.Bounce.BouncedRecipients {
			n.Recipients = append(n.Recipients, strings.ToLower(strings.TrimSpace(r.EmailAddress)))
		}
	case n.Type == "Complaint" && s.Complaint != nil:
		n.Detail = s.Complaint.ComplaintFeedbackType
		for _, r := range s.Complaint.ComplainedRecipients {
			n.Recipients = append(n.Recipients, strings.ToLower(strings.TrimSpace(r.EmailAddress)))
		}
	}
	return n, true
}
