package main

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/dargo-support/dargo/store"
)

// runErase erases a person's personal data: `dargo erase --email ADDR
// [--block]`. Running it again is harmless.
func runErase(ctx context.Context, env *Env, args []string) error {
	fs := flag.NewFlagSet("erase", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	email := fs.String("email", "", "the person's email address")
	block := fs.Bool("block", false, "the person asked not to be recreated: keep a hash of the address and drop its mail")
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
	u, err := db.UserByEmail(ctx, *email)
	if errors.Is(err, store.ErrNotFound) {
		// Already erased (the address is gone), or never known.
		if *block {
			if err := db.Block(ctx, *email); err != nil {
				return err
			}
		}
		fmt.Fprintf(env.Stdout, "nothing to erase: no person with address %s\n", *email)
		return nil
	}
	if err != nil {
		return err
	}
	res, err := db.Erase(ctx, u.ID, store.EraseOpts{Block: *block})
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "erased user %d: %d tickets kept as records, %d messages emptied, %d files and %d raw mails deleted\n",
		res.UserID, res.Tickets, res.Messages, res.Attachments, res.RawMails)
	return nil
}
