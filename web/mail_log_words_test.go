package web

import (
	"testing"
	"time"

	"github.com/dargo-support/dargo/store"
)

// TestMailLineWords: each emails row reads as staff should read it.
func TestMailLineWords(t *testing.T) {
	at := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	sent := at.Add(3 * time.Second)
	stale := at.Add(-2 * time.Minute)
	mailNow = func() time.Time { return at.Add(10 * time.Second) }
	defer func() { mailNow = time.Now }()
	cases := []struct {
		name                  string
		e                     store.Email
		what, status, warning string
		detail, tone          string
	}{
		{"reply with a status change", store.Email{Kind: store.EmailReply, Status: store.EmailSent, SentAt: &sent, Announces: "resolved"},
			"Reply and status change: resolved", "sent", "", "", "ok"},
		{"being sent", store.Email{Kind: store.EmailStatus, Status: store.EmailQueued, SendingAt: &at},
			"Status change", "sending now", "", "", "waiting"},
		{"cut off while sending", store.Email{Kind: store.EmailStatus, Status: store.EmailQueued, SendingAt: &stale},
			"Status change", "cut off while sending; it will be tried again", "", "", "waiting"},
		{"objected", store.Email{Kind: store.EmailBroadcast, Status: store.EmailSuppressed, Reason: store.ReasonObjected},
			"Announcement", "not sent: the person objected to optional mail", "", "", "muted"},
		{"complained before", store.Email{Kind: store.EmailReply, Status: store.EmailSuppressed, Reason: "address suppressed: complaint: abuse"},
			"Reply", "not sent: the address complained before", "", "address suppressed: complaint: abuse", "muted"},
		{"loop guard", store.Email{Kind: store.EmailConfirmation, Status: store.EmailSuppressed, Reason: "loop guard: 5 automatic mails within 1h0m0s"},
			"Confirmation", "not sent: too many automatic mails to this address", "", "loop guard: 5 automatic mails within 1h0m0s", "muted"},
		{"bounced after sending", store.Email{Kind: store.EmailReply, Status: store.EmailFailed, SentAt: &sent, Reason: "a@x: ses bounce: General"},
			"Reply", "sent, then bounced", "", "a@x: ses bounce: General", "bad"},
		{"complained after sending", store.Email{Kind: store.EmailReply, Status: store.EmailFailed, SentAt: &sent, Reason: "complaint: abuse"},
			"Reply", "sent, then complained about", "", "complaint: abuse", "bad"},
		{"cut off twice, then sent", store.Email{Kind: store.EmailStaffNotice, Status: store.EmailSent, SentAt: &sent, Attempts: 3, Interrupted: 2},
			"Staff notice", "sent", "may have been sent up to 3 times", "", "ok"},
		{"unknown kind", store.Email{Kind: "fax", Status: store.EmailQueued},
			"fax", "waiting to send", "", "", "waiting"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.e.CreatedAt = at
			l := mailLineOf(c.e)
			if l.What != c.what || l.Status != c.status || l.Warning != c.warning || l.Detail != c.detail || l.Tone != c.tone {
				t.Errorf("got what %q status %q warning %q detail %q tone %q\nwant what %q status %q warning %q detail %q tone %q",
					l.What, l.Status, l.Warning, l.Detail, l.Tone, c.what, c.status, c.warning, c.detail, c.tone)
			}
		})
	}
}
