package outbound

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
)

// sesStub is an in-test SES v2 endpoint: it answers every request with the
// status, X-Amzn-ErrorType and body it is given, and counts the requests.
type sesStub struct {
	status  int
	errType string
	body    string
	calls   atomic.Int64
}

func (s *sesStub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.calls.Add(1)
	io.Copy(io.Discard, r.Body)
	if s.errType != "" {
		w.Header().Set("X-Amzn-ErrorType", s.errType)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(s.status)
	io.WriteString(w, s.body)
}

// stubClient is a real SES v2 client pointed at url, without retries.
func stubClient(url string) *sesv2.Client {
	return sesv2.New(sesv2.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(url),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}, nil
		}),
		Retryer: aws.NopRetryer{},
	})
}

// TestSESErrors: each SES failure is classified, counted once by its class
// in dargo_ses_errors_total, and timed.
func TestSESErrors(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		errType   string
		body      string
		permanent bool
		throttled bool
		class     string // in dargo_ses_errors_total
	}{
		{"throttled", 429, "TooManyRequestsException", `{"message":"Too many requests"}`, false, true, "throttled"},
		{"429 without a type", 429, "", `{"message":"slow down"}`, false, true, "throttled"},
		{"throttling exception", 400, "ThrottlingException", `{"message":"Rate exceeded"}`, false, true, "throttled"},
		{"limit exceeded", 400, "LimitExceededException", `{"message":"Daily message quota exceeded"}`, false, true, "throttled"},
		{"internal failure", 500, "InternalFailure", `{"message":"oops"}`, false, false, "unsure"},
		{"unavailable", 503, "", `not json`, false, false, "unsure"},
		{"message rejected", 400, "MessageRejected", `{"message":"Email address is not verified"}`, true, false, "permanent"},
		{"account suspended", 400, "AccountSuspendedException", `{"message":"suspended"}`, true, false, "permanent"},
		{"sending paused", 400, "SendingPausedException", `{"message":"paused"}`, true, false, "permanent"},
		{"mail from not verified", 400, "MailFromDomainNotVerifiedException", `{"message":"no"}`, true, false, "permanent"},
		{"identity not found", 404, "NotFoundException", `{"message":"no identity"}`, true, false, "permanent"},
		{"bad address", 400, "BadRequestException", `{"message":"Missing final '@domain'"}`, true, false, "permanent"},
		{"code in the body", 400, "", `{"__type":"MessageRejected","message":"rejected"}`, true, false, "permanent"},
		{"unknown 400", 400, "SomethingNewException", `{"message":"?"}`, false, false, "temporary"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stub := &sesStub{status: tt.status, errType: tt.errType, body: tt.body}
			srv := httptest.NewServer(stub)
			defer srv.Close()
			before, timed := sesErrorCounts(), sendDurations(t)
			id, err := NewSES(stubClient(srv.URL)).Send(context.Background(), "support@acme.test", []string{"zoe@example.org"}, []byte("Subject: x\r\n\r\nx\r\n"))
			if err == nil {
				t.Fatalf("Send = %q, nil; want an error", id)
			}
			if got := IsPermanent(err); got != tt.permanent {
				t.Errorf("IsPermanent = %v, want %v (%v)", got, tt.permanent, err)
			}
			if got := IsThrottled(err); got != tt.throttled {
				t.Errorf("IsThrottled = %v, want %v (%v)", got, tt.throttled, err)
			}
			if got, want := IsUnsure(err), tt.class == "unsure"; got != want {
				t.Errorf("IsUnsure = %v, want %v (%v)", got, want, err)
			}
			checkSESErrorCounted(t, before, tt.class)
			if d := sendDurations(t) - timed; d != 1 {
				t.Errorf("SES send duration samples +%d, want +1", d)
			}
			if n := stub.calls.Load(); n != 1 {
				t.Errorf("%d requests, want 1 (the client was told not to retry)", n)
			}
		})
	}
}

// TestSESSendTriesOnce: with the SDK's default retryer, as production
// builds the client, a send that may have reached SES (a 5xx, a dropped
// connection) or was throttled is one request: a retry inside the SDK
// would mail twice and nobody would know.
func TestSESSendTriesOnce(t *testing.T) {
	tests := []struct {
		name   string
		handle func(w http.ResponseWriter, r *http.Request)
		class  string // in dargo_ses_errors_total
	}{
		{"internal failure", (&sesStub{status: 500, errType: "InternalFailure", body: `{"message":"oops"}`}).ServeHTTP, "unsure"},
		{"unavailable", (&sesStub{status: 503, body: `not json`}).ServeHTTP, "unsure"},
		{"throttled", (&sesStub{status: 429, errType: "TooManyRequestsException", body: `{"message":"slow"}`}).ServeHTTP, "throttled"},
		{"connection dropped", func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
				conn.Close()
			}
		}, "unsure"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls atomic.Int64
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				tt.handle(w, r)
			}))
			defer srv.Close()
			client := sesv2.New(sesv2.Options{
				Region:       "us-east-1",
				BaseEndpoint: aws.String(srv.URL),
				Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
					return aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}, nil
				}),
			})
			before := sesErrorCounts()
			if _, err := NewSES(client).Send(context.Background(), "support@acme.test", []string{"zoe@example.org"}, []byte("Subject: x\r\n\r\nx\r\n")); err == nil {
				t.Fatal("Send = nil, want the failure")
			}
			if n := calls.Load(); n != 1 {
				t.Errorf("%d requests, want 1", n)
			}
			checkSESErrorCounted(t, before, tt.class)
		})
	}
}

func TestSESSendOK(t *testing.T) {
	var got struct {
		path, ctype string
		body        string
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got.path, got.ctype, got.body = r.Method+" "+r.URL.Path, r.Header.Get("Content-Type"), string(b)
		io.WriteString(w, `{"MessageId":"abc"}`)
	}))
	defer srv.Close()
	before, timed := sesErrorCounts(), sendDurations(t)
	id, err := NewSES(stubClient(srv.URL)).Send(context.Background(), "support@acme.test", []string{"zoe@example.org"}, []byte("Subject: x\r\n\r\nx\r\n"))
	if err != nil || id != "abc" {
		t.Fatalf("Send = %q, %v", id, err)
	}
	checkSESErrorCounted(t, before, "")
	if d := sendDurations(t) - timed; d != 1 {
		t.Errorf("SES send duration samples +%d, want +1", d)
	}
	if got.path != "POST /v2/email/outbound-emails" {
		t.Errorf("request %s", got.path)
	}
	// The raw mail travels base64-encoded in Content.Raw.Data.
	for _, want := range []string{`"FromEmailAddress":"support@acme.test"`, `"ToAddresses":["zoe@example.org"]`, `"Data":"U3ViamVjdDogeA0KDQp4DQo="`} {
		if !strings.Contains(got.body, want) {
			t.Errorf("request body lacks %s: %s", want, got.body)
		}
	}
}

func TestSESNoMessageID(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{}`)
	}))
	defer srv.Close()
	before := sesErrorCounts()
	if _, err := NewSES(stubClient(srv.URL)).Send(context.Background(), "a@b.test", []string{"c@d.test"}, []byte("x")); err == nil || IsPermanent(err) {
		t.Errorf("Send without MessageId: %v", err)
	}
	// SES answered, but without an id nobody knows whether it took the mail.
	checkSESErrorCounted(t, before, "unsure")
}

func TestSESMaxSendRate(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.URL.Path != "/v2/email/account" {
			http.NotFound(w, r)
			return
		}
		io.WriteString(w, `{"SendQuota":{"Max24HourSend":50000,"MaxSendRate":14,"SentLast24Hours":3},"SendingEnabled":true}`)
	}))
	defer srv.Close()
	rate, err := NewSES(stubClient(srv.URL)).MaxSendRate(context.Background())
	if err != nil || rate != 14 {
		t.Errorf("MaxSendRate = %v, %v", rate, err)
	}
}

func TestSESCanceled(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	}))
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	before, timed := sesErrorCounts(), sendDurations(t)
	_, err := NewSES(stubClient(srv.URL)).Send(ctx, "a@b.test", []string{"c@d.test"}, []byte("x"))
	if err == nil || IsPermanent(err) {
		t.Errorf("canceled Send: %v", err)
	}
	checkSESErrorCounted(t, before, "unsure")
	if d := sendDurations(t) - timed; d != 1 {
		t.Errorf("SES send duration samples +%d, want +1", d)
	}
}
