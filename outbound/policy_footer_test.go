package outbound

import (
	"strings"
	"testing"

	"github.com/dargo-support/dargo/store"
)

// Every kind of mail Dargo sends ends with links to the privacy policy and
// the terms, in its text and its HTML, and the mail still composes.
func TestEveryMailLinksThePolicies(t *testing.T) {
	opts := testOpts()
	to := Address{Name: "Zoë", Email: "zoe@example.org"}
	build := map[string]func() (*Mail, error){
		store.EmailConfirmation:     func() (*Mail, error) { return Build(testOutgoing(store.EmailConfirmation), opts) },
		store.EmailReply:            func() (*Mail, error) { return Build(testOutgoing(store.EmailReply), opts) },
		store.EmailStatus:           func() (*Mail, error) { return Build(testOutgoing(store.EmailStatus), opts) },
		store.EmailMerged:           func() (*Mail, error) { return Build(testOutgoing(store.EmailMerged), opts) },
		store.EmailAutocloseWarning: func() (*Mail, error) { return Build(testOutgoing(store.EmailAutocloseWarning), opts) },
		store.EmailForward:          func() (*Mail, error) { return Build(testForward(), opts) },
		store.EmailMagicLink: func() (*Mail, error) {
			return BuildMagicLink(to, "https://help.acme.test/login/confirm?token=abc", opts)
		},
		store.EmailBroadcast: func() (*Mail, error) { return BuildBroadcast(to, "Maintenance", "We move on Sunday.", opts) },
		store.EmailPolicyNotice: func() (*Mail, error) {
			return BuildPolicyNotice(to, "We updated our privacy policy", "Shorter.\n\nRead it: https://help.acme.test/privacy/versions/2", opts)
		},
		store.EmailTooLarge: func() (*Mail, error) {
			o := opts
			o.MailLimit = 25 << 20
			return BuildTooLarge(to, "Holiday photos", o)
		},
		store.EmailStaffNotice: func() (*Mail, error) {
			o, n := testNotice()
			return BuildStaffNotice(o, n, staffOpts())
		},
		store.EmailStaffDigest: func() (*Mail, error) {
			o, n := testDigest()
			return BuildStaffDigest(o, n, staffOpts())
		},
		store.EmailStaffUnrecorded: func() (*Mail, error) { return BuildStaffUnrecorded(testUnrecorded(), staffOpts()) },
	}
	for _, kind := range kinds {
		t.Run(kind, func(t *testing.T) {
			f, ok := build[kind]
			if !ok {
				t.Fatalf("no case for mail kind %q: add one", kind)
			}
			m, err := f()
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{"Privacy policy: https://help.acme.test/privacy", "Terms of service: https://help.acme.test/terms"} {
				if !strings.Contains(m.Text, want) {
					t.Errorf("text lacks %q:\n%s", want, m.Text)
				}
			}
			for _, want := range []string{`<a href="https://help.acme.test/privacy"`, `<a href="https://help.acme.test/terms"`} {
				if !strings.Contains(m.HTML, want) {
					t.Errorf("html lacks %q:\n%s", want, m.HTML)
				}
			}
			if _, err := Compose(m); err != nil {
				t.Fatal(err)
			}
		})
	}
	// The policy notice says why it comes even to people who object to optional mail.
	m, _ := build[store.EmailPolicyNotice]()
	if !m.Auto || !strings.Contains(m.Text, "also to people who turned optional") {
		t.Errorf("policy notice: auto %v\n%s", m.Auto, m.Text)
	}
}
