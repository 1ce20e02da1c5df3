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

// OrderedGroup is how many ready mails IngestInOrder records in one
// transaction at most.
const OrderedGroup = 10

// IngestInOrder ingests mails one after another, in the order next gives
// them, with the outcome of calling Ingest on each: each raw mail is
// stored before it is parsed, each mail is recorded after the ones before
// it committed (a reply finds the ticket the mail before it opened), and
// done hears of each in order. Only the work that needs no earlier mail
// overlaps: while mails are recorded, the next ones are stored and parsed,
// so the parsing and the database's work run side by side instead of
// taking turns. Ordinary mails that are ready together (up to
// OrderedGroup) commit in one transaction, as an SQS batch does; when it
// fails they are recorded one by one. done returns false to stop: next is
// not called again, mails stored ahead are left received (ingesting them
// again records them), and IngestInOrder returns once nothing runs any
// more; the rest of a group that committed together is recorded but not
// told. next and done are called from different goroutines, never
// concurrently with themselves.
func (p *Pipeline) IngestInOrder(ctx context.Context, next func() (Item, bool), done func(Item, Result, error) bool) {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() { // also on a panic: the reader stops, then we return
		cancel()
		wg.Wait()
	}()
	var writer sync.Mutex // held around each write when the database takes one writer at a time
	lock := func() func() {
		if ow, ok := p.store.(oneWriter); ok && ow.OneWriter() {
			writer.Lock()
			return writer.Unlock
		}
		return func() {}
	}
	ready := make(chan *prepared, OrderedGroup)
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
			pr := p.store1(ctx, it, held)
			unlock()
			if !hand() {
				return
			}
			p.parse1(pr)
			held = pr
		}
	}()
	for pr := range ready {
		group := []*prepared{pr}
	more:
		for len(group) < OrderedGroup {
			select {
			case q, ok := <-ready:
				if !ok {
					break more
				}
				group = append(group, q)
			default:
				break more
			}
		}
		if !p.recordGroup(ctx, group, lock, done) {
			cancel()
			for range ready { // let the reader finish the mail in hand
			}
			return
		}
	}
}

// recordGroup records prepared mails in order: each run of ordinary ones
// in one transaction (one by one should it fail), any other on its own.
// It returns false when done said stop.
func (p *Pipeline) recordGroup(ctx context.Context, group []*prepared, lock func() func(), done func(Item, Result, error) bool) bool {
	count := func(pr *prepared, res Result, err error) {
		action := store.ActionFailed
		if err == nil {
			action = res.Action
		}
		metrics.InboundMails.WithLabelValues(action).Inc()
		close(pr.recorded)
	}
	tell := func(pr *prepared, res Result, err error) bool {
		count(pr, res, err)
		return done(pr.item, res, err)
	}
	one := func(pr *prepared) bool {
		unlock := lock()
		res, err := p.record(ctx, pr)
		unlock()
		return tell(pr, res, err)
	}
	bs, batches := p.store.(BatchStore)
	for len(group) > 0 {
		run := 0
		for run < len(group) && !group[run].final && group[run].dv != nil {
			run++
		}
		if !batches || run < 2 {
			if !one(group[0]) {
				return false
			}
			group = group[1:]
			continue
		}
		ins := make([]*store.Incoming, run)
		for k, pr := range group[:run] {
			ins[k] = pr.dv.in
		}
		unlock := lock()
		outs, err := bs.RecordInboundBatch(ctx, ins)
		unlock()
		if err != nil {
			p.log.InfoContext(ctx, "inbound group rolled back; recording its mails one by one", "mails", run, "err", err)
			for _, pr := range group[:run] {
				if !one(pr) {
					return false
				}
			}
		} else {
			told := true
			for k, pr := range group[:run] {
				res, rerr := p.delivered(ctx, pr.dv, outs[k], nil)
				if rerr == nil {
					p.logResult(ctx, pr.rec, pr.item.Env, res)
				}
				if told {
					told = tell(pr, res, rerr)
					continue
				}
				count(pr, res, rerr) // done said stop: the rest committed with it, counted but not told
			}
			if !told {
				return false
			}
		}
		group = group[run:]
	}
	return true
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

// store1 stores a raw mail: the first half of Ingest. The same round trip
// computes the search document of held's message, the mail parsed before
// it and not yet handed over, which then goes along with that message
// instead of being computed inside the recording transaction.
func (p *Pipeline) store1(ctx context.Context, it Item, held *prepared) *prepared {
	pr := &prepared{item: it, recorded: make(chan struct{})}
	var doc *store.SearchDoc
	if held != nil && !held.final && held.dv != nil {
		msg := &held.dv.in.Message
		doc = &store.SearchDoc{Subject: msg.Subject, Visible: msg.VisibleText}
		defer func() {
			if doc.Doc != "" {
				msg.Search = doc
			}
		}()
	}
	rec, existed, err := p.saveAndDoc(ctx, it.Raw, it.Env, doc)
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
