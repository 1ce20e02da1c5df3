package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/dargo-support/dargo/store"
)

const suppressionUsage = `usage: dargo suppression list | remove ADDR

  list         print every suppressed address, newest first, one a line:
               address, reason, source, created (RFC 3339), separated by tabs
  remove ADDR  lift the suppression of ADDR, so mail goes to it again
               (audited); an address that is not suppressed is an error (exit 1)
`

// runSuppression lists the suppression list or lifts one address from it:
// `dargo suppression list`, `dargo suppression remove ADDR`.
func runSuppression(ctx context.Context, env *Env, args []string) error {
	for _, a := range args {
		if a == "-h" || a == "-help" || a == "--help" || a == "help" {
			fmt.Fprint(env.Stdout, suppressionUsage)
			return nil
		}
	}
	switch {
	case len(args) == 1 && args[0] == "list":
	case len(args) == 2 && args[0] == "remove":
	default:
		return errors.New(strings.TrimSpace(suppressionUsage))
	}
	db, err := openDB(ctx, env, false)
	if err != nil {
		return err
	}
	defer db.Close()
	if args[0] == "list" {
		list, err := db.Suppressions(ctx, store.SuppressionQuery{})
		if err != nil {
			return err
		}
		for _, s := range list {
			fmt.Fprintf(env.Stdout, "%s\t%s\t%s\t%s\n", s.Email, oneLine(s.Reason), s.Source, s.CreatedAt.UTC().Format(time.RFC3339))
		}
		return nil
	}
	s, err := db.Unsuppress(ctx, args[1], 0, store.LiftedByCLI)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("%s is not on the suppression list; nothing removed", store.NormalizeEmail(args[1]))
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "%s removed from the suppression list (was: %s, %s, since %s); mail goes to it again\n",
		s.Email, oneLine(s.Reason), s.Source, s.CreatedAt.UTC().Format(time.RFC3339))
	return nil
}
