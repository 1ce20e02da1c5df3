package bench

import (
	"context"
	"fmt"
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
	return []Row{row}, nil
}
