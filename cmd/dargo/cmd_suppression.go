package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/dargo-support/dargo/store"
)

// suppressionCommands are dargo suppression's subcommands.
var suppressionCommands = []command{
	{name: "list", usage: "dargo suppression list", bind: noFlags(runSuppressionList),
		doc: "print every suppressed address, newest first, one a line: address, reason, source, created (RFC 3339), separated by tabs"},
	{name: "remove", usage: "dargo suppression remove ADDR", bind: noFlags(runSuppressionRemove), args: oneArg("ADDR"),
		doc: "lift the suppression of ADDR, so mail goes to it again (audited); an address that is not suppressed is an error (exit 1)"},
}

func runSuppressionList(ctx context.Context, env *Env, _ []string) error {
	db, err := openDB(ctx, env, false)
	if err != nil {
		return err
	}
	defer db.Close()
	list, err := db.Suppressions(ctx, store.SuppressionQuery{})
	if err != nil {
		return err
	}
	for _, s := range list {
		fmt.Fprintf(env.Stdout, "%s\t%s\t%s\t%s\n", s.Email, oneLine(s.Reason), s.Source, s.CreatedAt.UTC().Format(time.RFC3339))
	}
	return nil
}

func runSuppressionRemove(ctx context.Context, env *Env, args []string) error {
	db, err := openDB(ctx, env, false)
	if err != nil {
		return err
	}
	defer db.Close()
	s, err := db.Unsuppress(ctx, args[0], 0, store.LiftedByCLI)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("%s is not on the suppression list; nothing removed", store.NormalizeEmail(args[0]))
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "%s removed from the suppression list (was: %s, %s, since %s); mail goes to it again\n",
		s.Email, oneLine(s.Reason), s.Source, s.CreatedAt.UTC().Format(time.RFC3339))
	return nil
}
