package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/dargo-support/dargo/store"
)

// quarantineCommands list quarantined inbound mail or release it into the pipeline.
var quarantineCommands = []command{
	{name: "list", usage: "dargo quarantine list [--json] [--limit N]", bind: withFlags((*quarantineListOpts).flags, runQuarantineList),
		doc: "print quarantined mail, oldest first, one a line: id, received (RFC 3339), sender, size and reason, separated by tabs (or JSON lines)"},
	{name: "release", usage: "dargo quarantine release ID...", bind: noFlags(runQuarantineRelease), args: someArgs("ID"),
		doc: "process quarantined mail as if it were clean (verdicts and size limits no longer hold it back); prints what ingest prints, one JSON line each"},
}

// quarantineListOpts are dargo quarantine list's flags.
type quarantineListOpts struct {
	json  bool
	limit int
}

func (o *quarantineListOpts) flags(fs *flag.FlagSet) {
	fs.BoolVar(&o.json, "json", false, "print one JSON object per mail")
	fs.IntVar(&o.limit, "limit", 100, "list at most `N`")
}

// quarantined is one line of `dargo quarantine list --json`.
type quarantined struct {
	ID         int64           `json:"id"`
	ReceivedAt time.Time       `json:"received_at"`
	Sender     string          `json:"sender"`
	Recipients []string        `json:"recipients"`
	Size       int64           `json:"size"`
	SESID      string          `json:"ses_id"`
	Verdicts   json.RawMessage `json:"verdicts"`
	Reason     string          `json:"reason"`
}

// runQuarantineList prints quarantined mail, oldest first: one line each,
// "id received_at sender size reason" separated by tabs, or JSON lines.
func runQuarantineList(ctx context.Context, env *Env, o *quarantineListOpts, _ []string) error {
	if o.limit < 1 {
		return usagef("--limit: want a number ≥ 1, got %d", o.limit)
	}
	db, err := openDB(ctx, env, true)
	if err != nil {
		return err
	}
	defer db.Close()
	rows, err := db.Quarantined(ctx, o.limit+1)
	if err != nil {
		return err
	}
	more := len(rows) > o.limit
	rows = rows[:min(len(rows), o.limit)]
	enc := json.NewEncoder(env.Stdout)
	for _, r := range rows {
		if o.json {
			if err := enc.Encode(toQuarantined(r)); err != nil {
				return err
			}
			continue
		}
		sender := r.Sender
		if sender == "" {
			sender = "-"
		}
		fmt.Fprintf(env.Stdout, "%d\t%s\t%s\t%d\t%s\n", r.ID, r.ReceivedAt.UTC().Format(time.RFC3339), sender, r.Size, oneLine(r.Reason))
	}
	if more {
		fmt.Fprintf(env.Stderr, "dargo quarantine list: more than %d; showing the oldest (raise --limit, or release these first)\n", o.limit)
	}
	return nil
}

func toQuarantined(r store.InboundMail) quarantined {
	q := quarantined{ID: r.ID, ReceivedAt: r.ReceivedAt.UTC(), Sender: r.Sender, Size: r.Size,
		SESID: r.SESID, Recipients: []string{}, Verdicts: json.RawMessage(`{}`), Reason: r.Reason}
	if r.Recipients != "" {
		q.Recipients = strings.Split(r.Recipients, ",")
	}
	if json.Valid([]byte(r.Verdicts)) {
		q.Verdicts = json.RawMessage(r.Verdicts)
	}
	return q
}

// oneLine keeps a reason (which may quote a parser error) on its line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// runQuarantineRelease processes quarantined mail as if it were clean and
// prints one JSON result per mail, as `dargo ingest` does. An id that is
// unknown or not quarantined is an error (stderr, non-zero exit); the other
// ids are still released.
func runQuarantineRelease(ctx context.Context, env *Env, args []string) error {
	ids := make([]int64, len(args))
	for i, a := range args {
		id, err := strconv.ParseInt(a, 10, 64)
		if err != nil || id < 1 {
			return usagef("%q is not an inbound mail id (see dargo quarantine list)", a)
		}
		ids[i] = id
	}
	db, err := openDB(ctx, env, true)
	if err != nil {
		return err
	}
	defer db.Close()
	p := newPipeline(db, env)
	enc := json.NewEncoder(env.Stdout)
	var errs []error
	for _, id := range ids {
		rec, err := db.InboundMail(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			err = fmt.Errorf("no inbound mail with id %d", id)
		}
		if err == nil && rec.Status != "quarantined" {
			err = fmt.Errorf("inbound mail %d is not quarantined: %s", id, outcome(ctx, db, rec))
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		// A held mail may be larger than DARGO_MAX_MAIL_BYTES; size the heap limit for it.
		limitMemory(max(env.Config.MaxMailBytes, rec.Size))
		raw, err := db.InboundRaw(ctx, rec)
		if err != nil {
			return fmt.Errorf("inbound mail %d: raw bytes: %w", id, err)
		}
		res, err := p.Release(ctx, id, raw, rec)
		if err != nil {
			return fmt.Errorf("inbound mail %d: %w", id, err)
		}
		if err := enc.Encode(res); err != nil {
			return err
		}
	}
	return errors.Join(errs...)
}

// outcome tells what became of a mail that is not quarantined.
func outcome(ctx context.Context, db *store.DB, rec *store.InboundMail) string {
	if rec.Status != "processed" {
		return rec.Status
	}
	s := "already processed (" + rec.Action
	if rec.TicketID != nil {
		if t, err := db.Ticket(ctx, *rec.TicketID); err == nil {
			s += fmt.Sprintf(", ticket %d", t.Number)
		}
	}
	return s + ")"
}
