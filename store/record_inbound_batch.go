package store

import (
	"context"
	"fmt"
)

// RecordInboundBatch writes several deliveries in one transaction, each as
// RecordInbound would. It is all or nothing: when any delivery fails
// (ErrDuplicate, ErrProcessed and ErrBlocked included) nothing is written
// and the error names the failing one; the caller then records them one by
// one with RecordInbound, so that one bad mail does not hold back the
// others. Attachment bytes stored outside the database are staged first.
func (db *DB) RecordInboundBatch(ctx context.Context, ds []*Incoming) ([]*Recorded, error) {
	keys := make([][]string, len(ds))
	for i, d := range ds {
		k, err := db.stageFiles(ctx, d.Attachments)
		if err != nil {
			return nil, err
		}
		keys[i] = k
	}
	outs := make([]*Recorded, len(ds))
	err := db.InTx(ctx, func(tx *Tx) error {
		for i, d := range ds {
			outs[i] = &Recorded{}
			if err := tx.deliver(ctx, d, keys[i], outs[i]); err != nil {
				return fmt.Errorf("store: batch delivery %d of %d: %w", i+1, len(ds), err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return outs, nil
}
