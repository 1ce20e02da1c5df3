package transport

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha1" // #nosec G505 -- SNS SignatureVersion 1 needs it
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
)

// SNSVerifier checks the signatures of SNS messages (DARGO_SNS_VERIFY).
// Certificates are fetched from SigningCertURL, which must be https on an
// allowed host with a path ending in .pem, and are cached by URL.
type SNSVerifier struct {
	// TopicARNs are the topics whose messages are accepted
	// (DARGO_SNS_TOPIC_ARNS). A signature only proves that *some* topic
	// signed a message, and anyone can make SNS sign anything on a topic of
	// their own, so production pins the topics; empty accepts any topic.
	TopicARNs []string
	// Client fetches certificates; nil means a client with a 10 s timeout.
	Client *http.Client
	// AllowHost says whether a certificate may come from host; nil means
	// AWSSNSHost. Tests replace it to serve a certificate of their own.
	AllowHost func(host string) bool
	// Now is the clock for certificate validity; nil means time.Now.
	Now func() time.Time

	mu    sync.Mutex
	certs map[string]*certEntry
}

type certEntry struct {
	done chan struct{}
	cert *x509.Certificate
	err  error
}

var snsHost = regexp.MustCompile(`^sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$`)

// AWSSNSHost reports whether host is an SNS endpoint, sns.<region>.amazonaws.com
// or sns.<region>.amazonaws.com.cn.
func AWSSNSHost(host string) bool { return snsHost.MatchString(host) }

// Verify returns nil when m carries a valid SNS signature.
func (v *SNSVerifier) Verify(ctx context.Context, m *SNSMessage) error {
	if len(v.TopicARNs) > 0 && !slices.Contains(v.TopicARNs, m.TopicArn) {
		return fmt.Errorf("inbound: SNS message from topic %q, not one of DARGO_SNS_TOPIC_ARNS", m.TopicArn)
	}
	var h crypto.Hash
	switch m.SignatureVersion {
	case "1":
		h = crypto.SHA1
	case "2":
		h = crypto.SHA256
	default:
		return fmt.Errorf("inbound: SNS signature version %q not supported", m.SignatureVersion)
	}
	sig, err := base64.StdEncoding.DecodeString(m.Signature)
	if err != nil {
		return fmt.Errorf("inbound: SNS signature: %w", err)
	}
	text, err := snsStringToSign(m)
	if err != nil {
		return err
	}
	cert, err := v.cert(ctx, m.SigningCertURL)
	if err != nil {
		return err
	}
	if now := v.now(); now.Before(cert.NotBefore) || now.After(cert.NotAfter) {
		return errors.New("inbound: SNS signing certificate is not valid now")
	}
	key, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok {
		return errors.New("inbound: SNS signing certificate has no RSA key")
	}
	var sum []byte
	if h == crypto.SHA1 {
		s := sha1.Sum([]byte(text)) // #nosec G401 -- SNS SignatureVersion 1 is SHA1withRSA, AWS's format
		sum = s[:]
	} else {
		s := sha256.Sum256([]byte(text))
		sum = s[:]
	}
	if err := rsa.VerifyPKCS1v15(key, h, sum, sig); err != nil {
		return fmt.Errorf("inbound: SNS signature does not match: %w", err)
	}
	return nil
}

// snsStringToSign is the canonical text AWS signs: name and value lines of
// fixed fields in byte order, which differ by message type.
func snsStringToSign(m *SNSMessage) (string, error) {
	var fields [][2]string
	switch m.Type {
	case "Notification":
		fields = [][2]string{{"Message", m.Message}, {"MessageId", m.MessageID}}
		if m.Subject != "" {
			fields = append(fields, [2]string{"Subject", m.Subject})
		}
		fields = append(fields, [2]string{"Timestamp", m.Timestamp}, [2]string{"TopicArn", m.TopicArn}, [2]string{"Type", m.Type})
	case "SubscriptionConfirmation", "UnsubscribeConfirmation":
		fields = [][2]string{{"Message", m.Message}, {"MessageId", m.MessageID}, {"SubscribeURL", m.SubscribeURL},
			{"Timestamp", m.Timestamp}, {"Token", m.Token}, {"TopicArn", m.TopicArn}, {"Type", m.Type}}
	default:
		return "", fmt.Errorf("inbound: SNS message type %q cannot be verified", m.Type)
	}
	var b strings.Builder
	for _, f := range fields {
		b.WriteString(f[0] + "\n" + f[1] + "\n")
	}
	return b.String(), nil
}

// TransientError is a failure that says nothing about the message (the
// certificate could not be fetched, S3 did not answer): try it again later
// instead of sending it towards the dead-letter queue.
type TransientError struct{ Err error }

func (e *TransientError) Error() string { return e.Err.Error() }
func (e *TransientError) Unwrap() error { return e.Err }

// cert returns the certificate at rawURL, fetching it once.
func (v *SNSVerifier) cert(ctx context.Context, rawURL string) (*x509.Certificate, error) {
	if err := v.checkURL(rawURL); err != nil {
		return nil, err
	}
	v.mu.Lock()
	if v.certs == nil {
		v.certs = map[string]*certEntry{}
	}
	e, ok := v.certs[rawURL]
	if !ok {
		e = &certEntry{done: make(chan struct{})}
		v.certs[rawURL] = e
	}
	v.mu.Unlock()
	if !ok {
		e.cert, e.err = v.fetch(ctx, rawURL)
		if e.err != nil {
			e.err = &TransientError{Err: e.err}
		}
		if e.err != nil {
			v.mu.Lock()
			delete(v.certs, rawURL) // a failed fetch is tried again next time
			v.mu.Unlock()
		}
		close(e.done)
	}
	select {
	case <-e.done:
		return e.cert, e.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (v *SNSVerifier) checkURL(rawURL string) error {
	u, err := url.Parse(rawURL)
	if err != nil {
		return fmt.Errorf("inbound: SNS SigningCertURL: %w", err)
	}
	allow := v.AllowHost
	if allow == nil {
		allow = AWSSNSHost
	}
	if u.Scheme != "https" || u.User != nil || !allow(u.Hostname()) || !strings.HasSuffix(u.Path, ".pem") {
		return fmt.Errorf("inbound: SNS SigningCertURL %q is not an https .pem on an allowed host", rawURL)
	}
	return nil
}

func (v *SNSVerifier) fetch(ctx context.Context, rawURL string) (*x509.Certificate, error) {
	client := v.Client
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, fmt.Errorf("inbound: SNS certificate: %w", err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("inbound: SNS certificate: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("inbound: SNS certificate %s: %s", rawURL, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return nil, fmt.Errorf("inbound: SNS certificate: %w", err)
	}
	block, _ := pem.Decode(body)
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, fmt.Errorf("inbound: SNS certificate %s: no PEM certificate", rawURL)
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("inbound: SNS certificate: %w", err)
	}
	return cert, nil
}

func (v *SNSVerifier) now() time.Time {
	if v.Now != nil {
		return v.Now()
	}
	return time.Now()
}
