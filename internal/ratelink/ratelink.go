// Package ratelink makes and opens the satisfaction links of a resolution
// mail (/rate/<token>) and the short-lived token of the comment form that
// follows them. A token is internal/seal's authenticated encryption of the
// ticket, the person, the rating and an expiry under DARGO_SECRET: it can
// be neither read nor edited without the secret, and one made under another
// secret does not open.
package ratelink

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dargo-support/dargo/internal/seal"
)

// The ratings a link can carry, as store's ratings table spells them.
var Ratings = []string{"good", "okay", "bad"}

// How long tokens work: a rating link from the day of the mail, a comment
// form from the moment its page was shown.
const (
	TTL        = 30 * 24 * time.Hour
	CommentTTL = 2 * time.Hour
)

// Kinds of token: a rating link, or a comment form.
const (
	KindRate    = "rate"
	KindComment = "comment"
)

// Errors Open returns: a token that is damaged, edited, sealed under another
// secret or of an unknown shape; and a genuine one past its expiry.
var (
	ErrForged  = errors.New("ratelink: not a valid link")
	ErrExpired = errors.New("ratelink: link expired")
)

// label starts every payload, so no other sealed value passes for a token.
const label = "dargo-rate-v1"

// Token is what a token says.
type Token struct {
	Kind     string
	TicketID int64
	UserID   int64
	Rating   string // "" for a comment form
	Expires  time.Time
}

// Rate makes the token of a link that rates ticketID as rating for userID.
func Rate(secret string, ticketID, userID int64, rating string, expires time.Time) (string, error) {
	if !slices.Contains(Ratings, rating) {
		return "", fmt.Errorf("ratelink: unknown rating %q", rating)
	}
	return mint(secret, Token{Kind: KindRate, TicketID: ticketID, UserID: userID, Rating: rating, Expires: expires})
}

// Comment makes the token of the comment form on userID's rating of ticketID.
func Comment(secret string, ticketID, userID int64, expires time.Time) (string, error) {
	return mint(secret, Token{Kind: KindComment, TicketID: ticketID, UserID: userID, Expires: expires})
}

func mint(secret string, t Token) (string, error) {
	if secret == "" {
		return "", errors.New("ratelink: no secret")
	}
	plain := strings.Join([]string{label, t.Kind, strconv.FormatInt(t.TicketID, 10), strconv.FormatInt(t.UserID, 10),
		t.Rating, strconv.FormatInt(t.Expires.Unix(), 10)}, "|")
	return seal.Seal(secret, []byte(plain))
}

// Open returns what token says when it was made under secret for kind and
// has not expired at now: ErrForged or ErrExpired otherwise.
func Open(secret, kind, token string, now time.Time) (Token, error) {
	if secret == "" || len(token) > 512 {
		return Token{}, ErrForged
	}
	plain, err := seal.Open(secret, token)
	if err != nil {
		return Token{}, ErrForged
	}
	f := strings.Split(string(plain), "|")
	if len(f) != 6 || f[0] != label || f[1] != kind {
		return Token{}, ErrForged
	}
	t := Token{Kind: f[1], Rating: f[4]}
	var err1, err2, err3 error
	t.TicketID, err1 = strconv.ParseInt(f[2], 10, 64)
	t.UserID, err2 = strconv.ParseInt(f[3], 10, 64)
	exp, err3 := strconv.ParseInt(f[5], 10, 64)
	if err1 != nil || err2 != nil || err3 != nil || t.TicketID <= 0 || t.UserID <= 0 {
		return Token{}, ErrForged
	}
	if kind == KindRate && !slices.Contains(Ratings, t.Rating) || kind == KindComment && t.Rating != "" {
		return Token{}, ErrForged
	}
	t.Expires = time.Unix(exp, 0).UTC()
	if !now.Before(t.Expires) {
		return t, ErrExpired
	}
	return t, nil
}
