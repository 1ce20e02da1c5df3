package main

import (
	"context"
	"fmt"
	"slices"

	"github.com/dargo-support/dargo/inbound/transport"

	"github.com/dargo-support/dargo/inbound"
	"github.com/dargo-support/dargo/internal/replyaddr"
	"github.com/dargo-support/dargo/internal/s3blob"
	"github.com/dargo-support/dargo/store"
	"github.com/dargo-support/dargo/web"
)

// openDB opens the configured database, with blobs in S3 when
// DARGO_BLOB_BUCKET is set, and, when asked, brings its schema up to date.
func openDB(ctx context.Context, env *Env, migrate bool) (*store.DB, error) {
	db, err := store.Open(ctx, env.Config.DatabaseURL)
	if err != nil {
		return nil, err
	}
	db.NoticeWait = env.Config.NoticeWait
	db.Lifecycle = env.Config.Lifecycle
	if env.Config.Zone != nil {
		db.Zone = env.Config.Zone
	}
	if bucket := env.Config.BlobBucket; bucket != "" {
		blobs, err := s3blob.FromEnv(ctx, bucket, env.Config.BlobKMSKey)
		if err != nil {
			db.Close()
			return nil, fmt.Errorf("DARGO_BLOB_BUCKET: %w", err)
		}
		db.Blobs = blobs
	}
	if migrate {
		if _, err := db.Migrate(ctx); err != nil {
			db.Close()
			return nil, err
		}
	}
	return db, nil
}

func newPipeline(db *store.DB, env *Env) *inbound.Pipeline {
	c := env.Config
	maxCc := c.MaxCc
	if maxCc == 0 {
		maxCc = -1 // DARGO_MAX_CC=0: every Cc waits for staff
	}
	return inbound.NewPipeline(db, inbound.Opts{
		MailDomain:   c.MailDomain,
		Secret:       c.Secret,
		Categories:   c.Categories,
		MaxMailBytes: c.MaxMailBytes,
		AutoCap:      c.AutoMailCap,
		AutoWindow:   AutoWindow,
		SpamPolicy:   c.SpamPolicy,
		MaxCc:        maxCc,
		Logger:       env.Log,

		TrustedAuthServIDs: c.TrustedAuthServIDs,
		SNSTopicARNs:       c.SNSTopicARNs,
	})
}

// replyTo gives the reply address of a ticket number.
func (c *Config) replyTo(number int64) string {
	return replyaddr.Addr(c.Secret, "support", c.MailDomain, number)
}

// staffReplyTo gives the reply address of a staff notice: signed for the
// ticket number and the staff member it went to.
func (c *Config) staffReplyTo(number, staffID int64) string {
	return replyaddr.StaffAddr(c.Secret, "support", c.MailDomain, number, staffID)
}

// forwardReplyTo gives the reply address of a forward to a third party:
// signed for the ticket number and the forward.
func (c *Config) forwardReplyTo(number, forwardID int64) string {
	return replyaddr.ForwardAddr(c.Secret, "support", c.MailDomain, number, forwardID)
}

// categoryNames are the categories tickets can have: "general", "privacy"
// (requests about personal data, due in 30 days) and the names in
// DARGO_CATEGORIES, sorted.
func (c *Config) categoryNames() []string {
	names := []string{"general", "privacy"}
	for _, name := range c.Categories {
		if !slices.Contains(names, name) {
			names = append(names, name)
		}
	}
	slices.Sort(names[1:])
	return names
}

// The transport feeds the pipeline through its own Ingester interface.
var _ transport.Ingester = (*inbound.Pipeline)(nil)

// heldReleaser lets /admin/held release held mail through the pipeline; web
// sees only the action and the ticket, not the pipeline.
func heldReleaser(p *inbound.Pipeline) web.HeldReleaser {
	return func(ctx context.Context, id int64, raw []byte, rec *store.InboundMail) (string, *int64, error) {
		res, err := p.Release(ctx, id, raw, rec)
		return res.Action, res.Ticket, err
	}
}
