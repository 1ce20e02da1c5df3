package inbound_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dargo-support/dargo/inbound"
	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// benchMail is a realistic ~20 KB multipart/alternative mail with a unique Message-ID.
func benchMail(i int64, sender string) []byte {
	para := strings.Repeat("Die Rechnung für Oktober ist doppelt — bitte prüfen. Grüße, Jürgen. ", 12)
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: Bench %d <%s>\r\nTo: support@help.example.com\r\nSubject: Bench ticket %d\r\n", i, sender, i)
	fmt.Fprintf(&b, "Message-ID: <bench-%d-%d@example.com>\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n", i, time.Now().UnixNano())
	b.WriteString("Content-Type: multipart/alternative; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
	for range 8 {
		b.WriteString(para + "\r\n\r\n")
	}
	b.WriteString("--b1\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<div>")
	for range 8 {
		b.WriteString("<p>" + para + "</p>\r\n")
	}
	b.WriteString("</div>\r\n--b1--\r\n")
	return b.Bytes()
}

func benchPipeline(db *store.DB) *inbound.Pipeline {
	return inbound.NewPipeline(db, inbound.Opts{
		MailDomain: "help.example.com", Secret: "bench", MaxMailBytes: 64 << 20,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
}

// BenchmarkIngest measures raw bytes to commit (store raw, parse, route, one
// transaction), with 1 and 8 concurrent ingestors, on each database.
func BenchmarkIngest(b *testing.B) {
	for _, dialect := range []string{store.SQLite, store.Postgres} {
		for _, workers := range []int{1, 8, 32} {
			b.Run(fmt.Sprintf("%s/ingestors=%d", dialect, workers), func(b *testing.B) {
				db := testdb.Open(b, dialect)
				p := benchPipeline(db)
				var next atomic.Int64
				b.ReportAllocs()
				b.ResetTimer()
				start := time.Now()
				var wg sync.WaitGroup
				for w := range workers {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for {
							i := next.Add(1)
							if i > int64(b.N) {
								return
							}
							raw := benchMail(i, fmt.Sprintf("user%d-%d@example.com", w, i%50))
							res, err := p.Ingest(context.Background(), raw, inbound.Envelope{})
							if err != nil || res.Action != store.ActionCreated {
								b.Errorf("ingest: %v %+v", err, res)
								return
							}
						}
					}()
				}
				wg.Wait()
				b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "mails/s")
			})
		}
	}
}

// BenchmarkIngest40MB ingests a mail with a 30 MB attachment (40 MB as
// base64 MIME) into SQLite; B/op shows what one such mail costs in memory.
func BenchmarkIngest40MB(b *testing.B) {
	raw := bigMail(30 << 20)
	db := testdb.Open(b, store.SQLite)
	p := benchPipeline(db)
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		m := bytes.Replace(raw, []byte("<big@example.com>"), fmt.Appendf(nil, "<big-%d@example.com>", i), 1)
		if res, err := p.Ingest(context.Background(), m, inbound.Envelope{}); err != nil || res.Action != store.ActionCreated {
			b.Fatalf("ingest: %v %+v", err, res)
		}
	}
}

func bigMail(attachment int) []byte {
	data := bytes.Repeat([]byte{0x25, 0x50, 0x44, 0x46, 0x2d, 0x00, 0xff, 0x10}, attachment/8)
	enc := base64.StdEncoding.EncodeToString(data)
	var b bytes.Buffer
	b.WriteString("From: big@example.com\r\nTo: support@help.example.com\r\nSubject: big\r\nMessage-ID: <big@example.com>\r\n")
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n")
	b.WriteString("--x\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=big.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n")
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\r\n--x--\r\n")
	return b.Bytes()
}
