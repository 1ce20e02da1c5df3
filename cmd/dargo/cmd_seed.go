package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/dargo-support/dargo/store"
)

// seedFlags declares dargo seed's flags.
func seedFlags(o *store.SeedOpts, fs *flag.FlagSet) {
	fs.IntVar(&o.Tickets, "tickets", 1000, "generate `N` tickets")
	fs.IntVar(&o.Messages, "messages", 10000, "generate `N` messages, spread over the tickets")
	fs.IntVar(&o.Customers, "customers", 200, "`N` customers the tickets belong to")
	fs.IntVar(&o.BigThread, "big-thread", 200, "`N` messages in the first generated ticket")
}

// runSeed fills the database with generated tickets and messages, for trying
// the inbox and for measuring it. Never against production data.
func runSeed(ctx context.Context, env *Env, o *store.SeedOpts, _ []string) error {
	db, err := openDB(ctx, env, true)
	if err != nil {
		return err
	}
	defer db.Close()
	start := time.Now()
	if err := db.Seed(ctx, *o); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "seeded %d tickets, %d messages, %d customers in %s\n", o.Tickets, o.Messages, o.Customers, time.Since(start).Round(time.Millisecond))
	return nil
}
