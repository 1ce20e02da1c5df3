package outbound

import (
	"context"
	"crypto/rand"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/dargo-support/dargo/store"
)

// benchReply is a staff reply notification with history and an attachment
// of size bytes.
func benchReply(b *testing.B, size int) *Mail {
	b.Helper()
	o := testOutgoing(store.EmailReply)
	data := make([]byte, size)
	rand.Read(data)
	o.Attachments = []store.File{{Attachment: store.Attachment{Filename: "scan.pdf", ContentType: "application/pdf"}, Data: data}}
	m, err := Build(o, testOpts())
	if err != nil {
		b.Fatal(err)
	}
	return m
}

func reportMailsPerSec(b *testing.B) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "mails/s")
}

func BenchmarkCompose1MBAttachment(b *testing.B) {
	m := benchReply(b, 1<<20)
	b.ReportAllocs()
	b.SetBytes(1 << 20)
	for b.Loop() {
		if _, err := Compose(m); err != nil {
			b.Fatal(err)
		}
	}
	reportMailsPerSec(b)
}

func BenchmarkBuildReply(b *testing.B) {
	o := testOutgoing(store.EmailReply)
	opts := testOpts()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Build(o, opts); err != nil {
			b.Fatal(err)
		}
	}
	reportMailsPerSec(b)
}

// benchSend sends a 20 KB composed mail b.N times through s, one at a time
// as one worker goroutine does.
func benchSend(b *testing.B, s *SES) {
	raw, err := Compose(benchReply(b, 20<<10))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Send(ctx, "support@acme.test", []string{"zoe@example.org"}, raw); err != nil {
			b.Fatal(err)
		}
	}
	reportMailsPerSec(b)
}

// BenchmarkSendInstant measures Dargo's and the SDK's own overhead per
// send: the endpoint answers at once.
func BenchmarkSendInstant(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		io.WriteString(w, `{"MessageId":"0100018f-abc"}`)
	}))
	defer srv.Close()
	benchSend(b, NewSES(stubClient(srv.URL)))
}

// BenchmarkSendMoto sends to moto through the environment-configured client.
func BenchmarkSendMoto(b *testing.B) {
	s, _ := motoSES(b)
	benchSend(b, s)
}
