package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/dargo-support/dargo/internal/exportzip"
	"github.com/dargo-support/dargo/store"
)

// exportOpts are dargo export's flags.
type exportOpts struct {
	email, zip string
}

func (o *exportOpts) flags(fs *flag.FlagSet) {
	fs.StringVar(&o.email, "email", "", "the person's email address `ADDR` (required)")
	fs.StringVar(&o.zip, "zip", "", "also write a ZIP with the document and the person's files to `FILE`")
}

// runExport prints a person's data as JSON, and writes the ZIP with their
// files when asked.
func runExport(ctx context.Context, env *Env, o *exportOpts, _ []string) error {
	if o.email == "" {
		return usagef("--email is required")
	}
	db, err := openDB(ctx, env, true)
	if err != nil {
		return err
	}
	defer db.Close()
	doc, err := db.Export(ctx, o.email, env.Config.replyTo, store.ExportOpts{Tags: env.Config.TagsVisible})
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("no person with address %s", o.email)
	}
	if err != nil {
		return err
	}
	u, err := db.UserByEmail(ctx, o.email)
	if err != nil {
		return err
	}
	if err := db.Audit(ctx, store.Audit{Action: store.AuditExport, UserID: u.ID, Detail: map[string]any{"via": "cli"}}); err != nil {
		return err
	}
	if o.zip != "" {
		files, err := db.ExportFiles(ctx, o.email)
		if err != nil {
			return err
		}
		f, err := os.Create(o.zip)
		if err != nil {
			return err
		}
		if err := exportzip.Write(ctx, f, doc, files, db.ReadBlob); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	enc := json.NewEncoder(env.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}
