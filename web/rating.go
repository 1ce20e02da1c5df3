package web

import (
	"context"
	"errors"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/dargo-support/dargo/internal/ratelink"
	"github.com/dargo-support/dargo/store"
)

// RatingStore is what the satisfaction pages need (store/ratings.go).
type RatingStore interface {
	Clock() time.Time
	RatingTarget(ctx context.Context, ticketID, userID int64) (*store.RatingTarget, error)
	RateTicket(ctx context.Context, ticketID, userID int64, rating string) (bool, error)
	CommentRating(ctx context.Context, ticketID, userID int64, comment string) (bool, error)
	TicketRatings(ctx context.Context, ticketID int64) ([]store.TicketRating, error)
}

var _ RatingStore = (*store.DB)(nil)

// ratingsPerIP is how many rating pages and posts one IP may ask for in
// an hour: a person rates a few tickets, a script many.
const ratingsPerIP = 120

// ratingHandler serves the rating links of resolution mails, without a
// login: the signed token is the customer's proof (internal/ratelink).
// Opening a link records nothing, since mail scanners open every link:
// the page's script sends the choice at once (one click for a person),
// and without script the page has one button.
type ratingHandler struct {
	store   RatingStore
	pages   *pages
	limiter *limiter
	secret  string
	log     *slog.Logger
}

// rateChoice is one of the rating buttons, with its own signed link.
type rateChoice struct {
	Rating  string
	Label   string
	Token   string
	Current bool
}

// ratePage is the rating page's data.
type ratePage struct {
	Ticket       store.Ticket
	Token        string        // the link opened
	Chosen       string        // the rating it carries
	ChosenLabel  string        // what the person reads for it
	Current      *store.Rating // what is recorded, nil when nothing
	Confirm      bool          // Chosen is not recorded yet: the page sends it
	Choices      []rateChoice  // the buttons that change the rating
	CommentToken string
	Comment      string // the comment box's text
	Max          int    // the comment's length limit
	Notice       string // what the last action did
	Error        string
}

var rateLabels = map[string]string{"good": "Good", "okay": "Okay", "bad": "Bad"}

// open checks the request's budget and its token; when either fails it has
// answered. A forged link is refused with 400, an expired one with 410,
// and neither records anything.
func (h *ratingHandler) open(w http.ResponseWriter, r *http.Request) (ratelink.Token, bool) {
	noStore(w)
	w.Header().Set("Referrer-Policy", "no-referrer")
	if h.limited(w, r) {
		return ratelink.Token{}, false
	}
	tok, err := ratelink.Open(h.secret, ratelink.KindRate, r.PathValue("token"), h.store.Clock())
	switch {
	case errors.Is(err, ratelink.ErrExpired):
		h.pages.message(w, r, http.StatusGone, "This rating link has expired",
			"Rating links work for "+strconv.Itoa(int(ratelink.TTL.Hours()/24))+" days after the mail. Nothing was recorded. If you would like to tell us how it went, reply to the mail.")
		return tok, false
	case err != nil:
		h.pages.message(w, r, http.StatusBadRequest, "This rating link is not valid",
			"The link may have been cut short or changed on its way. Nothing was recorded. Try clicking it in the mail again, or reply to the mail to tell us how it went.")
		return tok, false
	}
	return tok, true
}

// limited spends one of the IP's rating requests; when none is left (or
// Redis is away) it has answered.
func (h *ratingHandler) limited(w http.ResponseWriter, r *http.Request) bool {
	wait, err := h.limiter.allow(r.Context(), "rating", ipBucket(ipFrom(r)), ratingsPerIP)
	if err != nil {
		h.log.ErrorContext(r.Context(), "rate limit", "err", err)
		h.pages.message(w, r, http.StatusServiceUnavailable, "Try again shortly",
			"Dargo cannot record ratings for a moment. Please try the link again in a minute.")
		return true
	}
	if wait == 0 {
		return false
	}
	w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
	h.pages.message(w, r, http.StatusTooManyRequests, "Too many attempts",
		"Too many ratings from this network. Try again in "+strconv.Itoa(int(math.Ceil(wait.Minutes())))+" minutes; your link keeps working.")
	return true
}

// gone answers for a ticket that can no longer be rated.
func (h *ratingHandler) gone(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, store.ErrRatingGone) {
		h.pages.message(w, r, http.StatusGone, "This request is no longer available",
			"The request this link rates was merged, moved or removed, so it cannot be rated any more. Nothing was recorded.")
		return
	}
	h.pages.fail(w, r, err)
}

// show is the page a rating link opens: the choice to send, or (when it is
// recorded) thanks, the comment box and the other choices.
func (h *ratingHandler) show(w http.ResponseWriter, r *http.Request) {
	tok, ok := h.open(w, r)
	if !ok {
		return
	}
	page := ratePage{}
	switch r.URL.Query().Get("done") {
	case "rated":
		page.Notice = "Thank you: your rating was recorded."
	case "comment":
		page.Notice = "Thank you: your comment was saved."
	}
	h.render(w, r, http.StatusOK, tok, page)
}

// render fills in the page for tok and shows it.
func (h *ratingHandler) render(w http.ResponseWriter, r *http.Request, status int, tok ratelink.Token, page ratePage) {
	target, err := h.store.RatingTarget(r.Context(), tok.TicketID, tok.UserID)
	if err != nil {
		h.gone(w, r, err)
		return
	}
	page.Ticket, page.Current, page.Token = target.Ticket, target.Rating, r.PathValue("token")
	page.Chosen, page.ChosenLabel, page.Max = tok.Rating, rateLabels[tok.Rating], store.MaxRatingComment
	page.Confirm = page.Current == nil || page.Current.Value != tok.Rating
	if !page.Confirm {
		// The other choices' links expire with the one opened: a page
		// never makes a link outlive the mail's.
		for _, v := range store.RatingValues {
			t, err := ratelink.Rate(h.secret, tok.TicketID, tok.UserID, v, tok.Expires)
			if err != nil {
				h.pages.fail(w, r, err)
				return
			}
			page.Choices = append(page.Choices, rateChoice{Rating: v, Label: rateLabels[v], Token: t, Current: v == page.Current.Value})
		}
		if page.CommentToken, err = ratelink.Comment(h.secret, tok.TicketID, tok.UserID, h.store.Clock().Add(ratelink.CommentTTL)); err != nil {
			h.pages.fail(w, r, err)
			return
		}
		if page.Error == "" {
			page.Comment = page.Current.Comment
		}
	}
	h.pages.render(w, r, status, "rate.html", "Rate request #"+itoa(page.Ticket.Number), page)
}

// rate records the link's rating (again: a replay changes nothing) and
// shows the thanks page.
func (h *ratingHandler) rate(w http.ResponseWriter, r *http.Request) {
	tok, ok := h.open(w, r)
	if !ok {
		return
	}
	if _, err := h.store.RateTicket(r.Context(), tok.TicketID, tok.UserID, tok.Rating); err != nil {
		h.gone(w, r, err)
		return
	}
	http.Redirect(w, r, "/rate/"+url.PathEscape(r.PathValue("token"))+"?done=rated", http.StatusSeeOther) // #nosec G710 -- a fixed path and the token just verified, escaped
}

// comment saves the comment on the rating. Its form carries a token of
// its own, short-lived and bound to the ticket and person, in place of
// the session a signed-in form has.
func (h *ratingHandler) comment(w http.ResponseWriter, r *http.Request) {
	tok, ok := h.open(w, r)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		h.pages.message(w, r, http.StatusRequestEntityTooLarge, "Your comment is too long",
			"Nothing was saved. Go back, shorten it to "+strconv.Itoa(store.MaxRatingComment)+" characters and send it again.")
		return
	}
	text := r.PostFormValue("comment")
	ct, err := ratelink.Open(h.secret, ratelink.KindComment, r.PostFormValue("ct"), h.store.Clock())
	switch {
	case errors.Is(err, ratelink.ErrExpired) && ct.TicketID == tok.TicketID && ct.UserID == tok.UserID:
		h.render(w, r, http.StatusBadRequest, tok, ratePage{Comment: text,
			Error: "This form was open too long, so your comment was not saved yet. Send it again."})
		return
	case err != nil || ct.TicketID != tok.TicketID || ct.UserID != tok.UserID:
		h.pages.message(w, r, http.StatusBadRequest, "This form is not valid",
			"Nothing was saved. Open the rating link from the mail again to comment.")
		return
	}
	_, err = h.store.CommentRating(r.Context(), tok.TicketID, tok.UserID, text)
	switch {
	case errors.Is(err, store.ErrCommentTooLong):
		h.render(w, r, http.StatusBadRequest, tok, ratePage{Comment: text,
			Error: "Your comment is longer than " + strconv.Itoa(store.MaxRatingComment) + " characters. Shorten it and send it again."})
		return
	case errors.Is(err, store.ErrNotFound):
		h.render(w, r, http.StatusBadRequest, tok, ratePage{Comment: text, Error: "Send your rating first, then your comment."})
		return
	case err != nil:
		h.gone(w, r, err)
		return
	}
	http.Redirect(w, r, "/rate/"+url.PathEscape(r.PathValue("token"))+"?done=comment", http.StatusSeeOther) // #nosec G710 -- a fixed path and the token just verified, escaped
}
