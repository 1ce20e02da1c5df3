package main

import (
	"context"
	"fmt"
)

func runMigrate(ctx context.Context, env *Env, args []string) error {
	db, err := openDB(ctx, env, false)
	if err != nil {
		return err
	}
	defer db.Close()
	n, err := db.Migrate(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "applied %d migration(s) to the %s database\n", n, db.Dialect)
	return nil
}
