package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/dargo-support/dargo/store"
)

// DraftStore is what composers need to never lose a word: drafts saved as
// people type, and files staged against them until they are sent.
type DraftStore interface {
	SaveDraft(ctx context.Context, d store.Draft) (time.Time, error)
	DraftOf(ctx context.Context, userID, ticketID int64) (*store.Draft, error)
	DraftWriters(ctx context.Context, ticketID, exceptUserID int64) ([]string, error)
	ClearDraft(ctx context.Context, userID, ticketID int64, sent []store.StagedFile) error
	StageFiles(ctx context.Context, userID, ticketID int64, files []store.NewAttachment) ([]store.StagedFile, error)
	StagedFiles(ctx context.Context, userID, ticketID int64) ([]store.StagedFile, error)
	StagedAttachments(ctx context.Context, files []store.StagedFile) ([]store.NewAttachment, error)
	UnstageFile(ctx context.Context, userID, id int64) (*store.StagedFile, error)
}

var _ DraftStore = (*store.DB)(nil)

// heldWork is what a composer shows besides its text: the files kept for
// the draft (chips with a remove button), the limits the browser checks
// before uploading, the problems next to their fields, and colleagues
// writing on the same ticket.
type heldWork struct {
	Staged    []store.StagedFile
	FileError string // next to the file field
	TextError string // next to the text
	Notice    string // what a remove button did
	Others    []string
	SavedAt   *time.Time // when the shown draft was saved
	DraftURL  string     // where the page's script saves the draft
	ready     bool       // Staged is what the handler kept: no need to read it again
}

// Room is how many more bytes of files the draft takes.
func (h heldWork) Room() int64 {
	n := int64(maxAttachBytes)
	for _, f := range h.Staged {
		n -= f.Size
	}
	return max(n, 0)
}

// Slots is how many more files the draft takes.
func (h heldWork) Slots() int { return max(maxFiles-len(h.Staged), 0) }

// Limit, MaxBytes and MaxFiles are the limits for a whole message, for the page.
func (heldWork) Limit() string   { return maxAttachText }
func (heldWork) MaxBytes() int64 { return maxAttachBytes }
func (heldWork) MaxFiles() int   { return maxFiles }

// OthersText is "Mia has a draft" or "Mia and Bo have drafts".
func (h heldWork) OthersText() string {
	switch n := len(h.Others); n {
	case 0:
		return ""
	case 1:
		return h.Others[0] + " has a draft on this ticket."
	default:
		return strings.Join(h.Others[:n-1], ", ") + " and " + h.Others[n-1] + " have drafts on this ticket."
	}
}

// composing is one person's unsent work on one ticket (0: the new-ticket
// form) while a POST is handled: its staged files, and the files and text
// the request brought.
type composing struct {
	store    DraftStore
	userID   int64
	ticketID int64
	held     heldWork
	form     *postedFiles
}

// startComposing reads the person's staged files and then the request's
// form, with the room those files leave.
func startComposing(w http.ResponseWriter, r *http.Request, s DraftStore, userID, ticketID int64) (*composing, error) {
	staged, err := s.StagedFiles(r.Context(), userID, ticketID)
	if err != nil {
		return nil, err
	}
	c := &composing{store: s, userID: userID, ticketID: ticketID, held: heldWork{Staged: staged, ready: true}}
	c.form, err = readForm(w, r, c.held.Room(), c.held.Slots())
	if err != nil {
		return nil, errBadForm
	}
	c.held.FileError = c.form.Problem
	return c, nil
}

// errBadForm is a body that is not the form it claims to be.
var errBadForm = errorString("The form could not be read. Please go back and try again.")

// failForm answers errBadForm with 400 and its words, errHidden with 404,
// and anything else as a failure.
func (p *pages) failForm(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, errBadForm) {
		p.message(w, r, http.StatusBadRequest, "Form not read", err.Error())
		return
	}
	p.failOr404(w, r, err)
}

// keep is every path that does not send: the draft is saved and the files
// that came are staged, so the form shown again (or on another device) has
// both. It returns the composer's state for the page.
func (c *composing) keep(ctx context.Context, d store.Draft) (heldWork, error) {
	d.UserID, d.TicketID = c.userID, c.ticketID
	at, err := c.store.SaveDraft(ctx, d)
	if err != nil {
		return c.held, err
	}
	c.held.SavedAt = &at
	c.form.Files = c.notStaged(c.form.Files)
	if len(c.form.Files) > 0 {
		staged, err := c.store.StageFiles(ctx, c.userID, c.ticketID, c.form.Files)
		if err != nil {
			return c.held, err
		}
		c.held.Staged, c.form.Files = append(c.held.Staged, staged...), nil
	}
	return c.held, nil
}

// notStaged drops files already kept under the same name with the same
// bytes: reloading a form shown with a problem posts its files again.
func (c *composing) notStaged(files []store.NewAttachment) []store.NewAttachment {
	kept := map[string]bool{}
	for _, s := range c.held.Staged {
		kept[s.Filename+"\x00"+s.BlobKey] = true
	}
	out := files[:0:0]
	for _, f := range files {
		if k := f.Filename + "\x00" + store.BlobKey("stage", f.Data); !kept[k] {
			kept[k] = true
			out = append(out, f)
		}
	}
	return out
}

// removing is the staged file whose remove button sent the form, if one did.
func (c *composing) removing(r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PostFormValue("remove"), 10, 64)
	return id, err == nil && id > 0
}

// remove unstages the person's file and says so; another person's file is
// not theirs to remove, and an already removed one is gone anyway.
func (c *composing) remove(ctx context.Context, id int64) (string, error) {
	f, err := c.store.UnstageFile(ctx, c.userID, id)
	if errors.Is(err, store.ErrNotFound) {
		return "That file was already removed.", nil
	}
	if err != nil {
		return "", err
	}
	for i, s := range c.held.Staged {
		if s.ID == id {
			c.held.Staged = append(c.held.Staged[:i:i], c.held.Staged[i+1:]...)
			break
		}
	}
	return "Removed " + f.Filename + ". Your text is kept.", nil
}

// attachments are the files to send: the staged ones, then the new ones.
func (c *composing) attachments(ctx context.Context) ([]store.NewAttachment, error) {
	files, err := c.store.StagedAttachments(ctx, c.held.Staged)
	if err != nil {
		return nil, err
	}
	return append(files, c.form.Files...), nil
}

// sent clears the draft and the staged files that went with the message.
// The message is out by then: a failure is logged, not shown (the person
// would send it again), and leaves a draft to delete by hand at worst.
func (c *composing) sent(ctx context.Context, log *slog.Logger) {
	if err := c.store.ClearDraft(ctx, c.userID, c.ticketID, c.held.Staged); err != nil {
		log.WarnContext(ctx, "clear sent draft", "ticket", c.ticketID, "user", c.userID, "err", err)
	}
}

// problems joins what went wrong for the top of the form.
func problems(texts ...string) string {
	var out []string
	for _, t := range texts {
		if t != "" {
			out = append(out, t)
		}
	}
	return strings.Join(out, " ")
}

// loadHeld is a composer's state when a page is shown afresh: the saved
// draft (nil when none) and the staged files.
func loadHeld(ctx context.Context, s DraftStore, userID, ticketID int64) (*store.Draft, heldWork, error) {
	staged, err := s.StagedFiles(ctx, userID, ticketID)
	if err != nil {
		return nil, heldWork{}, err
	}
	held := heldWork{Staged: staged, ready: true}
	d, err := s.DraftOf(ctx, userID, ticketID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, held, nil
	}
	if err != nil {
		return nil, held, err
	}
	held.SavedAt = &d.UpdatedAt
	return d, held, nil
}

// saveDraft is what the routes the page's script posts to as people type
// (a few seconds after they stop, and when the page is hidden) share: the
// text of textField, and the subject too for the new-ticket form; a draft
// without a kind is a staff reply or note, as the form's "kind" says. Text over
// the length limit is kept all the same: the form says so when it is sent.
// It answers 204, or 400 when the body cannot be read (nothing is saved:
// an unreadable body must not empty a draft).
func saveDraft(w http.ResponseWriter, r *http.Request, s DraftStore, d store.Draft, textField string, withSubject bool) {
	r.Body = http.MaxBytesReader(w, r.Body, 2*maxFieldBytes)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "The draft could not be read.", http.StatusBadRequest)
		return
	}
	d.Text, _ = formText(r, textField, maxTextBytes)
	if d.Kind == "" {
		d.Kind = store.DraftReply
		if r.PostFormValue("kind") == "note" {
			d.Kind = store.DraftNote
		}
	}
	if withSubject {
		d.Subject, _ = formText(r, "subject", maxSubject)
	}
	if _, err := s.SaveDraft(r.Context(), d); err != nil {
		http.Error(w, "The draft was not saved.", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
