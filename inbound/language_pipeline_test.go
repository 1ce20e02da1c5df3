package inbound_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/dargo-support/dargo/inbound"
	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// passing is what SES says of a mail whose sender is who they claim.
var passing = inbound.Envelope{Verdicts: inbound.Verdicts{DMARC: "PASS", DKIM: "PASS", SPF: "PASS"}}

// A customer's first verified mail sets their language: from
// Content-Language when it names a supported one, else from the words;
// later mail keeps it.
func TestPipelineRecordsTheSendersLanguage(t *testing.T) {
	mail := func(n int, from, field, text string) []byte {
		h := ""
		if field != "" {
			h = "Content-Language: " + field + "\r\n"
		}
		return fmt.Appendf(nil, "From: %s\r\nTo: help@help.example.com\r\nSubject: s%d\r\nMessage-ID: <lang%d@example.org>\r\n%sContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n", from, n, n, h, text)
	}
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		p := inbound.NewPipeline(db, pipelineOpts())
		steps := []struct {
			from, field, text, want string
		}{
			{"Anna <anna@example.org>", "de-AT", "Hello, this is written in English but the header says German.", "de"},
			{"anna@example.org", "fr", "Bonjour, je vous écris en français maintenant.", "de"},
			{"marie@example.org", "", "Bonjour, je ne peux pas me connecter à mon compte. Merci pour votre aide.", "fr"},
			{"juan@example.org", "it", "Hola, no puedo entrar en mi cuenta. Muchas gracias por su ayuda.", "es"},
			{"kim@example.org", "", "ok", ""},
		}
		for i, s := range steps {
			if _, err := p.Ingest(ctx, mail(i, s.from, s.field, s.text), passing); err != nil {
				t.Fatal(err)
			}
			addr := s.from
			if i == 0 {
				addr = "anna@example.org"
			}
			u, err := db.UserByEmail(ctx, addr)
			if err != nil {
				t.Fatal(err)
			}
			if u.Language != s.want {
				t.Errorf("step %d: %s's language = %q, want %q", i, addr, u.Language, s.want)
			}
		}
	})
}

// A mail that only claims to come from someone (every check failed) does
// not set their language, nor does an automatic one; their own verified
// mail then does.
func TestPipelineForgedMailSetsNoLanguage(t *testing.T) {
	const victim = "victim@example.org"
	forged := inbound.Envelope{Sender: "eve@evil.test", Verdicts: inbound.Verdicts{SPF: "FAIL", DKIM: "FAIL", DMARC: "FAIL", DMARCPolicy: "none"}}
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		p := inbound.NewPipeline(db, pipelineOpts())
		steps := []struct {
			env         inbound.Envelope
			extra       string
			field, want string
		}{
			{forged, "", "fr", ""},
			{passing, "Auto-Submitted: auto-replied\r\nIn-Reply-To: <forged0@example.org>\r\n", "fr", ""},
			{passing, "", "de", "de"},
		}
		for i, s := range steps {
			raw := fmt.Appendf(nil, "From: Vic <%s>\r\nTo: help@help.example.com\r\nSubject: Hello %d\r\nMessage-ID: <forged%d@example.org>\r\n%sContent-Language: %s\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHello there, a few words of text.\r\n",
				victim, i, i, s.extra, s.field)
			res, err := p.Ingest(ctx, raw, s.env)
			if err != nil {
				t.Fatal(err)
			}
			if res.Action != store.ActionCreated && res.Action != store.ActionAppended {
				t.Fatalf("step %d: %+v", i, res)
			}
			u, err := db.UserByEmail(ctx, victim)
			if err != nil {
				t.Fatal(err)
			}
			if u.Language != s.want {
				t.Errorf("step %d: language = %q, want %q", i, u.Language, s.want)
			}
		}
	})
}
