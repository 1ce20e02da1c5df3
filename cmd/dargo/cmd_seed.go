package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/dargo-support/dargo/store"
)

// runSeed fills the database with generated tickets and messages, for trying
// the inbox and for measuring it. Never against production data.
func runSeed(ctx context.Context, env *Env, args []string) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	var o store.SeedOpts
	fs.IntVar(&o.Tickets, "tickets", 1000, "tickets to generate")
	fs.IntVar(&o.Messages, "messages", 10000, "messages to generate, spread over the tickets")
	fs.IntVar(&o.Customers, "customers", 200, "customers the tickets belong to")
	fs.IntVar(&o.BigThread, "big-thread", 200, "messages of the first generated ticket")
	if err := fs.Parse(args); err != nil {
		return err
	}
	db, err := openDB(ctx, env, true)
	if err != nil {
		return err
	}
	defer db.Close()
	start := time.Now()
	if err := db.Seed(ctx, o); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "seeded %d tickets, %d messages, %d customers in %s\n", o.Tickets, o.Messages, o.Customers, time.Since(start).Round(time.Millisecond))
	return nil
}
