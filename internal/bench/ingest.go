package bench

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/dargo-support/dargo/store"

	"github.com/dargo-support/dargo/inbound"
)

// ingestDirect feeds N mails one after another straight into the pipeline
// (as `dargo ingest` and the SMTP listener do): raw mail stored, parsed,
// routed and committed, each one timed.
func ingestDirect(ctx context.Context, r *run) ([]Row, error) {
	p := r.o.Pipeline(r.db)
	m := newMails(r.o.MailDomain, "ingest", r.sizes.Mails)
	raws := make([][]byte, r.sizes.Mails)
	size := 0
	for i := range raws {
		raws[i] = m.raw(i)
		size += len(raws[i])
	}
	lat := make(timing, 0, len(raws))
	var created, appended int
	before := allocated()
	start := time.Now()
	for i, raw := range raws {
		t0 := time.Now()
		res, err := p.Ingest(ctx, raw, inbound.Envelope{Recipients: []string{"support@" + r.o.MailDomain}})
		if err != nil {
			return nil, fmt.Errorf("mail %d: %w", i, err)
		}
		lat = append(lat, time.Since(t0))
		switch res.Action {
		case store.ActionCreated:
			created++
		case store.ActionAppended:
			appended++
		default:
			return nil, fmt.Errorf("mail %d: %s (%s), want created or appended", i, res.Action, res.Reason)
		}
	}
	row := lat.row("ingest_direct", len(raws), time.Since(start), "mails/s")
	row.AllocBytes = (allocated() - before) / uint64(len(raws))
	row.Note = fmt.Sprintf("one at a time, %.1f KB mails: %d new tickets, %d replies", float64(size)/float64(len(raws))/1000, created, appended)
	op, ok := p.(orderedIngester)
	if !ok {
		return nil, fmt.Errorf("bench: the pipeline (%T) cannot ingest in order", p)
	}
	ordered, err := ingestOrdered(ctx, r, op)
	if err != nil {
		return nil, err
	}
	return []Row{row, ordered}, nil
}

// orderedIngester is what *inbound.Pipeline offers dargo ingest.
type orderedIngester interface {
	IngestInOrder(ctx context.Context, next func() (inbound.Item, bool), done func(inbound.Item, inbound.Result, error) bool)
}

// ingestOrdered feeds N more mails through IngestInOrder, as `dargo ingest`
// does with many files: in order, each recorded after the one before it,
// the next one stored and parsed meanwhile. Each is timed from the moment
// it is handed over to the moment its outcome is known.
func ingestOrdered(ctx context.Context, r *run, p orderedIngester) (Row, error) {
	m := newMails(r.o.MailDomain, "ordered", r.sizes.Mails)
	raws := make([][]byte, r.sizes.Mails)
	for i := range raws {
		raws[i] = m.raw(i)
	}
	env := inbound.Envelope{Recipients: []string{"support@" + r.o.MailDomain}}
	handed := make([]time.Time, 0, len(raws)) // appended by next, read by done after it
	var mu sync.Mutex
	lat := make(timing, 0, len(raws))
	var failed error
	before := allocated()
	start := time.Now()
	p.IngestInOrder(ctx, func() (inbound.Item, bool) {
		mu.Lock()
		defer mu.Unlock()
		i := len(handed)
		if i == len(raws) {
			return inbound.Item{}, false
		}
		handed = append(handed, time.Now())
		return inbound.Item{Raw: raws[i], Env: env}, true
	}, func(_ inbound.Item, res inbound.Result, err error) bool {
		mu.Lock()
		i := len(lat)
		lat = append(lat, time.Since(handed[i]))
		mu.Unlock()
		switch {
		case err != nil:
			failed = fmt.Errorf("mail %d: %w", i, err)
		case res.Action != store.ActionCreated && res.Action != store.ActionAppended:
			failed = fmt.Errorf("mail %d: %s (%s), want created or appended", i, res.Action, res.Reason)
		}
		return failed == nil
	})
	if failed != nil {
		return Row{}, failed
	}
	row := lat.row("ingest_ordered", len(raws), time.Since(start), "mails/s")
	row.AllocBytes = (allocated() - before) / uint64(len(raws))
	row.Note = "in order as dargo ingest FILE...: the next mail stored and parsed while one is recorded"
	return row, nil
}
