package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// adaText and adaHTML are what Ada wrote on her own ticket: ordinary words,
// quotes in the markup, and the erased participant's real name and address.
const (
	adaText = `Please help: the printer caught fire and the secret info is in the tray. "Quotes" stay. ` +
		`Al from accounts saw it. Thank you!`
	adaHTML = `<p class="note" title="a &quot;quoted&quot; title">Please help: the printer caught fire and the secret info ` +
		`is in the tray. &quot;Quotes&quot; stay. Al from accounts saw it. Thank you!</p>`
)

// ccOnAdasTicket makes a participant with the name on a ticket of Ada's, and
// returns the participant and the ticket.
func ccOnAdasTicket(t *testing.T, db *store.DB, name, text, html string) (*store.User, int64) {
	t.Helper()
	ctx := context.Background()
	d := newTicket("Printer")
	d.From = store.Person{Email: "ada@example.com", Name: "Ada"}
	d.Message.Text, d.Message.VisibleText, d.Message.HTML = text, text, html
	got := deliver(t, db, d)
	cc := signedUp(t, db, "cc.person@example.net")
	if name != "" {
		if err := db.ChangeName(ctx, cc.ID, cc.ID, name); err != nil {
			t.Fatal(err)
		}
	}
	exec(t, db, `INSERT INTO participants (ticket_id, user_id, role, created_at) VALUES (?, ?, 'cc', ?)`, got.TicketID, cc.ID, time.Now())
	return cc, got.TicketID
}

// adasMessage is the text and HTML of Ada's message, after the erasure.
func adasMessage(t *testing.T, db *store.DB, ticketID int64) (text, visible, html string) {
	t.Helper()
	var m struct {
		Text    string `db:"text"`
		Visible string `db:"visible_text"`
		HTML    string `db:"html"`
	}
	if err := db.X.Get(&m, db.X.Rebind(`SELECT text, visible_text, html FROM messages WHERE ticket_id = ? ORDER BY id LIMIT 1`), ticketID); err != nil {
		t.Fatal(err)
	}
	return m.Text, m.Visible, m.HTML
}

// TestEraseLeavesOthersWordsAlone: a participant with a hostile name erases
// themselves, and what Ada wrote survives word for word, markup included.
func TestEraseLeavesOthersWordsAlone(t *testing.T) {
	for _, name := range []string{
		`" Please help printer fire secret info the and`, // the first repro
		`"`,                 // the second: it rewrote quotes inside stored HTML
		"Help",              // a common word alone
		"Thank You",         // only common words
		"Al",                // under three letters
		`. * + ? ( ) [ ] |`, // regex metacharacters, no letters
		"printer",           // a common word, in lower case
		"Quotes stay",       // not a name anybody wrote next to each other
	} {
		t.Run(name, func(t *testing.T) {
			testdb.Each(t, func(t *testing.T, db *store.DB) {
				cc, ticketID := ccOnAdasTicket(t, db, name, adaText, adaHTML)
				if _, err := db.Erase(context.Background(), cc.ID, store.EraseOpts{}); err != nil {
					t.Fatal(err)
				}
				text, visible, html := adasMessage(t, db, ticketID)
				if text != adaText || visible != adaText {
					t.Errorf("Ada's text became:\n%s", text)
				}
				if html != adaHTML {
					t.Errorf("Ada's HTML became:\n%s", html)
				}
			})
		})
	}
}

// TestEraseScrubsTheRealNameAndAddress: the whole name (any case, any
// spacing, regex metacharacters taken literally) and the exact address go
// from others' text and HTML text nodes, and from a mailto link; single
// words of the name and longer words or addresses that contain them stay.
func TestEraseScrubsTheRealNameAndAddress(t *testing.T) {
	const name = `Zelda (Z.) Quixote+Smith`
	text := "Hello ZELDA (z.)  quixote+smith, we mailed cc.person@example.net and CC.Person@Example.NET.\n" +
		"Zelda alone stays, as do Zeldas, bcc.person@example.net and cc.person@example.network."
	html := `<p>Hello <b>Zelda (Z.) Quixote+Smith</b>, write to <a href="mailto:cc.person@example.net">cc.person@example.net</a>.</p>` +
		`<p data-x="Zelda (Z.) Quixote+Smith">Zelda &amp; friends</p>`
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		cc, ticketID := ccOnAdasTicket(t, db, name, text, html)
		if _, err := db.Erase(context.Background(), cc.ID, store.EraseOpts{}); err != nil {
			t.Fatal(err)
		}
		gotText, gotVisible, gotHTML := adasMessage(t, db, ticketID)
		wantText := "Hello [erased], we mailed [erased] and [erased].\n" +
			"Zelda alone stays, as do Zeldas, bcc.person@example.net and cc.person@example.network."
		if gotText != wantText || gotVisible != wantText {
			t.Errorf("text:\n%s\nwant:\n%s", gotText, wantText)
		}
		wantHTML := `<p>Hello <b>[erased]</b>, write to <a href="mailto:[erased]">[erased]</a>.</p>` +
			`<p data-x="Zelda (Z.) Quixote+Smith">Zelda &amp; friends</p>`
		if gotHTML != wantHTML {
			t.Errorf("html:\n%s\nwant:\n%s", gotHTML, wantHTML)
		}
		if strings.Contains(gotHTML, "cc.person@") {
			t.Error("the address is left in the HTML")
		}
	})
}

// TestEraseScrubsEarlierAddresses: after an address change, erasure
// replaces the address the account had before too, and leaves an address
// a change link was only mailed to (anybody's) alone.
func TestEraseScrubsEarlierAddresses(t *testing.T) {
	text := "Old: cc.person@example.net. New: cc@new.example. Asked for: someone@else.example."
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		cc, ticketID := ccOnAdasTicket(t, db, "", text, "")
		mailLink(t, db, "never", store.PurposeEmailChange, "someone@else.example", cc.ID)
		mailLink(t, db, "move", store.PurposeEmailChange, "cc@new.example", cc.ID)
		if _, err := db.ChangeEmail(ctx, "move", undoLink("move")); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Erase(ctx, cc.ID, store.EraseOpts{}); err != nil {
			t.Fatal(err)
		}
		if got, _, _ := adasMessage(t, db, ticketID); got != "Old: [erased]. New: [erased]. Asked for: someone@else.example." {
			t.Errorf("Ada's text: %s", got)
		}
	})
}
