package transport_test

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dargo-support/dargo/inbound/transport"
)

// snsSigner is a test SNS: an RSA key, its self-signed certificate served
// over TLS, and a count of certificate fetches.
type snsSigner struct {
	key     *rsa.PrivateKey
	srv     *httptest.Server
	fetches atomic.Int32
	certURL string
}

func newSNSSigner(t testing.TB) *snsSigner {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "sns.us-east-1.amazonaws.com"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	pemCert := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	s := &snsSigner{key: key}
	s.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/SimpleNotificationService-test.pem" {
			http.NotFound(w, r)
			return
		}
		s.fetches.Add(1)
		w.Write(pemCert)
	}))
	t.Cleanup(s.srv.Close)
	s.certURL = s.srv.URL + "/SimpleNotificationService-test.pem"
	return s
}

// verifier trusts the test server's host and TLS certificate.
func (s *snsSigner) verifier() *transport.SNSVerifier {
	u, _ := url.Parse(s.srv.URL)
	return &transport.SNSVerifier{
		Client:    s.srv.Client(),
		AllowHost: func(host string) bool { return host == u.Hostname() },
	}
}

// sign signs m as SNS does, with the canonical text written out here from
// the AWS documentation rather than taken from the code under test.
func (s *snsSigner) sign(t testing.TB, m *transport.SNSMessage, version string) {
	t.Helper()
	var text string
	if m.Type == "Notification" {
		text = "Message\n" + m.Message + "\nMessageId\n" + m.MessageID + "\n"
		if m.Subject != "" {
			text += "Subject\n" + m.Subject + "\n"
		}
		text += "Timestamp\n" + m.Timestamp + "\nTopicArn\n" + m.TopicArn + "\nType\n" + m.Type + "\n"
	} else {
		text = "Message\n" + m.Message + "\nMessageId\n" + m.MessageID + "\nSubscribeURL\n" + m.SubscribeURL +
			"\nTimestamp\n" + m.Timestamp + "\nToken\n" + m.Token + "\nTopicArn\n" + m.TopicArn + "\nType\n" + m.Type + "\n"
	}
	var sig []byte
	var err error
	if version == "1" {
		sum := sha1.Sum([]byte(text))
		sig, err = rsa.SignPKCS1v15(rand.Reader, s.key, crypto.SHA1, sum[:])
	} else {
		sum := sha256.Sum256([]byte(text))
		sig, err = rsa.SignPKCS1v15(rand.Reader, s.key, crypto.SHA256, sum[:])
	}
	if err != nil {
		t.Fatal(err)
	}
	m.SignatureVersion = version
	m.Signature = base64.StdEncoding.EncodeToString(sig)
	m.SigningCertURL = s.certURL
}

func snsTestNotification(subject string) *transport.SNSMessage {
	return &transport.SNSMessage{
		Type: "Notification", MessageID: "5f7e2c1a-0000-4000-8000-000000000001",
		TopicArn: "arn:aws:sns:us-east-1:111122223333:dargo-inbound", Subject: subject,
		Message:   `{"notificationType":"Received","mail":{"messageId":"abc"}}`,
		Timestamp: "2026-11-02T10:00:01.000Z",
	}
}

func TestSNSVerify(t *testing.T) {
	s := newSNSSigner(t)
	v := s.verifier()
	ctx := context.Background()
	for _, version := range []string{"1", "2"} {
		for _, subject := range []string{"Amazon SES Email Receipt Notification", ""} {
			m := snsTestNotification(subject)
			s.sign(t, m, version)
			if err := v.Verify(ctx, m); err != nil {
				t.Errorf("v%s subject %q: valid signature rejected: %v", version, subject, err)
			}
			m.Message = strings.Replace(m.Message, "abc", "abd", 1)
			if err := v.Verify(ctx, m); err == nil {
				t.Errorf("v%s subject %q: tampered message accepted", version, subject)
			}
		}
	}
	sub := &transport.SNSMessage{Type: "SubscriptionConfirmation", MessageID: "1", Token: "2336412f",
		TopicArn: "arn:aws:sns:us-east-1:111122223333:dargo-inbound", Message: "You have chosen to subscribe…",
		SubscribeURL: "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=2336412f", Timestamp: "2026-11-02T10:00:01.000Z"}
	s.sign(t, sub, "2")
	if err := v.Verify(ctx, sub); err != nil {
		t.Errorf("SubscriptionConfirmation: %v", err)
	}
	sub.Token = "other"
	if err := v.Verify(ctx, sub); err == nil {
		t.Errorf("SubscriptionConfirmation with another token accepted")
	}
	if n := s.fetches.Load(); n != 1 {
		t.Errorf("certificate fetched %d times, want once", n)
	}
}

func TestSNSVerifyRejects(t *testing.T) {
	s := newSNSSigner(t)
	ctx := context.Background()
	signed := func() *transport.SNSMessage {
		m := snsTestNotification("x")
		s.sign(t, m, "2")
		return m
	}

	// The production host check does not allow the test server.
	def := &transport.SNSVerifier{Client: s.srv.Client()}
	if err := def.Verify(ctx, signed()); err == nil {
		t.Errorf("certificate on a non-AWS host accepted by the default host check")
	}
	if s.fetches.Load() != 0 {
		t.Errorf("certificate fetched from a host that is not allowed")
	}

	v := s.verifier()
	for name, change := range map[string]func(m *transport.SNSMessage){
		"http": func(m *transport.SNSMessage) {
			m.SigningCertURL = strings.Replace(m.SigningCertURL, "https:", "http:", 1)
		},
		"not pem": func(m *transport.SNSMessage) {
			m.SigningCertURL = strings.TrimSuffix(m.SigningCertURL, ".pem") + ".txt"
		},
		"missing cert": func(m *transport.SNSMessage) {
			m.SigningCertURL = strings.Replace(m.SigningCertURL, "-test.pem", "-gone.pem", 1)
		},
		"version 3":       func(m *transport.SNSMessage) { m.SignatureVersion = "3" },
		"version 1 claim": func(m *transport.SNSMessage) { m.SignatureVersion = "1" }, // signed with SHA256
		"garbage sig":     func(m *transport.SNSMessage) { m.Signature = "not base64!" },
		"other topic":     func(m *transport.SNSMessage) { m.TopicArn += "x" },
		"other time":      func(m *transport.SNSMessage) { m.Timestamp = "2026-11-02T10:00:02.000Z" },
		"unknown type":    func(m *transport.SNSMessage) { m.Type = "Other" },
	} {
		m := signed()
		change(m)
		if err := v.Verify(ctx, m); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}

	expired := s.verifier()
	expired.Now = func() time.Time { return time.Now().Add(2 * time.Hour) }
	if err := expired.Verify(ctx, signed()); err == nil {
		t.Errorf("expired certificate accepted")
	}
}

func TestSNSVerifyFetchesOnceConcurrently(t *testing.T) {
	s := newSNSSigner(t)
	v := s.verifier()
	m := snsTestNotification("x")
	s.sign(t, m, "1")
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			if err := v.Verify(context.Background(), m); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := s.fetches.Load(); n != 1 {
		t.Errorf("certificate fetched %d times, want once", n)
	}
}

func TestAWSSNSHost(t *testing.T) {
	for host, want := range map[string]bool{
		"sns.us-east-1.amazonaws.com":         true,
		"sns.eu-central-1.amazonaws.com":      true,
		"sns.cn-north-1.amazonaws.com.cn":     true,
		"sns.us-east-1.amazonaws.com.evil.io": false,
		"evil.io":                             false,
		"sns.amazonaws.com":                   false,
		"xsns.us-east-1.amazonaws.com":        false,
		"sns.us-east-1.amazonaws.com.":        false,
	} {
		if got := transport.AWSSNSHost(host); got != want {
			t.Errorf("AWSSNSHost(%q) = %v, want %v", host, got, want)
		}
	}
}

// TestSNSVerifyPinsTopics: a valid signature from a topic that is not ours
// (anyone can make SNS sign anything on their own topic) is refused.
func TestSNSVerifyPinsTopics(t *testing.T) {
	v := &transport.SNSVerifier{TopicARNs: []string{"arn:aws:sns:us-east-1:123456789012:ours"}}
	err := v.Verify(context.Background(), &transport.SNSMessage{Type: "Notification", TopicArn: "arn:aws:sns:us-east-1:999999999999:theirs",
		SignatureVersion: "2", Signature: "AAAA", SigningCertURL: "https://sns.us-east-1.amazonaws.com/x.pem"})
	if err == nil || !strings.Contains(err.Error(), "DARGO_SNS_TOPIC_ARNS") {
		t.Fatalf("a foreign topic was not refused: %v", err)
	}
}
