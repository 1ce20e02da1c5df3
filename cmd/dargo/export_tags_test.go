package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/dargo-support/dargo/store"
)

// TestExportTagsFollowSetting: `dargo export` holds a ticket's tags only
// with DARGO_TAGS_VISIBLE=true.
func TestExportTagsFollowSetting(t *testing.T) {
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
		staff, err := db.SetRole(ctx, "sam@help.example.com", "staff")
		if err != nil {
			t.Fatal(err)
		}
		tk, err := db.TicketByNumber(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.AddTags(ctx, tk.ID, staff.ID, []string{"Billing"}); err != nil {
			t.Fatal(err)
		}
		for _, visible := range []string{"false", "true"} {
			out, errOut, code := dargo(t, append(env, "DARGO_TAGS_VISIBLE="+visible), nil, "export", "--email", addr)
			if code != 0 {
				t.Fatalf("export: %d %s", code, errOut)
			}
			var doc struct {
				Tickets []struct {
					Tags []string `json:"tags"`
				} `json:"tickets"`
			}
			if err := json.Unmarshal([]byte(out), &doc); err != nil || len(doc.Tickets) != 1 {
				t.Fatalf("export: %v\n%s", err, out)
			}
			if got := strings.Join(doc.Tickets[0].Tags, ","); (visible == "true") != (got == "billing") || visible == "false" && got != "" {
				t.Errorf("DARGO_TAGS_VISIBLE=%s: export tags %q", visible, got)
			}
		}
	})
}
