package web

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dargo-support/dargo/store"
)

// UndoStore is what Undo, "Send and next" and idempotent reply forms need
// from the database.
type UndoStore interface {
	PendingUndos(ctx context.Context, actorID int64, limit int) ([]store.UndoAction, error)
	Undo(ctx context.Context, id, actorID int64) (*store.Undone, error)
	ReplyByKey(ctx context.Context, userID int64, key string) (int64, error)
	Inbox(ctx context.Context, q store.InboxQuery) (*store.InboxPage, error)
}

var _ UndoStore = (*store.DB)(nil)

// undoer holds staff mails for their undo window and takes actions back.
type undoer struct {
	store UndoStore
	hold  time.Duration // DARGO_UNDO_SECONDS; 0: mail goes at once, no Undo
}

// undoNote is one action on a page that its author may still undo.
type undoNote struct {
	ID     int64
	Number int64
	What   string // "Reply sent on #12", "#12 resolved"
	Left   int    // whole seconds Undo still works (it stops store.UndoMargin before the mail goes)
	Return string // the page to come back to after a status undo
}

// shownUndos is how many pending actions a page offers to undo.
const shownUndos = 3

// pending returns the viewer's actions that can still be undone, on any
// ticket (after "Send and next" the last one is elsewhere); ret is the page
// they are shown on.
func (u *undoer) pending(ctx context.Context, viewerID int64, ret string) ([]undoNote, error) {
	if u == nil || u.hold <= 0 {
		return nil, nil
	}
	actions, err := u.store.PendingUndos(ctx, viewerID, shownUndos)
	if err != nil {
		return nil, err
	}
	var out []undoNote
	for _, a := range actions {
		n := undoNote{ID: a.ID, Number: a.TicketNumber, Return: ret,
			Left: int(time.Until(a.NotBefore.Add(-store.UndoMargin)) / time.Second)}
		switch {
		case a.MessageID != nil && a.NewStatus != a.OldStatus:
			n.What = "Reply sent on #" + itoa(a.TicketNumber) + ", status " + a.NewStatus
		case a.MessageID != nil:
			n.What = "Reply sent on #" + itoa(a.TicketNumber)
		default:
			n.What = "#" + itoa(a.TicketNumber) + " " + a.NewStatus
		}
		out = append(out, n)
	}
	return out, nil
}

// replied reports whether the user already posted a reply with this form
// key (a double click, a resent form): the post is then done.
func (u *undoer) replied(ctx context.Context, userID int64, key string) bool {
	if u == nil || key == "" {
		return false
	}
	_, err := u.store.ReplyByKey(ctx, userID, key)
	return err == nil
}

// formKey is a fresh idempotency key for a reply form.
func formKey() string {
	b := make([]byte, 16)
	rand.Read(b) // never fails (crypto/rand)
	return base64.RawURLEncoding.EncodeToString(b)
}

// postedKey is the reply form's idempotency key; one longer than ours
// could ever be (a hand-made post) is ignored rather than stored.
func postedKey(r *http.Request) string {
	if k := r.PostFormValue("key"); len(k) <= 64 {
		return k
	}
	return ""
}

// localInbox returns s when it is a path of our own inbox (the list, with
// its query, or a ticket), else "": a back link never leaves the desk.
func localInbox(s string) string {
	if s == "" || len(s) > 2000 || strings.ContainsAny(s, "\\\r\n") || strings.HasPrefix(s, "//") {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return ""
	}
	if u.Path != "/inbox" && !strings.HasPrefix(u.Path, "/inbox/tickets/") {
		return ""
	}
	return u.RequestURI()
}

// backParam is the list a ticket was opened from (?back= or the form's
// back field), checked; "" when none.
func backParam(r *http.Request) string {
	b := localInbox(r.FormValue("back"))
	if !strings.HasPrefix(b, "/inbox?") && b != "/inbox" {
		return ""
	}
	return b
}

// ticketURL is a ticket's staff page, carrying the list it came from.
func ticketURL(number int64, back string) string {
	u := "/inbox/tickets/" + itoa(number)
	if back != "" {
		u += "?back=" + url.QueryEscape(back)
	}
	return u
}

// listURL is the list back, with a notice about ticket number, anchored at
// row at (0: number's row).
func listURL(back, notice string, number, at int64) string {
	if back == "" {
		back = "/inbox"
	}
	u, _ := url.Parse(back) // checked by backParam
	q := u.Query()
	q.Set("notice", notice)
	q.Set("ticket", itoa(number))
	u.RawQuery = q.Encode()
	u.Fragment = "t-" + itoa(cmp.Or(at, number))
	return u.String()
}

// undoNotices are what a ticket page says after an undo (?notice=...).
var undoNotices = map[string]string{
	"undone":   "Undone: nothing was sent.",
	"too-late": "Too late to undo: the mail is on its way.",
	"already":  "Already undone: nothing was sent.",
	"sent":     "Reply sent. This is the next ticket of your list.",
}

// listNotices are what the inbox list says after an action sent staff back
// to it (?notice=...&ticket=N).
var listNotices = map[string]string{
	"resolved": "#%d resolved.",
	"updated":  "#%d updated.",
	"last":     "Reply sent on #%d. That was the last ticket of this list.",
	"undone":   "Undone on #%d: nothing was sent.",
	"too-late": "Too late to undo on #%d: its mail is on its way.",
	"already":  "Already undone on #%d: nothing was sent.",
}

// listNotice says the list's ?notice for ?ticket, unless the Undo bar
// says it already.
func listNotice(p url.Values, undos []undoNote) string {
	text, ok := listNotices[p.Get("notice")]
	n, err := strconv.ParseInt(p.Get("ticket"), 10, 64)
	if !ok || err != nil || n <= 0 {
		return ""
	}
	for _, u := range undos {
		if u.Number == n && p.Get("notice") != "undone" && p.Get("notice") != "too-late" && p.Get("notice") != "already" {
			return ""
		}
	}
	return strings.Replace(text, "%d", itoa(n), 1)
}

// listBack is the list page's own address for its ticket links' back
// parameter: its query without the notice it shows now.
func listBack(p url.Values) string {
	q := url.Values{}
	for k, vs := range p {
		if k != "notice" && k != "ticket" && !slices.Contains(bulkParams, k) {
			q[k] = vs
		}
	}
	if len(q) == 0 {
		return "/inbox"
	}
	return "/inbox?" + q.Encode()
}

// nextInList returns the number of the ticket after t in the list back
// (the open queue when ""), as it was sorted before t changed; 0 when t
// was the last.
func (u *undoer) nextInList(ctx context.Context, viewerID int64, back string, t *store.Ticket) (int64, error) {
	if back == "" {
		back = "/inbox"
	}
	l, _ := url.Parse(back)
	p := l.Query()
	q := store.InboxQuery{Queue: p.Get("queue"), ViewerID: viewerID, Status: p.Get("status"), Priority: p.Get("priority"),
		Category: p.Get("category"), Search: p.Get("q"), Limit: 1,
		After: &store.Cursor{LastActivityAt: t.LastActivityAt, ID: t.ID}}
	if q.Queue == "" {
		q.Queue = store.QueueOpen
	}
	if a, err := strconv.ParseInt(p.Get("assignee"), 10, 64); err == nil {
		q.AssigneeID = &a
	}
	page, err := u.store.Inbox(ctx, q)
	if errors.Is(err, store.ErrInvalidQuery) {
		return 0, nil // a list that no longer parses has no next
	}
	if err != nil || len(page.Rows) == 0 {
		return 0, err
	}
	return page.Rows[0].Number, nil
}

// undoAction takes back one of the viewer's actions while its mail waits: a
// reply comes back into the composer, a status change is reverted.
func (h *inboxHandler) undoAction(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok || h.undo == nil {
		h.pages.notFound(w, r)
		return
	}
	v := viewerFrom(r.Context())
	ret := localInbox(r.PostFormValue("return"))
	u, err := h.undo.store.Undo(r.Context(), id, v.User.ID)
	if errors.Is(err, store.ErrAlreadyUndone) {
		http.Redirect(w, r, withNotice(ret, "already", u.Action.TicketNumber), http.StatusSeeOther) // #nosec G710 -- ret is checked to be our own inbox path
		return
	}
	if errors.Is(err, store.ErrTooLate) {
		http.Redirect(w, r, withNotice(ret, "too-late", u.Action.TicketNumber), http.StatusSeeOther) // #nosec G710 -- ret is checked to be our own inbox path
		return
	}
	if err != nil {
		h.pages.failOr404(w, r, err)
		return
	}
	a := u.Action
	if a.MessageID == nil {
		http.Redirect(w, r, withNotice(ret, "undone", a.TicketNumber), http.StatusSeeOther) // #nosec G710 -- ret is checked to be our own inbox path
		return
	}
	// The reply is the author's draft now, files staged: the ticket page
	// shows it, on reload and on another device too.
	code := "reply-undone"
	if u.Restored {
		code += "-status"
	}
	if u.DraftKept {
		code += "-draft"
	}
	http.Redirect(w, r, withNotice(ticketURL(a.TicketNumber, backOf(ret)), code, 0), http.StatusSeeOther) // #nosec G710 -- our own inbox path (backOf checks it)
}

// replyUndone says what Undo of a reply did, for ?notice=reply-undone
// with the suffixes undoAction adds; "" for any other code.
func replyUndone(code string) string {
	rest, ok := strings.CutPrefix(code, "reply-undone")
	if !ok {
		return ""
	}
	text := "Undone: your reply was not sent; its text and files are back in the composer."
	if r, ok := strings.CutPrefix(rest, "-status"); ok {
		text += " The status is back as it was."
		rest = r
	}
	if r, ok := strings.CutPrefix(rest, "-draft"); ok {
		text += " The draft you started since follows it."
		rest = r
	}
	if rest != "" {
		return ""
	}
	return text
}

// backOf is the list to keep for a ticket page after an action taken on
// page ret: ret itself when it is a list, else the list ret came from.
func backOf(ret string) string {
	u, err := url.Parse(ret)
	if ret == "" || err != nil {
		return ""
	}
	if u.Path == "/inbox" {
		q := u.Query()
		q.Del("notice")
		q.Del("ticket")
		return listBack(q)
	}
	b := localInbox(u.Query().Get("back"))
	if !strings.HasPrefix(b, "/inbox?") && b != "/inbox" {
		return ""
	}
	return b
}

// withNotice is ret (a ticket or a list; "" is the open queue) with a
// notice about ticket number.
func withNotice(ret, notice string, number int64) string {
	if ret == "" {
		ret = "/inbox"
	}
	if strings.HasPrefix(ret, "/inbox/tickets/") {
		u, _ := url.Parse(ret)
		q := u.Query()
		q.Set("notice", notice)
		u.RawQuery = q.Encode()
		return u.String()
	}
	return listURL(ret, notice, number, 0)
}

// window is how long mails wait for an Undo; 0 without an undoer.
func (u *undoer) window() time.Duration {
	if u == nil {
		return 0
	}
	return u.hold
}
