package inbound

import (
	"context"
	"sync"

	"github.com/dargo-support/dargo/internal/metrics"
	"github.com/dargo-support/dargo/store"
)

// ReadAhead is the largest mail IngestInOrder stores and parses while the
// mail before it is still being recorded; a larger one waits for it, so
// two large mails are never parsed at once.
const ReadAhead = 1 << 20

// IngestInOrder ingests mails one after another, in the order next gives
// them, with the outcome of calling Ingest on each: each raw mail is
// stored before it is parsed, each mail is recorded in its own transaction
// after the one before it committed (a reply finds the ticket the mail
// before it opened), and done hears of each in order. Only the work that
// needs no earlier mail overlaps: while one mail is recorded, the next is
// stored and parsed, so the parsing and the database's work run side by
// side instead of taking turns. done returns false to stop; next is not
// called again, and IngestInOrder returns once nothing runs any more.
// next and done are called from different goroutines, never concurrently
// with themselves.
func (p *Pipeline) IngestInOrder(ctx context.Context, next func() (Item, bool), done func(Item, Result, error) bool) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var writer sync.Mutex // held around each write when the database takes one writer at a time
	lock := func() func() {
		if ow, ok := p.store.(oneWriter); ok && ow.OneWriter() {
			writer.Lock()
			return writer.Unlock
		}
		return func() {}
	}
	ready := make(chan *prepared)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(ready)
		var held, last *prepared // held: stored and parsed, not handed over yet
		hand := func() bool {
			if held == nil {
				return true
			}
			select {
			case ready <- held:
				held, last = nil, held
				return true
			case <-ctx.Done():
				return false
			}
		}
		for ctx.Err() == nil {
			it, ok := next()
			if !ok {
				hand()
				return
			}
			if len(it.Raw) > ReadAhead { // a large mail waits until the mails before it are recorded
				if !hand() {
					return
				}
				if last != nil {
					select {
					case <-last.recorded:
					case <-ctx.Done():
						return
					}
				}
			}
			// Stored before the mail before it is handed over: with one
			// writer, this write goes first and the recording of the mail
			// before it overlaps this mail's parsing.
			unlock := lock()
			pr := p.store1(ctx, it)
			unlock()
			if !hand() {
				return
			}
			p.parse1(pr)
			held = pr
		}
	}()
	defer wg.Wait() // after cancel: the reader has stopped calling next
	for pr := range ready {
		unlock := lock()
		res, err := p.record(ctx, pr)
		unlock()
		action := store.ActionFailed
		if err == nil {
			action = res.Action
		}
		metrics.InboundMails.WithLabelValues(action).Inc()
		close(pr.recorded)
		if !done(pr.item, res, err) {
			cancel()
			for range ready { // let the reader finish the mail in hand
			}
			return
		}
	}
}

// oneWriter is a store that writes one transaction at a time (SQLite):
// IngestInOrder then stores a mail and records another in turn, not
// side by side, and overlaps only the parsing.
type oneWriter interface{ OneWriter() bool }

// prepared is a mail stored and parsed, waiting for its turn to be recorded.
type prepared struct {
	item     Item
	rec      *store.InboundMail
	dv       *delivery // an ordinary mail's delivery; nil: Process decides
	res      Result    // decided already (final): a duplicate, or err
	err      error
	final    bool
	recorded chan struct{} // closed once the mail is recorded
}

// store1 stores a raw mail: the first half of Ingest.
func (p *Pipeline) store1(ctx context.Context, it Item) *prepared {
	pr := &prepared{item: it, recorded: make(chan struct{})}
	rec, existed, err := p.save(ctx, it.Raw, it.Env)
	switch {
	case err != nil:
		pr.err, pr.final = err, true
	case existed && rec.Status != "received":
		pr.res, pr.final = p.duplicateOf(ctx, rec), true
	default:
		pr.rec = rec
	}
	return pr
}

// parse1 parses a stored ordinary mail into its delivery, which needs no
// earlier mail recorded; any other mail is left to Process.
func (p *Pipeline) parse1(pr *prepared) {
	if !pr.final {
		pr.dv = p.batchable(pr.rec, pr.item.Raw, pr.item.Env)
	}
}

// record finishes a prepared mail as Ingest would: an ordinary mail goes
// to RecordInbound, any other through Process.
func (p *Pipeline) record(ctx context.Context, pr *prepared) (Result, error) {
	switch {
	case pr.final:
		return pr.res, pr.err
	case pr.dv == nil:
		return p.Process(ctx, pr.rec, pr.item.Raw, pr.item.Env)
	}
	out, err := p.store.RecordInbound(ctx, pr.dv.in)
	res, err := p.delivered(ctx, pr.dv, out, err)
	if err == nil {
		p.logResult(ctx, pr.rec, pr.item.Env, res)
	}
	return res, err
}
