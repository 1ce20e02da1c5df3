package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/dargo-support/dargo/inbound"
)

// listFlag collects a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return fmt.Sprint(*l) }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// runIngest feeds raw MIME files (or stdin) through the inbound pipeline and
// prints one JSON result per message. A file it cannot read is reported on
// stderr and makes the exit status non-zero; every readable mail is handled.
func runIngest(ctx context.Context, env *Env, args []string) error {
	fs := flag.NewFlagSet("ingest", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	var recipients listFlag
	fs.Var(&recipients, "recipient", "envelope recipient (repeatable), as SES's receipt.recipients")
	if err := fs.Parse(args); err != nil {
		return err
	}
	db, err := openDB(ctx, env, true)
	if err != nil {
		return err
	}
	defer db.Close()
	p := newPipeline(db, env)
	enc := json.NewEncoder(env.Stdout)
	one := func(name string, r io.Reader) error {
		raw, err := io.ReadAll(r)
		if err != nil {
			return fmt.Errorf("read %s: %w", name, err)
		}
		res, err := p.Ingest(ctx, raw, inbound.Envelope{Recipients: recipients})
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		return enc.Encode(res)
	}
	if fs.NArg() == 0 {
		return one("stdin", env.Stdin)
	}
	var errs []error
	for _, name := range fs.Args() {
		f, err := os.Open(name)
		if err != nil {
			errs = append(errs, err)
			fmt.Fprintln(env.Stderr, "dargo ingest:", err)
			continue
		}
		err = one(name, f)
		f.Close()
		if err != nil {
			return err
		}
	}
	return errors.Join(errs...)
}
