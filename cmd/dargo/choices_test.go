package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/dargo-support/dargo/store"
)

// TestExportIncludesChoices: `dargo export` shows the person's choices,
// objected or not, with their time and whether staff recorded them.
func TestExportIncludesChoices(t *testing.T) {
	databases(t, func(t *testing.T, url string) {
		env := baseEnv(url)
		if out, errOut, code := dargo(t, env, nil, "ingest", "testdata/new.eml"); code != 0 || !strings.Contains(out, `"created"`) {
			t.Fatalf("ingest: %s %s", out, errOut)
		}
		const addr = "juergen.mueller@example.de"
		ctx := context.Background()
		db, err := store.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		u, err := db.UserByEmail(ctx, addr)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.SetChoice(ctx, u.ID, store.ChoiceAnalytics, true, 0, store.ChoiceViaAccount); err != nil {
			t.Fatal(err)
		}
		out, errOut, code := dargo(t, env, nil, "export", "--email", addr)
		if code != 0 {
			t.Fatalf("export: %d %s", code, errOut)
		}
		var doc struct {
			Choices []struct {
				Kind            string  `json:"kind"`
				Objected        bool    `json:"objected"`
				ChangedAt       *string `json:"changed_at"`
				RecordedByStaff bool    `json:"recorded_by_staff"`
			} `json:"choices"`
		}
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatalf("export is not JSON: %v\n%s", err, out)
		}
		c := doc.Choices
		if len(c) != 2 || c[0].Kind != "mail" || c[0].Objected || c[0].ChangedAt != nil ||
			c[1].Kind != "analytics" || !c[1].Objected || c[1].ChangedAt == nil || c[1].RecordedByStaff {
			t.Errorf("export choices = %+v", c)
		}
	})
}
