package web

import (
	"context"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// TestMentionHTML: an @handle that names a staff member becomes a link to
// their tickets; everything else, other @words and addresses included,
// stays escaped text.
func TestMentionHTML(t *testing.T) {
	staff := []store.Mentionable{
		{ID: 7, Email: "mia@desk.example", Name: "Mia Wong", Handle: "mia"},
		{ID: 9, Email: "b.o'neil@desk.example", DisplayName: "Bob <O'Neil>", Handle: "b.o'neil"},
		{ID: 11, Email: "zoe@desk.example", Name: "Zoë Åberg", Handle: "zoe"},
	}
	mia := `<a class="mention" href="/inbox?queue=all&amp;assignee=7" title="Mia Wong — tickets assigned to them">`
	tests := []struct{ text, want string }{
		{"Ask @mia please", "Ask " + mia + "@mia</a> please"},
		{"<script>@mia</script>", "&lt;script&gt;" + mia + "@mia</a>&lt;/script&gt;"},
		{"@Mia.", mia + "@Mia</a>."},
		{"(@mia's call)", "(" + mia + "@mia</a>&#39;s call)"},
		{"mail mia@desk.example", "mail mia@desk.example"},
		{"@nobody & @mia", "@nobody &amp; " + mia + "@mia</a>"},
		{"@bob", `<a class="mention" href="/inbox?queue=all&amp;assignee=9" title="Bob &lt;O&#39;Neil&gt; — tickets assigned to them">@bob</a>`},
		{"hej @zoë", `hej <a class="mention" href="/inbox?queue=all&amp;assignee=11" title="Zoë Åberg — tickets assigned to them">@zoë</a>`},
		{"two\nlines @mia\n", "two\nlines " + mia + "@mia</a>\n"},
		{"", ""},
	}
	for _, tc := range tests {
		if got := mentionHTML(tc.text, staff); got != template.HTML(tc.want) {
			t.Errorf("mentionHTML(%q)\n got %s\nwant %s", tc.text, got, tc.want)
		}
	}
}

// TestInboxNoteMentions: the composer carries the staff a note can
// mention; a note saved with @mia typed out tells Mia and shows her name
// as a link, the rest of the note escaped.
func TestInboxNoteMentions(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		srv := deskServer(t, db)
		sam, _ := staffMember(t, srv, db, "sam@support.example")
		_, miaU := staffMember(t, srv, db, "mia@support.example")
		got := deliver(t, db, newMail("ada@example.com", "Broken export", "The CSV is empty."))
		path := "/inbox/tickets/" + itoa(got.TicketNumber)

		_, page := get(t, sam, srv, path)
		for _, want := range []string{`<ul id="mention-list" class="mention-list" role="listbox" aria-label="Staff to mention" hidden></ul>`,
			`<script type="application/json" id="mentionables">[{"name":"","display_name":"","handle":"mia"}]</script>`} {
			if !strings.Contains(page, want) {
				t.Errorf("the composer lacks %s", want)
			}
		}

		text := "<script>@mia</script> can you check the export?"
		res, _ := postMultipart(t, sam, srv.URL+path+"/reply", url.Values{"kind": {"note"}, "send": {"note"}, "text": {text}, "last_message": {lastMessage(t, page)}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("POST a note: %s", res.Status)
		}
		_, page = get(t, sam, srv, path)
		want := `<div class="body">&lt;script&gt;<a class="mention" href="/inbox?queue=all&amp;assignee=` + itoa(miaU.ID) +
			`" title="mia@support.example — tickets assigned to them">@mia</a>&lt;/script&gt; can you check the export?</div>`
		if strings.Contains(page, "<script>@mia") || !strings.Contains(page, want) {
			t.Errorf("the note is not shown as %s:\n%s", want, page)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM staff_events WHERE user_id = ? AND kind = ? AND ticket_id = ?`, miaU.ID, store.NoticeMention, got.TicketID); n != 1 {
			t.Errorf("Mia was told of %d mentions, want 1", n)
		}
		// The link leads to the inbox of Mia's tickets.
		if res, _ := get(t, sam, srv, "/inbox?queue=all&assignee="+itoa(miaU.ID)); res.StatusCode != http.StatusOK {
			t.Errorf("the mention's link: %s", res.Status)
		}
	})
}

// TestInboxHeldAnswer: an answer by mail that was held shows on the ticket
// as a note marked held, with why, all of it escaped; customers never see it.
func TestInboxHeldAnswer(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		srv := deskServer(t, db)
		sam, samU := staffMember(t, srv, db, "sam@support.example")
		got := deliver(t, db, newMail("ada@example.com", "Broken export", "The CSV is empty."))
		in, _, err := db.SaveInboundMail(ctx, &store.InboundMail{Key: "held-1", Sender: "sam@support.example"}, []byte("From: sam@support.example\r\n\r\nRefund them.\r\n"))
		if err != nil {
			t.Fatal(err)
		}
		reason := `the sender is not verified (SPF fail for <evil.test>)`
		_, err = db.RecordStaffMail(ctx, store.StaffMail{InboundMailID: in.ID, TicketID: got.TicketID, StaffID: samU.ID,
			From: store.Person{Email: "sam@support.example"}, Subject: "Re: Broken export",
			Text: "<b>Refund</b> them @sam", Reply: "<b>Refund</b> them @sam", SenderAuthReason: "spf fail", Held: reason})
		if err != nil {
			t.Fatal(err)
		}
		_, page := get(t, sam, srv, "/inbox/tickets/"+itoa(got.TicketNumber))
		for _, want := range []string{` data-held`, `<span class="tag tag-held">Held</span>`,
			`<p class="held-why" role="note"><strong>Held — answer by mail not sent:</strong> the sender is not verified (SPF fail for &lt;evil.test&gt;)</p>`,
			`<div class="body">&lt;b&gt;Refund&lt;/b&gt; them <a class="mention"`} {
			if !strings.Contains(page, want) {
				t.Errorf("the ticket page lacks %s", want)
			}
		}
		ada := customer(t, srv, db, "ada@example.com")
		if _, page := get(t, ada, srv, "/tickets/"+itoa(got.TicketNumber)); strings.Contains(page, "Refund") || strings.Contains(page, "Held") {
			t.Error("the customer sees the held answer")
		}
	})
}
