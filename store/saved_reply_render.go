package store

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Placeholders are the names a saved reply may use, as {{name}} or
// {{name|fallback}}; the fallback replaces a value that is empty (a
// customer who gave no name). Without one, an empty value takes the
// built-in fallback in placeholderFallbacks, so "Hi {{customer.first_name}},"
// never reads "Hi ,".
var Placeholders = []string{
	"customer.first_name", "customer.name", "customer.email",
	"ticket.number", "ticket.subject",
	"agent.name", "agent.first_name",
}

// placeholderFallbacks stand in for an empty value with no fallback given.
var placeholderFallbacks = map[string]string{
	"customer.first_name": "there",
	"customer.name":       "there",
	"ticket.subject":      "your request",
	"agent.name":          "the support team",
	"agent.first_name":    "the support team",
}

// placeholderRE matches {{ name }} and {{ name | fallback }}.
var placeholderRE = regexp.MustCompile(`\{\{\s*([^{}|]*?)\s*(?:\|([^{}]*))?\}\}`)

// CheckPlaceholders refuses a body with a placeholder Dargo does not know,
// naming it (with the names it does know), or with a "{{" never closed.
func CheckPlaceholders(body string) error {
	for _, m := range placeholderRE.FindAllStringSubmatch(body, -1) {
		if !slices.Contains(Placeholders, m[1]) {
			return fmt.Errorf("%s is not a placeholder Dargo knows. Use one of: {{%s}}", m[0], strings.Join(Placeholders, "}}, {{"))
		}
	}
	rest := placeholderRE.ReplaceAllString(body, "")
	if i := strings.Index(rest, "{{"); i >= 0 {
		end := min(len(rest), i+30)
		return fmt.Errorf("%q opens a placeholder that is never closed with }}", strings.TrimSpace(rest[i:end]))
	}
	return nil
}

// PlaceholderValues are what a saved reply's placeholders stand for on
// one ticket, written by one staff member.
type PlaceholderValues map[string]string

// Rendered is a saved reply filled in for one ticket: the text, and each
// placeholder that was empty with what stood in for it.
type Rendered struct {
	Text      string
	Fallbacks []FallbackUsed
}

// FallbackUsed is a placeholder whose value was empty, and what replaced it.
type FallbackUsed struct {
	Name string
	Used string
}

// FillPlaceholders puts the values into the body. A placeholder the body
// should not hold (CheckPlaceholders refuses it at save) is an error.
func FillPlaceholders(body string, v PlaceholderValues) (Rendered, error) {
	if err := CheckPlaceholders(body); err != nil {
		return Rendered{}, err
	}
	var out Rendered
	out.Text = placeholderRE.ReplaceAllStringFunc(body, func(s string) string {
		m := placeholderRE.FindStringSubmatch(s)
		if val := strings.TrimSpace(v[m[1]]); val != "" {
			return val
		}
		fb := strings.TrimSpace(m[2])
		if fb == "" {
			fb = placeholderFallbacks[m[1]]
		}
		out.Fallbacks = append(out.Fallbacks, FallbackUsed{Name: m[1], Used: fb})
		return fb
	})
	return out, nil
}

// firstName is the first word of a name.
func firstName(name string) string {
	if f := strings.Fields(name); len(f) > 0 {
		return f[0]
	}
	return ""
}

// placeholderValues reads what the placeholders stand for: the ticket, its
// customer (no name for an erased one) and the staff member, named as
// customers see them (their profile's display name, else their name).
func (db *DB) placeholderValues(ctx context.Context, ticketID, staffID int64) (PlaceholderValues, error) {
	var row struct {
		Number       int64  `db:"number"`
		Subject      string `db:"subject"`
		CustomerName string `db:"customer_name"`
		Email        string `db:"email"`
		Erased       bool   `db:"erased"`
	}
	err := db.X.GetContext(ctx, &row, db.q(`SELECT t.number, t.subject, u.name AS customer_name, u.email,
		u.erased_at IS NOT NULL AS erased FROM tickets t JOIN users u ON u.id = t.customer_id WHERE t.id = ?`), ticketID)
	if err != nil {
		return nil, notFound(err, "placeholder values")
	}
	agent, err := db.UserByID(ctx, staffID)
	if err != nil {
		return nil, err
	}
	profile, err := db.replyAuthor(ctx, staffID)
	if err != nil {
		return nil, err
	}
	agentName := profile.DisplayName
	if agentName == "" {
		agentName = agent.Name
	}
	v := PlaceholderValues{
		"customer.name": row.CustomerName, "customer.first_name": firstName(row.CustomerName), "customer.email": row.Email,
		"ticket.number": strconv.FormatInt(row.Number, 10), "ticket.subject": row.Subject,
		"agent.name": agentName, "agent.first_name": firstName(agentName),
	}
	if row.Erased {
		v["customer.name"], v["customer.first_name"], v["customer.email"] = "", "", ""
	}
	return v, nil
}

// RenderSavedReply fills in a saved reply the staff member may see for
// the ticket, as they would send it.
func (db *DB) RenderSavedReply(ctx context.Context, ticketID, staffID, replyID int64) (*SavedReply, Rendered, error) {
	s, err := db.SavedReply(ctx, staffID, replyID)
	if err != nil {
		return nil, Rendered{}, err
	}
	v, err := db.placeholderValues(ctx, ticketID, staffID)
	if err != nil {
		return nil, Rendered{}, err
	}
	out, err := FillPlaceholders(s.Body, v)
	if err != nil {
		return nil, Rendered{}, fmt.Errorf("store: render saved reply: %w", err)
	}
	return s, out, nil
}
