package outbound

import (
	"strings"
	"testing"

	"github.com/dargo-support/dargo/internal/i18n"
	"github.com/dargo-support/dargo/store"
)

// Every message of the mail catalog is in every supported language: a
// missing translation fails CI.
func TestMailCatalogIsComplete(t *testing.T) {
	if missing := i18n.Missing(mailMessages); len(missing) > 0 {
		t.Errorf("mail messages lack translations: %v", missing)
	}
}

// Each kind of customer mail comes in the recipient's recorded language:
// subject, greeting by first name, body and the policy footer; the ticket's
// subject is left as the customer wrote it.
func TestMailsInTheCustomersLanguage(t *testing.T) {
	type want struct{ confirm, status, autoclose, merged, link, email, erase, undo, greet, neutral, body, privacy, answer string }
	langs := map[string]want{
		"de": {"Wir haben Ihre Anfrage erhalten [#42] Printer <broken>", "Ihre Anfrage [#42] wurde gelöst: Printer <broken>",
			"Diese Anfrage wird in 2 Tagen geschlossen, wenn Sie nicht antworten [#42] Printer <broken>", "Ihre Anfrage geht weiter als [#42] Printer <broken>",
			"Ihr Anmeldelink", "Bestätigen Sie Ihre neue E-Mail-Adresse", "Bestätigen Sie das Löschen Ihrer Daten", "Ihre Adresse wurde geändert",
			"Hallo Zoë,", "Guten Tag,", "Wir haben Ihre Anfrage erhalten und melden uns bald bei Ihnen.", "Datenschutzerklärung", "Antworten Sie auf diese Mail, oder"},
		"fr": {"Nous avons bien reçu votre demande [#42] Printer <broken>", "Votre demande [#42] a été résolue : Printer <broken>",
			"Cette demande sera fermée dans 2 jours sans réponse de votre part [#42] Printer <broken>", "Votre demande continue sous [#42] Printer <broken>",
			"Votre lien de connexion", "Confirmez votre nouvelle adresse e-mail", "Confirmez l'effacement de vos données", "Votre adresse a été modifiée",
			"Bonjour Zoë,", "Bonjour,", "Nous avons bien reçu votre demande et reviendrons vers vous rapidement.", "Politique de confidentialité", "Répondez à ce mail pour répondre, ou"},
		"es": {"Hemos recibido su solicitud [#42] Printer <broken>", "Su solicitud [#42] ha sido resuelta: Printer <broken>",
			"Esta solicitud se cerrará en 2 días si no responde [#42] Printer <broken>", "Su solicitud continúa como [#42] Printer <broken>",
			"Su enlace de acceso", "Confirme su nueva dirección de correo", "Confirme el borrado de sus datos", "Su dirección ha cambiado",
			"Hola Zoë,", "Hola,", "Hemos recibido su solicitud y le responderemos pronto.", "Política de privacidad", "Responda a este correo para contestar, o"},
	}
	opts := testOpts()
	for lang, w := range langs {
		t.Run(lang, func(t *testing.T) {
			build := func(kind string) *Mail {
				t.Helper()
				o := testOutgoing(kind)
				o.User.Language = lang
				if kind != store.EmailReply {
					o.Message, o.Attachments, o.History = nil, nil, nil
				}
				m, err := Build(o, opts)
				if err != nil {
					t.Fatal(err)
				}
				return m
			}
			link := func(path, account string, name string) *Mail {
				t.Helper()
				m, err := BuildLinkMail(Address{Name: name, Email: "zoe@example.org"}, "https://help.acme.test"+path+"?token=abc", account, lang, opts)
				if err != nil {
					t.Fatal(err)
				}
				return m
			}
			cases := []struct {
				kind, subject, greet string
				m                    *Mail
			}{
				{store.EmailConfirmation, w.confirm, w.greet, build(store.EmailConfirmation)},
				{store.EmailStatus, w.status, w.greet, build(store.EmailStatus)},
				{store.EmailAutocloseWarning, w.autoclose, w.greet, build(store.EmailAutocloseWarning)},
				{store.EmailMerged, w.merged, w.greet, build(store.EmailMerged)},
				{"sign-in link", w.link, w.greet, link("/login/confirm", "", "Zoë Müller")},
				{"sign-in link, no name", w.link, w.neutral, link("/login/confirm", "", "")},
				{"address confirmation", w.email, w.greet, link("/account/email/confirm", "", "Zoë Müller")},
				{"erasure confirmation", w.erase, w.greet, link("/account/erase/confirm", "", "Zoë Müller")},
				{"address change notice", w.undo, w.neutral, link("/account/email/undo", "new@example.net", "Zoë Müller")},
			}
			for _, c := range cases {
				if c.m.Subject != c.subject {
					t.Errorf("%s: subject %q, want %q", c.kind, c.m.Subject, c.subject)
				}
				if !strings.HasPrefix(c.m.Text, c.greet+"\n") || !strings.Contains(c.m.HTML, "<p>"+c.greet+"</p>") {
					t.Errorf("%s: does not open with %q:\n%s", c.kind, c.greet, c.m.Text)
				}
				if !strings.Contains(c.m.Text, w.privacy+": https://help.acme.test/privacy") || !strings.Contains(c.m.HTML, w.privacy+"</a>") {
					t.Errorf("%s: footer lacks %q:\n%s", c.kind, w.privacy, c.m.Text)
				}
				if !strings.Contains(c.m.HTML, `<html lang="`+lang+`">`) {
					t.Errorf("%s: html not marked %s", c.kind, lang)
				}
				for _, english := range []string{"We received", "Your request", "See it online", "Use this link", "Hello", "Privacy policy"} {
					if strings.Contains(c.m.Text, english) {
						t.Errorf("%s: text has English %q:\n%s", c.kind, english, c.m.Text)
					}
				}
				if _, err := Compose(c.m); err != nil {
					t.Errorf("%s: compose: %v", c.kind, err)
				}
			}
			if m := build(store.EmailConfirmation); !strings.Contains(m.Text, w.body) {
				t.Errorf("confirmation lacks %q:\n%s", w.body, m.Text)
			}
			// A staff reply: its own words, our frame in the language.
			r := build(store.EmailReply)
			if r.Subject != "Re: Printer <broken>" || !strings.Contains(r.Text, w.answer) || !strings.Contains(r.HTML, w.answer) {
				t.Errorf("reply: subject %q, text lacks %q:\n%s", r.Subject, w.answer, r.Text)
			}
		})
	}
}

// A language we do not speak, or none, is English.
func TestMailsInEnglishByDefault(t *testing.T) {
	for _, lang := range []string{"", "it"} {
		o := testOutgoing(store.EmailConfirmation)
		o.Message, o.Attachments, o.History = nil, nil, nil
		o.User.Language = lang
		m, err := Build(o, testOpts())
		if err != nil {
			t.Fatal(err)
		}
		if m.Subject != "We received your request [#42] Printer <broken>" || !strings.HasPrefix(m.Text, "Hi Zoë,\n") {
			t.Errorf("%q: subject %q\n%s", lang, m.Subject, m.Text)
		}
	}
}

// BenchmarkBuildConfirmationByLanguage builds a confirmation in English
// and in German: the catalog's cost.
func BenchmarkBuildConfirmationByLanguage(b *testing.B) {
	for _, lang := range []string{"en", "de"} {
		b.Run(lang, func(b *testing.B) {
			o := testOutgoing(store.EmailConfirmation)
			o.Message, o.Attachments, o.History = nil, nil, nil
			o.User.Language = lang
			opts := testOpts()
			for b.Loop() {
				if _, err := Build(o, opts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
