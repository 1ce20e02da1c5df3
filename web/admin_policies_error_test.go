package web

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// downPolicyStore is a policy store whose database has gone away.
type downPolicyStore struct{ PolicyStore }

var errDown = errors.New("connection refused")

func (downPolicyStore) PublishPolicy(context.Context, store.NewPolicy) (*store.PolicyVersion, bool, error) {
	return nil, false, errDown
}

func (downPolicyStore) Policy(context.Context, string) (*store.PolicyState, error) {
	return nil, errDown
}

// TestAdminPolicyFormSurvivesADatabaseError: when publishing fails for a
// reason that is not the text's (the database is away), the page says so
// and gives back everything the admin typed.
func TestAdminPolicyFormSurvivesADatabaseError(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		boss, err := db.SetRole(context.Background(), "boss@example.com", store.RoleAdmin)
		if err != nil {
			t.Fatal(err)
		}
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		h := &adminPolicies{store: downPolicyStore{db}, pages: &pages{log: log}, log: log}
		const text = "## Cookies\n\nWe use one cookie, and a long paragraph the admin spent an hour on."
		form := url.Values{"kind": {"terms"}, "text": {text}, "summary": {"One cookie now."}, "significant": {"yes"}, "action": {"publish"}}
		r := httptest.NewRequest("POST", "/admin/policies", strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r = r.WithContext(context.WithValue(r.Context(), viewerKey{}, &viewer{User: boss}))
		w := httptest.NewRecorder()
		h.post(w, r)
		body := w.Body.String()
		if w.Code != http.StatusServiceUnavailable {
			t.Errorf("status %d, want 503", w.Code)
		}
		for _, want := range []string{"Not published", "We use one cookie, and a long paragraph the admin spent an hour on.",
			`value="One cookie now."`, `value="terms" checked`, `name="significant" value="yes" checked`} {
			if !strings.Contains(body, want) {
				t.Errorf("the page lacks %q:\n%s", want, body)
			}
		}
		if strings.Contains(body, "connection refused") {
			t.Error("the page shows the database's error")
		}
	})
}

// TestAdminPolicyTooLongKeepsTheText: a text over the limit comes back in
// the form with the error, not as a bare page that loses it.
func TestAdminPolicyTooLongKeepsTheText(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		boss, err := db.SetRole(context.Background(), "boss@example.com", store.RoleAdmin)
		if err != nil {
			t.Fatal(err)
		}
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		h := &adminPolicies{store: db, pages: &pages{log: log}, log: log}
		text := "# Privacy\n\n" + strings.Repeat("Ünïcode words the admin typed. ", store.MaxPolicyText/30)
		form := url.Values{"kind": {"privacy"}, "text": {text}, "summary": {""}, "action": {"publish"}}
		r := httptest.NewRequest("POST", "/admin/policies", strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r = r.WithContext(context.WithValue(r.Context(), viewerKey{}, &viewer{User: boss}))
		w := httptest.NewRecorder()
		h.post(w, r)
		body := w.Body.String()
		if w.Code == http.StatusOK || !strings.Contains(body, "longer than") || !strings.Contains(body, strings.Repeat("Ünïcode words the admin typed. ", 50)) {
			t.Errorf("status %d; the page lacks the error or the text (%d bytes)", w.Code, len(body))
		}
		if versions, err := db.PolicyVersions(context.Background(), store.PolicyPrivacy); err != nil || len(versions) != 0 {
			t.Errorf("published: %v, %v", versions, err)
		}
	})
}
