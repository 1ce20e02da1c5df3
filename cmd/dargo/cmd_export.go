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

func runExport(ctx context.Context, env *Env, args []string) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	email := fs.String("email", "", "the person's email address")
	zipTo := fs.String("zip", "", "also write a ZIP with the document and the person's files to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *email == "" {
		return errors.New("--email is required")
	}
	db, err := openDB(ctx, env, true)
	if err != nil {
		return err
	}
	defer db.Close()
	doc, err := db.Export(ctx, *email, env.Config.replyTo)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("no person with address %s", *email)
	}
	if err != nil {
		return err
	}
	u, err := db.UserByEmail(ctx, *email)
	if err != nil {
		return err
	}
	if err := db.Audit(ctx, store.Audit{Action: store.AuditExport, UserID: u.ID, Detail: map[string]any{"via": "cli"}}); err != nil {
		return err
	}
	if *zipTo != "" {
		files, err := db.ExportFiles(ctx, *email)
		if err != nil {
			return err
		}
		f, err := os.Create(*zipTo)
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
