package outbound

import (
	"strings"
	"testing"

	"github.com/dargo-support/dargo/store"
)

func TestBuildReplyFromAnAgent(t *testing.T) {
	for _, c := range []struct {
		name, author, team, wantFrom string
	}{
		{"no profile", "", "Acme Support", "Acme Support"},
		{"a display name", "Mia", "Acme Support", "Mia from Acme Support"},
		{"a desk without a name", "Mia", "", "Mia from Support"},
	} {
		t.Run(c.name, func(t *testing.T) {
			o := testOutgoing(store.EmailReply)
			o.Author = store.StaffProfile{DisplayName: c.author, Signature: "Mia\nAcme"}
			opts := testOpts()
			opts.From.Name = c.team
			m, err := Build(o, opts)
			if err != nil {
				t.Fatal(err)
			}
			if m.From.Name != c.wantFrom || m.From.Email != opts.From.Email {
				t.Errorf("From = %q <%s>, want %q <%s>", m.From.Name, m.From.Email, c.wantFrom, opts.From.Email)
			}
			if !strings.Contains(m.Text, "Thanks\n\nMia\nAcme\n\n") || !strings.Contains(m.HTML, `<div class="signature" style="color:#444"><p>Mia<br>`) {
				t.Errorf("the signature does not follow the reply:\n%s\n%s", m.Text, m.HTML)
			}
		})
	}
	for _, kind := range []string{store.EmailConfirmation, store.EmailStatus} {
		o := testOutgoing(kind)
		o.Author = store.StaffProfile{DisplayName: "Mia", Signature: "Mia sig"}
		m, err := Build(o, testOpts())
		if err != nil {
			t.Fatal(err)
		}
		if m.From.Name != "Acme Support" || strings.Contains(m.Text, "Mia sig") {
			t.Errorf("%s mail carries the agent: From %q\n%s", kind, m.From.Name, m.Text)
		}
	}
}
