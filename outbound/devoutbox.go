package outbound

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-message/textproto"

	"github.com/dargo-support/dargo/store"
)

// DevMailStore keeps the mails the dev outbox captures.
type DevMailStore interface {
	SaveDevMail(ctx context.Context, m *store.DevMail) (int64, error)
}

// DevOutbox is the sender of `dargo dev`: it stores each mail for /dev/mail
// instead of sending it.
type DevOutbox struct {
	db DevMailStore
}

// NewDevOutbox returns a dev outbox that stores into db.
func NewDevOutbox(db DevMailStore) *DevOutbox { return &DevOutbox{db: db} }

// Send stores raw and returns "dev-<id>" as the message id.
func (d *DevOutbox) Send(ctx context.Context, from string, to []string, raw []byte) (string, error) {
	id, err := d.db.SaveDevMail(ctx, &store.DevMail{
		Sender:     from,
		Recipients: strings.Join(to, ", "),
		Subject:    rawSubject(raw),
		Raw:        raw,
	})
	if err != nil {
		return "", fmt.Errorf("outbound: dev outbox: %w", err)
	}
	return "dev-" + strconv.FormatInt(id, 10), nil
}

// rawSubject reads the decoded Subject from raw's header, "" when it has none.
func rawSubject(raw []byte) string {
	th, err := textproto.ReadHeader(bufio.NewReader(bytes.NewReader(raw)))
	if err != nil && th.Len() == 0 {
		return ""
	}
	h := mail.Header{Header: message.Header{Header: th}}
	s, _ := h.Subject()
	return cleanHeaderText(s, maxSubject)
}
