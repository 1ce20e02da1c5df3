package inbound_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/dargo-support/dargo/inbound"
	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// A customer's first mail sets their language: from Content-Language when
// it names a supported one, else from the words; later mail keeps it.
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
			if _, err := p.Ingest(ctx, mail(i, s.from, s.field, s.text), inbound.Envelope{}); err != nil {
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
