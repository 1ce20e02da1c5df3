package store

import (
	"context"
	"fmt"
	"time"
)

// queueEmailOneStatement is PostgreSQL's one statement for a queued mail's
// emails row and its outbox row (the payload outboxPayload makes for a mail
// without a sealed part).
func (tx *Tx) queueEmailOneStatement(ctx context.Context, e QueuedEmail, to, reason string, action *int64, now time.Time) (int64, error) {
	var notBefore *time.Time
	if !e.NotBefore.IsZero() {
		notBefore = &e.NotBefore
	}
	var id int64
	err := tx.QueryRowxContext(ctx, `WITH e AS (
			INSERT INTO emails (user_id, to_email, kind, ticket_id, message_id, subject, status, auto, reason, created_at, action_id, announces)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $13, $9, $10, $11) RETURNING id),
		o AS (
			INSERT INTO outbox (kind, email_id, payload, created_at, not_before)
			SELECT $3, e.id, '{"email_id":' || e.id || '}', $9, $12 FROM e)
		SELECT id FROM e`,
		e.UserID, to, e.Kind, e.TicketID, e.MessageID, e.Subject, EmailQueued, e.Auto, now, action, e.Announces, notBefore, reason).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("store: queue email: %w", err)
	}
	return id, nil
}
