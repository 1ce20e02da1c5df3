package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"sync"

	"github.com/dargo-support/dargo/inbound"
)

// listFlag collects a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return fmt.Sprint(*l) }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// limitMemory sets a soft heap limit for a process that handles one mail at a
// time: the raw mail and its decoded parts are live together (about 1.75×
// the mail), and the default GC pacing would let garbage double that. An
// operator's GOMEMLIMIT wins.
func limitMemory(maxMail int64) {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(2 * maxMail)
	}
}

// ingestOpts are dargo ingest's flags.
type ingestOpts struct {
	recipients listFlag
}

func (o *ingestOpts) flags(fs *flag.FlagSet) {
	fs.Var(&o.recipients, "recipient", "envelope recipient `ADDR` (repeatable), as SES's receipt.recipients")
}

// runIngest feeds raw MIME files (or stdin) through the inbound pipeline and
// prints one JSON result per message. A file it cannot read is reported on
// stderr and makes the exit status non-zero; every readable mail is handled.
func runIngest(ctx context.Context, env *Env, o *ingestOpts, files []string) error {
	limitMemory(env.Config.MaxMailBytes)
	db, err := openDB(ctx, env, true)
	if err != nil {
		return err
	}
	defer db.Close()
	p := newPipeline(db, env)
	enc := json.NewEncoder(env.Stdout)
	one := func(name string, raw []byte) error {
		res, err := p.Ingest(ctx, raw, inbound.Envelope{Recipients: o.recipients})
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		return enc.Encode(res)
	}
	if len(files) == 0 {
		raw, err := io.ReadAll(env.Stdin)
		if err != nil {
			return fmt.Errorf("read stdin: %w", err)
		}
		return one("stdin", raw)
	}
	// In order, as one Ingest after another; the next file is read,
	// stored and parsed while the one before it is recorded.
	var errs []error
	var failed error
	var names []string // the files of the mails read and not yet done, in order
	var mu sync.Mutex
	i := 0
	next := func() (inbound.Item, bool) {
		for i < len(files) {
			name := files[i]
			i++
			// ReadFile sizes its buffer from the file: a 40 MB mail costs 40 MB, not twice that.
			raw, err := os.ReadFile(name) // #nosec G304 -- the operator names the files to ingest
			if err != nil {
				errs = append(errs, err)
				fmt.Fprintln(env.Stderr, "dargo ingest:", err)
				continue
			}
			mu.Lock()
			names = append(names, name)
			mu.Unlock()
			return inbound.Item{Raw: raw, Env: inbound.Envelope{Recipients: o.recipients}}, true
		}
		return inbound.Item{}, false
	}
	p.IngestInOrder(ctx, next, func(_ inbound.Item, res inbound.Result, err error) bool {
		mu.Lock()
		name := names[0]
		names = names[1:]
		mu.Unlock()
		if err != nil {
			failed = fmt.Errorf("%s: %w", name, err)
			return false
		}
		if err := enc.Encode(res); err != nil {
			failed = err
			return false
		}
		return true
	})
	if failed != nil {
		return failed
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("dargo ingest: stopped before every file was ingested: %w", err)
	}
	return errors.Join(errs...)
}
