package main

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/dargo-support/dargo/store"
)

// eraseOpts are dargo erase's flags.
type eraseOpts struct {
	email string
	block bool
}

func (o *eraseOpts) flags(fs *flag.FlagSet) {
	fs.StringVar(&o.email, "email", "", "the person's email address `ADDR` (required)")
	fs.BoolVar(&o.block, "block", false, "the person asked not to be recreated: keep a hash of the address and drop its mail")
}

// runErase erases a person's personal data: `dargo erase --email ADDR
// [--block]`. Running it again is harmless.
func runErase(ctx context.Context, env *Env, o *eraseOpts, _ []string) error {
	if o.email == "" {
		return usagef("--email is required")
	}
	db, err := openDB(ctx, env, true)
	if err != nil {
		return err
	}
	defer db.Close()
	u, err := db.UserByEmail(ctx, o.email)
	if errors.Is(err, store.ErrNotFound) {
		// Already erased (the address is gone), or never known.
		if o.block {
			if err := db.Block(ctx, o.email); err != nil {
				return err
			}
		}
		fmt.Fprintf(env.Stdout, "nothing to erase: no person with address %s\n", o.email)
		return nil
	}
	if err != nil {
		return err
	}
	res, err := db.Erase(ctx, u.ID, store.EraseOpts{Block: o.block})
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "erased user %d: %d tickets kept as records, %d messages emptied, %d files and %d raw mails deleted\n",
		res.UserID, res.Tickets, res.Messages, res.Attachments, res.RawMails)
	return nil
}
