package inbound_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dargo-support/dargo/inbound"
	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// automaticWant is the action a mail of testdata/automatic must end in,
// by its name's prefix: bounces and sisimai's delivery reports are
// bounces, auto-replies are ignored, ARF reports are feedback, an
// unverified AWS notification is ignored, and ordinary mail opens a ticket.
// ordinary_autoreply_subject_only is an Outlook auto-reply with nothing but
// its "Respuesta automática:" subject: a customer may type such a subject,
// so a subject alone opens a ticket (its confirmation is Auto-Submitted).
func automaticWant(name string) string {
	switch {
	case strings.HasPrefix(name, "sisimai_arf"), strings.HasPrefix(name, "arf_"):
		return "feedback"
	case strings.HasPrefix(name, "bounce_"), strings.HasPrefix(name, "sisimai_"):
		return store.ActionBounce
	case strings.HasPrefix(name, "auto_"), strings.HasPrefix(name, "sns_"):
		return store.ActionIgnored
	case strings.HasPrefix(name, "ordinary_"):
		return store.ActionCreated
	}
	return ""
}

// TestAutomaticCorpus runs every mail of testdata/automatic through the
// pipeline: no bounce, auto-reply or report opens a ticket, and ordinary
// mail still does.
func TestAutomaticCorpus(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "automatic", "*.eml"))
	if err != nil || len(files) < 30 {
		t.Fatalf("corpus: %d mails, %v", len(files), err)
	}
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		p := inbound.NewPipeline(db, pipelineOpts())
		recognised, automatic := 0, 0
		for _, f := range files {
			name := filepath.Base(f)
			want := automaticWant(name)
			if want == "" {
				t.Fatalf("%s: no expectation for this name", name)
			}
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			res, err := p.Ingest(context.Background(), raw, inbound.Envelope{Recipients: []string{"support@" + pipelineDomain}})
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			t.Logf("%-45s %-9s %s", name, res.Action, res.Reason)
			if want != store.ActionCreated {
				automatic++
				if res.Action == want {
					recognised++
				}
			}
			if res.Action != want {
				t.Errorf("%s: %s (%q), want %s", name, res.Action, res.Reason, want)
			}
		}
		t.Logf("automatic mails recognised: %d/%d", recognised, automatic)
	})
}
