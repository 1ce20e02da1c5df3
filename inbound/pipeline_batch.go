package inbound

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/dargo-support/dargo/inbound/mailparse"
	"github.com/dargo-support/dargo/internal/metrics"
	"github.com/dargo-support/dargo/store"
)

// BatchStore is the store's write of several deliveries in one transaction
// (*store.DB has it); with a Store that lacks it, IngestBatch records the
// mails one by one.
type BatchStore interface {
	RecordInboundBatch(ctx context.Context, ds []*store.Incoming) ([]*store.Recorded, error)
}

var _ BatchStore = (*store.DB)(nil)

// IngestBatch ingests several mails, such as the messages of one SQS
// receive. Each raw mail is stored first, as Ingest does; then the
// ordinary mails (those Ingest would hand to RecordInbound) are recorded
// in one transaction. When that transaction fails, for whichever mail,
// it is rolled back and each of them is recorded on its own, so a bad mail
// fails alone. Mails on a rare path (held, unreadable, bounce, feedback,
// staff or forward reply address, duplicate, our own address) are processed
// one by one as Ingest would. Each mail is counted once in
// dargo_inbound_mails_total and logged as Ingest does; the results are in
// the order of items.
func (p *Pipeline) IngestBatch(ctx context.Context, items []mailparse.Item) []mailparse.ItemResult {
	results := make([]mailparse.ItemResult, len(items))
	counted := make([]bool, len(items))
	defer func() { // a panic counts the mails not done yet as failed
		for i := range items {
			if !counted[i] {
				metrics.InboundMails.WithLabelValues(store.ActionFailed).Inc()
			}
		}
	}()
	done := func(i int, res Result, err error) {
		action := store.ActionFailed
		if err == nil {
			action = res.Action
		}
		metrics.InboundMails.WithLabelValues(action).Inc()
		counted[i] = true
		results[i] = mailparse.ItemResult{Result: res, Err: err}
	}
	bs, ok := p.store.(BatchStore)
	if !ok || len(items) < 2 {
		for i, it := range items {
			res, err := p.ingest(ctx, it.Raw, it.Env)
			done(i, res, err)
		}
		return results
	}
	// Raw first: nothing received is lost should the rest fail.
	saved := make([]*store.InboundMail, len(items))
	for i, it := range items {
		rec, existed, err := p.save(ctx, it.Raw, it.Env)
		switch {
		case err != nil:
			done(i, Result{}, err)
		case existed && rec.Status != "received":
			done(i, p.duplicateOf(ctx, rec), nil)
		default:
			saved[i] = rec
		}
	}
	var batch []int
	dvs := make([]*delivery, len(items))
	for i, it := range items {
		if saved[i] == nil {
			continue
		}
		if dvs[i] = p.batchable(saved[i], it.Raw, it.Env); dvs[i] == nil {
			res, err := p.Process(ctx, saved[i], it.Raw, it.Env)
			done(i, res, err)
			continue
		}
		batch = append(batch, i)
	}
	p.recordBatch(ctx, bs, items, dvs, batch, done)
	return results
}

// recordBatch records the deliveries dvs[batch] in one transaction, or
// one by one when it fails.
func (p *Pipeline) recordBatch(ctx context.Context, bs BatchStore, items []mailparse.Item, dvs []*delivery, batch []int, done func(int, Result, error)) {
	if len(batch) == 0 {
		return
	}
	ins := make([]*store.Incoming, len(batch))
	for k, i := range batch {
		ins[k] = dvs[i].in
	}
	outs, err := bs.RecordInboundBatch(ctx, ins)
	if err != nil {
		p.log.InfoContext(ctx, "inbound batch rolled back; recording its mails one by one", "mails", len(batch), "err", err)
	}
	for k, i := range batch {
		var res Result
		var rerr error
		if err == nil {
			res, rerr = p.delivered(ctx, dvs[i], outs[k], nil)
		} else {
			out, oerr := p.store.RecordInbound(ctx, dvs[i].in)
			res, rerr = p.delivered(ctx, dvs[i], out, oerr)
		}
		if rerr == nil {
			p.logResult(ctx, dvs[i].rec, items[i].Env, res)
		}
		done(i, res, rerr)
	}
}

// batchable parses a stored mail and returns its delivery when it is an
// ordinary one that Process would hand straight to RecordInbound; nil
// when it takes another path.
func (p *Pipeline) batchable(rec *store.InboundMail, raw []byte, env Envelope) *delivery {
	if p.hold(raw, env.Verdicts) != "" {
		return nil
	}
	m, err := mailparse.ParseText(raw) // as process: HTML is sanitized when stored (SafeHTML)
	if err != nil || m.Overflow != "" || !p.ordinary(m, env) || feedbackReport(m) != nil || isAWSNotificationMail(m) {
		return nil
	}
	return p.delivery(rec, m, env, false)
}

// save stores a raw mail (or finds it stored before).
func (p *Pipeline) save(ctx context.Context, raw []byte, env Envelope) (*store.InboundMail, bool, error) {
	return p.saveAndDoc(ctx, raw, env, nil)
}

// docSaver is a store whose raw save can compute another message's search
// document on the way (*store.DB).
type docSaver interface {
	SaveInboundMailAndDoc(ctx context.Context, m *store.InboundMail, raw []byte, doc *store.SearchDoc) (*store.InboundMail, bool, error)
}

// saveAndDoc is save that also has doc computed when the store can.
func (p *Pipeline) saveAndDoc(ctx context.Context, raw []byte, env Envelope, doc *store.SearchDoc) (*store.InboundMail, bool, error) {
	rec := &store.InboundMail{
		Key:        mailKey(raw, env.SESID),
		SESID:      env.SESID,
		Sender:     env.Sender,
		Recipients: strings.Join(env.Recipients, ","),
	}
	if v, err := json.Marshal(env.Verdicts); err == nil {
		rec.Verdicts = string(v)
	}
	var saved *store.InboundMail
	var existed bool
	var err error
	if ds, ok := p.store.(docSaver); ok && doc != nil {
		saved, existed, err = ds.SaveInboundMailAndDoc(ctx, rec, raw, doc)
	} else {
		saved, existed, err = p.store.SaveInboundMail(ctx, rec, raw)
	}
	if err != nil {
		return nil, false, fmt.Errorf("inbound: %w", err)
	}
	return saved, existed, nil
}
