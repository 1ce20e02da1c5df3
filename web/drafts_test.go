package web

import (
	"bytes"
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// keptOnPage checks that a re-rendered form still has the text, a chip for
// every kept file, and the problem both at the top of the form and next to
// its field.
func keptOnPage(t *testing.T, body, text string, files []string, problem, field string) {
	t.Helper()
	if !strings.Contains(body, ` required>`+html.EscapeString(text)+`</textarea>`) {
		t.Errorf("the text %q is not in the form again", text)
	}
	for _, f := range files {
		if !strings.Contains(body, `<span class="chip-name">`+f+`</span>`) || !strings.Contains(body, `aria-label="Remove `+f+`"`) {
			t.Errorf("no chip with a remove button for %s", f)
		}
	}
	if problem == "" {
		return
	}
	top := strings.Index(body, `<p id="compose-top" class="error" role="alert" tabindex="-1">`)
	if top < 0 || !strings.Contains(body[top:], html.EscapeString(problem)) {
		t.Errorf("the problem %q is not at the top of the form", problem)
	}
	if field == "" {
		return // a problem of the whole form, such as the collision guard
	}
	if !strings.Contains(body, `<p id="`+field+`" class="field-error">`) || !strings.Contains(body, `aria-describedby="`+field+`"`) {
		t.Errorf("the problem is not next to its field (%s)", field)
	}
	if strings.Index(body, `id="compose-top"`) > strings.Index(body, `id="`+field+`"`) {
		t.Error("the problem at the top comes after the field")
	}
}

// TestStaffReplyKeepsEverythingOnEveryError: a file too large, a missing
// text and a reply held back by the collision guard each show the form
// again with the text, the files that were accepted (as chips) and the
// problem at the top and next to the field; the draft is saved; the next
// send carries every kept file and clears the draft.
func TestStaffReplyKeepsEverythingOnEveryError(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		srv := deskServer(t, db)
		mia, miaUser := staffMember(t, srv, db, "mia@support.example")
		got := deliver(t, db, newMail("ada@example.com", "Printer on fire", "Please help."))
		path := "/inbox/tickets/" + itoa(got.TicketNumber)
		_, page := get(t, mia, srv, path)
		if !strings.Contains(page, `data-max-bytes="25000000"`) || !strings.Contains(page, `data-draft-url="`+path+`/draft"`) {
			t.Fatalf("the composer lacks its limit or draft URL:\n%s", page)
		}
		last := itoa(ticketLast(t, db, got.TicketID))

		// Too large: the small file before it and the text are kept.
		text := "A long & careful answer <with> detail"
		big := bytes.Repeat([]byte("x"), maxAttachBytes)
		res, body := postMultipart(t, mia, srv.URL+path+"/reply", url.Values{"text": {text}, "last_message": {last}},
			upload{"notes.txt", []byte("first notes")}, upload{"scan.pdf", big})
		if res.StatusCode != http.StatusBadRequest {
			t.Fatalf("too large: %s", res.Status)
		}
		keptOnPage(t, body, text, []string{"notes.txt"}, "scan.pdf is too large: attachments may be 25 MB in all.", "files-error")
		if d, err := db.DraftOf(ctx, miaUser.ID, got.TicketID); err != nil || d.Text != text {
			t.Errorf("the draft after the error: %+v, %v", d, err)
		}

		// A body over the limit stops the reading, not the text.
		res, body = postMultipart(t, mia, srv.URL+path+"/reply", url.Values{"text": {text}, "last_message": {last}},
			upload{"huge.iso", bytes.Repeat([]byte("y"), maxBodyBytes+1)})
		if res.StatusCode != http.StatusBadRequest {
			t.Fatalf("body too large: %s", res.Status)
		}
		keptOnPage(t, body, text, []string{"notes.txt"}, "huge.iso is too large", "files-error")
		if strings.Contains(body, "The files were too large to send") {
			t.Error("the body limit's problem repeats the file's")
		}

		// No text: the new file is kept too.
		res, body = postMultipart(t, mia, srv.URL+path+"/reply", url.Values{"text": {" "}, "last_message": {last}},
			upload{"photo.png", []byte("\x89PNG\r\n\x1a\nphoto")})
		if res.StatusCode != http.StatusBadRequest {
			t.Fatalf("no text: %s", res.Status)
		}
		keptOnPage(t, body, "", []string{"notes.txt", "photo.png"}, "Write a reply before sending.", "text-error")

		// The collision guard holds the reply back with its files.
		deliver(t, db, &store.Incoming{TicketID: got.TicketID, From: store.Person{Email: "ada@example.com"},
			Message: store.NewMessage{Kind: "inbound", Source: "email", Text: "It is spreading!", VisibleText: "It is spreading!"}})
		res, body = postMultipart(t, mia, srv.URL+path+"/reply", url.Values{"text": {text}, "last_message": {last}},
			upload{"manual.pdf", []byte("%PDF-1.4 manual")})
		if res.StatusCode != http.StatusConflict {
			t.Fatalf("collision: %s", res.Status)
		}
		keptOnPage(t, body, text, []string{"notes.txt", "photo.png", "manual.pdf"}, "A new message arrived", "")
		if !strings.Contains(body, `name="send_anyway"`) {
			t.Error("the held-back reply offers no Send anyway")
		}

		// A reload (another device) shows the draft and the chips.
		_, body = get(t, mia, srv, path)
		keptOnPage(t, body, text, []string{"notes.txt", "photo.png", "manual.pdf"}, "", "")

		res, _ = postMultipart(t, mia, srv.URL+path+"/reply", url.Values{"text": {text}, "send_anyway": {"1"},
			"last_message": {itoa(ticketLast(t, db, got.TicketID))}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("send: %s", res.Status)
		}
		msgs := thread(t, db, got.TicketID)
		sent := msgs[len(msgs)-1]
		var names []string
		for _, a := range sent.Attachments {
			names = append(names, a.Filename)
		}
		if sent.VisibleText != text || strings.Join(names, ",") != "notes.txt,photo.png,manual.pdf" {
			t.Errorf("sent %q with %q, want the text and the three kept files", sent.VisibleText, names)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM drafts`) + count(t, db, `SELECT COUNT(*) FROM staged_files`); n != 0 {
			t.Errorf("%d draft and staged rows left after sending", n)
		}
		if _, body = get(t, mia, srv, path); strings.Contains(body, `class="chip"`) || strings.Contains(body, ">"+html.EscapeString(text)+"</textarea>") {
			t.Error("the composer still shows the sent draft")
		}
	})
}

// ticketLast is the ticket's newest message id, as the page renders it.
func ticketLast(t *testing.T, db *store.DB, ticketID int64) int64 {
	t.Helper()
	id, err := db.LastMessageID(context.Background(), ticketID)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// TestStagedFileRemoveIsTheOwners: a chip's remove button posts the whole
// form: the file goes, the text stays; a colleague's remove button cannot
// take someone else's file.
func TestStagedFileRemoveIsTheOwners(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		srv := deskServer(t, db)
		mia, miaUser := staffMember(t, srv, db, "mia@support.example")
		bo, _ := staffMember(t, srv, db, "bo@support.example")
		got := deliver(t, db, newMail("ada@example.com", "Printer on fire", "Please help."))
		path := "/inbox/tickets/" + itoa(got.TicketNumber)
		postMultipart(t, mia, srv.URL+path+"/reply", url.Values{"text": {""}}, upload{"a.txt", []byte("a")}, upload{"b.txt", []byte("b")})
		staged, _ := db.StagedFiles(ctx, miaUser.ID, got.TicketID)
		if len(staged) != 2 {
			t.Fatalf("staged %d files, want 2", len(staged))
		}
		res, body := postMultipart(t, bo, srv.URL+path+"/reply", url.Values{"text": {"Bo's words"}, "remove": {itoa(staged[0].ID)}})
		if res.StatusCode != http.StatusOK || !strings.Contains(body, "That file was already removed.") {
			t.Errorf("Bo's remove: %s", res.Status)
		}
		if left, _ := db.StagedFiles(ctx, miaUser.ID, got.TicketID); len(left) != 2 {
			t.Fatalf("Bo removed Mia's file")
		}
		res, body = postMultipart(t, mia, srv.URL+path+"/reply", url.Values{"text": {"Still typing"}, "kind": {"note"}, "remove": {itoa(staged[0].ID)}})
		if res.StatusCode != http.StatusOK || !strings.Contains(body, "Removed a.txt. Your text is kept.") {
			t.Fatalf("Mia's remove: %s\n%s", res.Status, body)
		}
		keptOnPage(t, body, "Still typing", []string{"b.txt"}, "", "")
		if strings.Contains(body, `chip-name">a.txt<`) || !strings.Contains(body, `id="kind-note" class="kind" name="kind" value="note" checked`) {
			t.Error("the removed file is still shown, or the note mode was lost")
		}
		if n := len(thread(t, db, got.TicketID)); n != 1 {
			t.Errorf("a remove button sent something: %d messages", n)
		}
	})
}

// TestDraftAutosave: the script's POST saves the draft (CSRF-checked like
// every POST); the page renders it in another session; a colleague sees
// "Mia has a draft" with her display name; customers' drafts are theirs.
func TestDraftAutosave(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		srv := deskServer(t, db)
		mia, miaUser := staffMember(t, srv, db, "mia@support.example")
		if _, err := db.SaveStaffProfile(ctx, miaUser.ID, "Mia", ""); err != nil {
			t.Fatal(err)
		}
		got := deliver(t, db, newMail("ada@example.com", "Printer on fire", "Please help."))
		path := "/inbox/tickets/" + itoa(got.TicketNumber)
		res, _ := do(t, mia, "POST", srv.URL+path+"/draft", url.Values{"text": {"Half a thought"}, "kind": {"note"}})
		if res.StatusCode != http.StatusNoContent {
			t.Fatalf("save draft: %s", res.Status)
		}
		res, _ = do(t, mia, "POST", srv.URL+path+"/draft", url.Values{"text": {"Forged"}}, "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site")
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("a cross-site draft save: %s, want 403", res.Status)
		}

		second := browser(t) // Mia on another device
		signIn(t, srv, db, second, "mia@support.example")
		_, body := get(t, second, srv, path)
		if !strings.Contains(body, " required>Half a thought</textarea>") || !strings.Contains(body, `value="note" checked`) ||
			!strings.Contains(body, "Draft saved ") {
			t.Errorf("the other device does not show the note draft:\n%s", body)
		}
		if strings.Contains(body, "has a draft") {
			t.Error("Mia is told about her own draft")
		}
		bo, _ := staffMember(t, srv, db, "bo@support.example")
		if _, body = get(t, bo, srv, path); !strings.Contains(body, "Mia has a draft on this ticket.") {
			t.Errorf("a colleague is not told about Mia's draft")
		}

		ada := customer(t, srv, db, "ada@example.com")
		eve := customer(t, srv, db, "eve@example.com")
		portal := "/tickets/" + itoa(got.TicketNumber)
		if res, _ := do(t, eve, "POST", srv.URL+portal+"/draft", url.Values{"text": {"snoop"}}); res.StatusCode != http.StatusNotFound {
			t.Errorf("a draft on someone else's ticket: %s, want 404", res.Status)
		}
		if res, _ := do(t, ada, "POST", srv.URL+portal+"/draft", url.Values{"text": {"It still smokes"}}); res.StatusCode != http.StatusNoContent {
			t.Fatalf("customer draft: %s", res.Status)
		}
		if _, body = get(t, ada, srv, portal); !strings.Contains(body, " required>It still smokes</textarea>") {
			t.Error("the portal does not show the customer's draft")
		}
		if _, body = get(t, bo, srv, path); strings.Contains(body, "ada@example.com has a draft") {
			t.Error("staff are told about a customer's draft")
		}
		if res, _ := do(t, ada, "POST", srv.URL+"/tickets/new/draft", url.Values{"subject": {"Toner"}, "description": {"Which toner?"}}); res.StatusCode != http.StatusNoContent {
			t.Fatalf("new-ticket draft: %s", res.Status)
		}
		if _, body = get(t, ada, srv, "/tickets/new"); !strings.Contains(body, `value="Toner"`) || !strings.Contains(body, " required>Which toner?</textarea>") {
			t.Errorf("the new-ticket form does not show its draft:\n%s", body)
		}
	})
}

// TestPortalKeepsEverythingOnEveryError: the portal reply and the new-ticket
// form keep their text, subject and accepted files when a file is too large
// or a field is missing, and send the kept files at the end.
func TestPortalKeepsEverythingOnEveryError(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		srv := deskServer(t, db)
		ada := customer(t, srv, db, "ada@example.com")
		got := deliver(t, db, newMail("ada@example.com", "Refund", "I want my money back."))
		path := "/tickets/" + itoa(got.TicketNumber)
		big := bytes.Repeat([]byte("x"), maxAttachBytes+1)

		res, body := postMultipart(t, ada, srv.URL+path+"/reply", url.Values{"text": {"Here is the receipt"}},
			upload{"receipt.txt", []byte("paid")}, upload{"video.mp4", big})
		if res.StatusCode != http.StatusBadRequest {
			t.Fatalf("reply too large: %s", res.Status)
		}
		keptOnPage(t, body, "Here is the receipt", []string{"receipt.txt"}, "video.mp4 is too large", "files-error")
		if res, _ = postMultipart(t, ada, srv.URL+path+"/reply", url.Values{"text": {"Here is the receipt"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("reply: %s", res.Status)
		}
		if msgs := thread(t, db, got.TicketID); len(msgs[len(msgs)-1].Attachments) != 1 {
			t.Error("the kept file was not sent with the reply")
		}

		fields := url.Values{"subject": {"Toner & paper"}, "description": {"Which toner fits?"}, "priority": {"normal"}, "category": {"general"}}
		res, body = postMultipart(t, ada, srv.URL+"/tickets", fields, upload{"printer.jpg", []byte("\xff\xd8\xff photo")}, upload{"manual.pdf", big})
		if res.StatusCode != http.StatusBadRequest {
			t.Fatalf("new ticket too large: %s", res.Status)
		}
		keptOnPage(t, body, "Which toner fits?", []string{"printer.jpg"}, "manual.pdf is too large", "files-error")
		if !strings.Contains(body, `value="Toner &amp; paper"`) || !strings.Contains(body, `class="sr-only" tabindex="-1" aria-hidden="true">Open ticket`) {
			t.Error("the subject is lost, or Enter would press a chip's remove button")
		}
		res, body = postMultipart(t, ada, srv.URL+"/tickets", url.Values{"subject": {""}, "description": {"Which toner fits?"}, "priority": {"normal"}, "category": {"general"}})
		if res.StatusCode != http.StatusBadRequest {
			t.Fatalf("no subject: %s", res.Status)
		}
		keptOnPage(t, body, "Which toner fits?", []string{"printer.jpg"}, "Give the ticket a subject.", "subject-error")
		if _, body = get(t, ada, srv, "/tickets/new"); !strings.Contains(body, " required>Which toner fits?</textarea>") ||
			!strings.Contains(body, `chip-name">printer.jpg<`) {
			t.Error("a reload of the new-ticket form lost the draft or the file")
		}
		res, _ = postMultipart(t, ada, srv.URL+"/tickets", fields)
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("open ticket: %s", res.Status)
		}
		n := int64(count(t, db, `SELECT MAX(number) FROM tickets`))
		msgs := thread(t, db, ticket(t, db, n).ID)
		if len(msgs[0].Attachments) != 1 || msgs[0].Attachments[0].Filename != "printer.jpg" {
			t.Errorf("the new ticket's files: %+v", msgs[0].Attachments)
		}
		if c := count(t, db, `SELECT COUNT(*) FROM drafts`) + count(t, db, `SELECT COUNT(*) FROM staged_files`); c != 0 {
			t.Errorf("%d draft and staged rows left", c)
		}
	})
}

// TestFileTooLargeSaysWhatIsLeft: the problem names the file and the limit,
// and what is left once other files take a megabyte or more.
func TestFileTooLargeSaysWhatIsLeft(t *testing.T) {
	for _, tc := range []struct {
		room int64
		want string
	}{
		{maxAttachBytes, "a.pdf is too large: attachments may be 25 MB in all."},
		{maxAttachBytes - 999_999, "a.pdf is too large: attachments may be 25 MB in all."},
		{5_000_000, "a.pdf is too large: attachments may be 25 MB in all, and 5.0 MB is left."},
		{0, "a.pdf is too large: attachments may be 25 MB in all, and 0 B is left."},
	} {
		if got := fileTooLarge("a.pdf", tc.room); got != tc.want {
			t.Errorf("room %d: %q, want %q", tc.room, got, tc.want)
		}
	}
}
