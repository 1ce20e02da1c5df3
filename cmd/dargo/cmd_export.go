package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"

	"github.com/dargo-support/dargo/store"
)

func runExport(ctx context.Context, env *Env, args []string) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	email := fs.String("email", "", "the person's email address")
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
	enc := json.NewEncoder(env.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}
