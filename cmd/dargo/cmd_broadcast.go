package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/dargo-support/dargo/store"
)

// broadcastOpts are dargo broadcast's flags.
type broadcastOpts struct {
	subject, bodyFile string
	resume            int64
	list, again       bool
	batch             int
	pause             time.Duration
}

func (o *broadcastOpts) flags(fs *flag.FlagSet) {
	fs.StringVar(&o.subject, "subject", "", "the mail's subject `S`")
	fs.StringVar(&o.bodyFile, "body-file", "", "`F`ile with the mail's text: plain text, UTF-8 (- reads stdin)")
	fs.Int64Var(&o.resume, "resume", 0, "continue queueing the unfinished broadcast with this `ID`")
	fs.BoolVar(&o.list, "list", false, "list the broadcasts and count their mails")
	fs.IntVar(&o.batch, "batch", store.DefaultBroadcastBatch, "queue `N` recipients per transaction")
	fs.DurationVar(&o.pause, "pause", 0, "wait `D` between batches, to go easy on the database and the outbox relay")
	fs.BoolVar(&o.again, "again", false, "send even though an earlier broadcast had this subject and text")
}

// runBroadcast mails a notice (a privacy-policy change) to every active
// user, once, through the outbox: it queues the mails here, batch by
// batch, and the workers send them at the SES rate.
//
//	dargo broadcast --subject S --body-file F [--batch N] [--pause D] [--again]
//	dargo broadcast --resume ID [--batch N] [--pause D]
//	dargo broadcast --list
//
// Killed at any point, it resumes with --resume and mails nobody twice.
func runBroadcast(ctx context.Context, env *Env, o *broadcastOpts, _ []string) error {
	starting := o.subject != "" || o.bodyFile != ""
	switch {
	case o.batch < 1 || o.batch > store.MaxBroadcastBatch:
		return usagef("--batch: want 1 to %d", store.MaxBroadcastBatch)
	case o.list && (starting || o.resume != 0), starting && o.resume != 0:
		return usagef("give one of --subject with --body-file, --resume ID or --list")
	case !o.list && o.resume == 0 && (o.subject == "" || o.bodyFile == ""):
		return usagef("give --subject and --body-file, --resume ID or --list")
	}
	var body string
	if starting {
		var err error
		if body, err = readBody(env, o.bodyFile); err != nil {
			return err
		}
	}
	db, err := openDB(ctx, env, false)
	if err != nil {
		return err
	}
	defer db.Close()
	switch {
	case o.list:
		return listBroadcasts(ctx, env, db)
	case o.resume != 0:
		b, err := db.Broadcast(ctx, o.resume)
		if err != nil {
			return err
		}
		if b.Queued() {
			fmt.Fprintf(env.Stdout, "broadcast %d was queued already: %d mails\n", b.ID, b.QueuedCount)
			return nil
		}
		fmt.Fprintf(env.Stdout, "broadcast %d: resuming at %d of %d\n", b.ID, b.QueuedCount, b.Total)
		return queueBroadcast(ctx, env, db, b, o.batch, o.pause)
	}
	b, err := db.StartBroadcast(ctx, store.NewBroadcast{Subject: o.subject, Body: body, Again: o.again})
	var exists *store.BroadcastExistsError
	switch {
	case errors.As(err, &exists) && !exists.Broadcast.Queued():
		return fmt.Errorf("broadcast %d with this subject and text is unfinished (%d of %d queued): continue it with dargo broadcast --resume %d",
			exists.Broadcast.ID, exists.Broadcast.QueuedCount, exists.Broadcast.Total, exists.Broadcast.ID)
	case errors.As(err, &exists):
		return fmt.Errorf("broadcast %d sent this subject and text on %s: to send it again, add --again",
			exists.Broadcast.ID, exists.Broadcast.CreatedAt.UTC().Format("2006-01-02 15:04 UTC"))
	case err != nil:
		return err
	}
	fmt.Fprintf(env.Stdout, "broadcast %d started: %d recipients\n", b.ID, b.Total)
	return queueBroadcast(ctx, env, db, b, o.batch, o.pause)
}

// readBody reads the broadcast's text from a file, or stdin for "-".
func readBody(env *Env, name string) (string, error) {
	if name == "-" {
		return readAll(env.Stdin)
	}
	b, err := os.ReadFile(name) // #nosec G304 -- the operator names the body file
	if err != nil {
		return "", fmt.Errorf("--body-file: %w", err)
	}
	return string(b), nil
}

// batchTimeout bounds one batch, which runs on after an interrupt so that
// stopping happens between batches.
const batchTimeout = 2 * time.Minute

// queueBroadcast runs batches until every recipient is queued, showing
// progress on stderr. An interrupt (SIGINT, SIGTERM) stops it after the
// batch in flight.
func queueBroadcast(ctx context.Context, env *Env, db *store.DB, b *store.Broadcast, batch int, pause time.Duration) error {
	p := newProgress(env.Stderr)
	p.show(b.QueuedCount, b.Total, false)
	for !b.Queued() {
		if ctx.Err() != nil {
			p.end()
			return fmt.Errorf("stopped at %d of %d: continue with dargo broadcast --resume %d", b.QueuedCount, b.Total, b.ID)
		}
		bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), batchTimeout)
		next, err := db.QueueBroadcastBatch(bctx, b.ID, batch)
		cancel()
		if err != nil {
			p.end()
			return fmt.Errorf("%w (continue with dargo broadcast --resume %d)", err, b.ID)
		}
		b = next
		p.show(b.QueuedCount, b.Total, b.Queued())
		if pause > 0 && !b.Queued() {
			t := time.NewTimer(pause)
			select {
			case <-ctx.Done():
			case <-t.C:
			}
			t.Stop()
		}
	}
	p.end()
	fmt.Fprintf(env.Stdout, "broadcast %d queued: %d mails; the workers send them at the SES rate (dargo broadcast --list counts them)\n", b.ID, b.QueuedCount)
	return nil
}

// listBroadcasts prints the broadcasts, newest first, with their mails counted.
func listBroadcasts(ctx context.Context, env *Env, db *store.DB) error {
	list, err := db.Broadcasts(ctx, 100)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(env.Stdout, 0, 8, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tSTATUS\tQUEUED\tSENT\tFAILED\tSUPPRESSED\tWAITING\tSTARTED\tSUBJECT")
	for _, b := range list {
		fmt.Fprintf(w, "%d\t%s\t%d/%d\t%d\t%d\t%d\t%d\t%s\t%s\n", b.ID, b.Status, b.QueuedCount, b.Total, b.Progress.Sent, b.Progress.Failed,
			b.Progress.Suppressed, b.Progress.Queued, b.CreatedAt.UTC().Format("2006-01-02 15:04"), b.Subject)
	}
	return w.Flush()
}

// progress shows how far queueing is: a bar redrawn in place when the
// output is a terminal, a plain line every few seconds otherwise.
type progress struct {
	w     io.Writer
	tty   bool
	every time.Duration // between plain lines
	last  time.Time
	drawn bool // a bar is on the terminal's current line
}

const barWidth = 30

func newProgress(w io.Writer) *progress {
	return &progress{w: w, tty: isTerminal(w), every: 2 * time.Second}
}

// show reports done of total; final forces a plain line out.
func (p *progress) show(done, total int, final bool) {
	total = max(total, done) // people who signed up meanwhile are mailed too
	if p.tty {
		filled := barWidth
		if total > 0 {
			filled = done * barWidth / total
		}
		fmt.Fprintf(p.w, "\r[%s%s] %d/%d", strings.Repeat("#", filled), strings.Repeat(".", barWidth-filled), done, total)
		p.drawn = true
		return
	}
	if now := time.Now(); final || now.Sub(p.last) >= p.every {
		fmt.Fprintf(p.w, "queued %d/%d\n", done, total)
		p.last = now
	}
}

// end finishes the bar's line.
func (p *progress) end() {
	if p.drawn {
		fmt.Fprintln(p.w)
		p.drawn = false
	}
}

// isTerminal reports whether w is a character device (a terminal; or
// /dev/null, where a bar does no harm).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
