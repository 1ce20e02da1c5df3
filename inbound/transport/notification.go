package transport

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	json "github.com/go-json-experiment/json"
	jsonv1 "github.com/go-json-experiment/json/v1"
	"strings"

	"github.com/dargo-support/dargo/inbound/mailparse"
)

// Kinds of notification the SQS consumer can receive.
const (
	KindMail         = "mail"         // SES Received: a mail for the pipeline
	KindBounce       = "bounce"       // SES Bounce (notificationType or eventType)
	KindComplaint    = "complaint"    // SES Complaint
	KindSubscription = "subscription" // SNS SubscriptionConfirmation or UnsubscribeConfirmation
	KindIgnored      = "ignored"      // anything else (Delivery, Send, unknown types): logged and deleted
)

// Notification is one SQS message body, decoded: an SNS-wrapped or raw SES
// notification, or an SNS control message.
type Notification struct {
	Kind string
	Type string // the SNS Type or SES notificationType/eventType, for logs

	// SNS is the envelope, nil for raw message delivery.
	SNS *SNSMessage

	// For KindMail: the envelope, and the MIME inline (SNS action) or where
	// it lies (S3 action).
	Envelope mailparse.Envelope
	Content  []byte
	Bucket   string
	Key      string

	// SESID is mail.messageId: the received mail's id, or for feedback the
	// id of the mail we sent.
	SESID     string
	Bounce    *SESBounce
	Complaint *SESComplaint
}

// SNSMessage is the SNS envelope around a notification.
type SNSMessage struct {
	Type             string
	MessageID        string `json:"MessageId"`
	TopicArn         string
	Subject          string
	Message          string
	Timestamp        string
	SignatureVersion string
	Signature        string
	SigningCertURL   string
	SubscribeURL     string
	UnsubscribeURL   string
	Token            string
}

// SESBounce is the bounce object of a Bounce notification.
type SESBounce struct {
	BounceType        string `json:"bounceType"`    // Permanent, Transient, Undetermined
	BounceSubType     string `json:"bounceSubType"` // General, NoEmail, Suppressed, OnAccountSuppressionList…
	FeedbackID        string `json:"feedbackId"`
	BouncedRecipients []struct {
		EmailAddress   string `json:"emailAddress"`
		Action         string `json:"action"`
		Status         string `json:"status"`
		DiagnosticCode string `json:"diagnosticCode"`
	} `json:"bouncedRecipients"`
}

// SESComplaint is the complaint object of a Complaint notification.
type SESComplaint struct {
	ComplaintFeedbackType string `json:"complaintFeedbackType"` // abuse, fraud, not-spam… (may be missing)
	ComplaintSubType      string `json:"complaintSubType"`
	FeedbackID            string `json:"feedbackId"`
	ComplainedRecipients  []struct {
		EmailAddress string `json:"emailAddress"`
	} `json:"complainedRecipients"`
}

// sesNotification is the SES JSON, for notificationType (receipt rules and
// identity notifications) and eventType (configuration-set event publishing).
type sesNotification struct {
	NotificationType string `json:"notificationType"`
	EventType        string `json:"eventType"`
	Mail             struct {
		MessageID   string   `json:"messageId"`
		Source      string   `json:"source"`
		Destination []string `json:"destination"`
	} `json:"mail"`
	Receipt *struct {
		Recipients   []string   `json:"recipients"`
		SpamVerdict  sesVerdict `json:"spamVerdict"`
		VirusVerdict sesVerdict `json:"virusVerdict"`
		SPFVerdict   sesVerdict `json:"spfVerdict"`
		DKIMVerdict  sesVerdict `json:"dkimVerdict"`
		DMARCVerdict sesVerdict `json:"dmarcVerdict"`
		DMARCPolicy  string     `json:"dmarcPolicy"`
		Action       struct {
			Type       string `json:"type"`
			Encoding   string `json:"encoding"`
			BucketName string `json:"bucketName"`
			ObjectKey  string `json:"objectKey"`
		} `json:"action"`
	} `json:"receipt"`
	Content   *string       `json:"content"`
	Bounce    *SESBounce    `json:"bounce"`
	Complaint *SESComplaint `json:"complaint"`
}

type sesVerdict struct {
	Status string `json:"status"`
}

// v1Semantics reads notifications as encoding/json did (names matched
// case-insensitively, invalid UTF-8 replaced, duplicate names allowed)
// with json v2's decoder, which reads a 17 KB mail's notification about
// four times faster: no separate validating pass, strings unquoted in bulk.
var v1Semantics = jsonv1.DefaultOptionsV1()

// DecodeNotification decodes an SQS message body: an SNS envelope (Type
// Notification with the SES JSON as a string in Message, or a subscription
// control message) or, with raw message delivery, the SES JSON itself.
// Unknown fields are ignored and unknown types come back as KindIgnored; an
// error means the body is not a notification we can act on (poison).
func DecodeNotification(body []byte) (*Notification, error) {
	// One pass reads either shape: the SNS envelope's fields and the SES
	// notification's have no name in common.
	var top struct {
		SNSMessage
		sesNotification
		Message *string // set: the body has a Message (SNS envelope)
	}
	if err := json.Unmarshal(body, &top, v1Semantics); err != nil {
		return nil, fmt.Errorf("inbound: notification: %w", err)
	}
	if top.NotificationType != "" || top.EventType != "" {
		return sesDecoded(&top.sesNotification, nil)
	}
	if top.Type == "" || top.Message == nil {
		return nil, errors.New("inbound: notification: neither an SNS envelope nor an SES notification")
	}
	m := top.SNSMessage
	m.Message = *top.Message
	switch m.Type {
	case "Notification":
		return decodeSES([]byte(m.Message), &m)
	case "SubscriptionConfirmation", "UnsubscribeConfirmation":
		return &Notification{Kind: KindSubscription, Type: m.Type, SNS: &m}, nil
	}
	return &Notification{Kind: KindIgnored, Type: m.Type, SNS: &m}, nil
}

func decodeSES(body []byte, env *SNSMessage) (*Notification, error) {
	var s sesNotification
	if err := json.Unmarshal(body, &s, v1Semantics); err != nil {
		return nil, fmt.Errorf("inbound: SES notification: %w", err)
	}
	return sesDecoded(&s, env)
}

// sesDecoded is the Notification an SES notification s says.
func sesDecoded(s *sesNotification, env *SNSMessage) (*Notification, error) {
	n := &Notification{Type: s.NotificationType, SNS: env, SESID: s.Mail.MessageID}
	if n.Type == "" {
		n.Type = s.EventType
	}
	switch n.Type {
	case "Received":
		n.Kind = KindMail
		return n, decodeReceived(n, s)
	case "Bounce":
		n.Kind, n.Bounce = KindBounce, s.Bounce
		if s.Bounce == nil {
			return nil, errors.New("inbound: SES Bounce notification without a bounce object")
		}
	case "Complaint":
		n.Kind, n.Complaint = KindComplaint, s.Complaint
		if s.Complaint == nil {
			return nil, errors.New("inbound: SES Complaint notification without a complaint object")
		}
	case "":
		return nil, errors.New("inbound: SES notification without notificationType or eventType")
	default:
		n.Kind = KindIgnored
	}
	return n, nil
}

// decodeReceived fills the envelope and the MIME (or its S3 location) of a
// Received notification.
func decodeReceived(n *Notification, s *sesNotification) error {
	r := s.Receipt
	if r == nil {
		return errors.New("inbound: SES Received notification without a receipt")
	}
	if s.Mail.MessageID == "" {
		return errors.New("inbound: SES Received notification without mail.messageId")
	}
	source := strings.TrimSpace(s.Mail.Source)
	n.Envelope = mailparse.Envelope{
		SESID:      s.Mail.MessageID,
		Sender:     strings.Trim(source, "<>"),
		NullSender: source == "" || source == "<>",
		Recipients: r.Recipients,
		Verdicts: mailparse.Verdicts{
			Spam: r.SpamVerdict.Status, Virus: r.VirusVerdict.Status, SPF: r.SPFVerdict.Status,
			DKIM: r.DKIMVerdict.Status, DMARC: r.DMARCVerdict.Status, DMARCPolicy: r.DMARCPolicy,
		},
	}
	if len(n.Envelope.Recipients) == 0 {
		n.Envelope.Recipients = s.Mail.Destination
	}
	switch a := r.Action; a.Type {
	case "S3":
		if a.BucketName == "" || a.ObjectKey == "" {
			return errors.New("inbound: SES S3 action without bucketName or objectKey")
		}
		n.Bucket, n.Key = a.BucketName, a.ObjectKey
	case "SNS":
		if s.Content == nil {
			return errors.New("inbound: SES SNS action without content")
		}
		raw, err := decodeContent(*s.Content, a.Encoding)
		if err != nil {
			return err
		}
		n.Content = raw
	default:
		return fmt.Errorf("inbound: SES Received with action %q: no mail to read", a.Type)
	}
	return nil
}

func decodeContent(content, encoding string) ([]byte, error) {
	switch strings.ToUpper(encoding) {
	case "BASE64":
		raw, err := base64.StdEncoding.DecodeString(content)
		if err != nil {
			// tolerate line-wrapped base64
			raw, err = base64.StdEncoding.DecodeString(string(bytes.Join(bytes.Fields([]byte(content)), nil)))
		}
		if err != nil {
			return nil, fmt.Errorf("inbound: SES content: base64: %w", err)
		}
		return raw, nil
	case "UTF8", "":
		return []byte(content), nil
	}
	return nil, fmt.Errorf("inbound: SES content: unknown encoding %q", encoding)
}
