package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"

	"github.com/jmoiron/sqlx"
)

// Erased is what an erasure removed, in counts only.
type Erased struct {
	UserID      int64
	Already     bool // the person had been erased before: nothing left to do
	Tickets     int  // tickets kept as records, their subjects and contents scrubbed
	Messages    int  // messages the person wrote, emptied
	Attachments int  // files removed, with their bytes
	RawMails    int  // raw inbound mails removed, with their bytes

	// late are the blob keys of the rows the transaction deleted: a file or
	// mail that arrived after the bytes were deleted has its bytes deleted
	// after the commit.
	late []string
}

// EraseOpts says who erases and whether the address may come back.
type EraseOpts struct {
	ActorID int64 // 0: the system, or the person themselves through a confirmed link
	// Block puts a hash of the address on the do-not-recreate list: mail
	// from it is then dropped and it cannot sign up again.
	Block bool
}

// erasedText replaces personal text that is kept as a record.
const erasedText = "[erased]"

// ErasedName is how an erased person appears.
const ErasedName = "Erased user"

// BlockHash is how an address is kept on the do-not-recreate list.
func BlockHash(email string) string {
	sum := sha256.Sum256([]byte("dargo-blocked:" + NormalizeEmail(email)))
	return hex.EncodeToString(sum[:])
}

// IsBlocked reports whether the address asked never to be recreated.
func (db *DB) IsBlocked(ctx context.Context, email string) (bool, error) {
	return db.isBlocked(ctx, db.X, email)
}

func (db *DB) isBlocked(ctx context.Context, q sqlx.QueryerContext, email string) (bool, error) {
	var n int
	if err := sqlx.GetContext(ctx, q, &n, db.q(`SELECT COUNT(*) FROM blocked_addresses WHERE hash = ?`), BlockHash(email)); err != nil {
		return false, fmt.Errorf("store: is blocked: %w", err)
	}
	return n > 0, nil
}

// Erase removes or irreversibly anonymizes everything personal about the
// user: address, name, sessions, login records and IP addresses, the
// messages and files they wrote, raw mail from them, mails to them, and
// their name and address wherever others' messages on their tickets quote
// them. Tickets stay as records, shown as "Erased user". It is idempotent;
// the audit entry names the user by id only.
func (db *DB) Erase(ctx context.Context, userID int64, o EraseOpts) (*Erased, error) {
	u, err := db.UserByID(ctx, userID)
	if err != nil {
		return nil, err
	}
	if u.MergedInto != nil { // a merged record's address is the person's
		if u, err = db.UserByID(ctx, *u.MergedInto); err != nil {
			return nil, err
		}
	}
	if u.Role != RoleCustomer {
		return nil, fmt.Errorf("%w: %s is %s; take the role away first (dargo staff remove)", ErrInvalidChange, u.Email, u.Role)
	}
	out, err := db.eraseOne(ctx, u, o)
	if err != nil {
		return nil, err
	}
	// The records merged into the person (their other addresses) go too.
	var merged []User
	if err := db.X.SelectContext(ctx, &merged, db.q(`SELECT * FROM users WHERE merged_into = ? AND erased_at IS NULL ORDER BY id`), u.ID); err != nil {
		return nil, fmt.Errorf("store: erase: %w", err)
	}
	for i := range merged {
		if _, err := db.eraseOne(ctx, &merged[i], o); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// eraseOne erases one user row (Erase, for a person and each record merged
// into them).
func (db *DB) eraseOne(ctx context.Context, u *User, o EraseOpts) (*Erased, error) {
	out := &Erased{UserID: u.ID}
	if u.ErasedAt != nil {
		out.Already = true
		return out, nil
	}
	// Bytes first: if the transaction then fails, a retry finds the rows
	// again and nothing personal is left behind in a blob store.
	keys, err := db.eraseBlobKeys(ctx, u)
	if err != nil {
		return nil, err
	}
	for _, k := range keys {
		if err := db.Blobs.Delete(ctx, k); err != nil {
			return nil, fmt.Errorf("store: erase blob: %w", err)
		}
	}
	err = db.inTxRetry(ctx, func(tx *Tx) error { return tx.erase(ctx, u, o, out) })
	if err != nil {
		return nil, fmt.Errorf("store: erase: %w", err)
	}
	for _, k := range out.late {
		if k == "" || slices.Contains(keys, k) {
			continue
		}
		var refs int
		if err := db.X.GetContext(ctx, &refs, db.q(`SELECT (SELECT COUNT(*) FROM attachments WHERE blob_key = ?) + (SELECT COUNT(*) FROM inbound_mail WHERE blob_key = ?)`), k, k); err != nil {
			return nil, fmt.Errorf("store: erase: %w", err)
		}
		if refs == 0 {
			if err := db.Blobs.Delete(ctx, k); err != nil {
				return nil, fmt.Errorf("store: erase blob: %w", err)
			}
		}
	}
	return out, nil
}

// eraseBlobKeys lists the blobs that hold the person's data: files of the
// messages they wrote (their mail, and mail held as a note in their name)
// and of every message on their tickets, and raw mail
// from them or on their tickets.
func (db *DB) eraseBlobKeys(ctx context.Context, u *User) ([]string, error) {
	var keys []string
	err := db.X.SelectContext(ctx, &keys, db.q(`
		SELECT a.blob_key FROM attachments a JOIN messages m ON m.id = a.message_id
			WHERE (m.author_id = ? AND (m.kind = 'inbound' OR m.kind = 'note' AND (m.flag = 'held' OR m.forward_id IS NOT NULL))) OR m.ticket_id IN (SELECT id FROM tickets WHERE customer_id = ?)
		UNION SELECT i.blob_key FROM inbound_mail i
			WHERE LOWER(i.sender) = ? OR i.id IN (SELECT inbound_mail_id FROM messages
				WHERE inbound_mail_id IS NOT NULL AND (author_id = ? OR ticket_id IN (SELECT id FROM tickets WHERE customer_id = ?)))`),
		u.ID, u.ID, u.Email, u.ID, u.ID)
	if err != nil {
		return nil, fmt.Errorf("store: erase: list blobs: %w", err)
	}
	if len(keys) == 0 {
		return nil, nil
	}
	// Blobs are stored once per content: bytes that someone else's file or
	// mail holds too stay for them.
	q, args, err := sqlx.In(`
		SELECT a.blob_key FROM attachments a JOIN messages m ON m.id = a.message_id
			WHERE a.blob_key IN (?) AND NOT ((m.author_id = ? AND (m.kind = 'inbound' OR m.kind = 'note' AND (m.flag = 'held' OR m.forward_id IS NOT NULL))) OR m.ticket_id IN (SELECT id FROM tickets WHERE customer_id = ?))
		UNION SELECT i.blob_key FROM inbound_mail i
			WHERE i.blob_key IN (?) AND LOWER(i.sender) <> ? AND i.id NOT IN (SELECT inbound_mail_id FROM messages
				WHERE inbound_mail_id IS NOT NULL AND (author_id = ? OR ticket_id IN (SELECT id FROM tickets WHERE customer_id = ?)))`,
		keys, u.ID, u.ID, keys, u.Email, u.ID, u.ID)
	if err != nil {
		return nil, fmt.Errorf("store: erase: %w", err)
	}
	var shared []string
	if err := db.X.SelectContext(ctx, &shared, db.q(q), args...); err != nil {
		return nil, fmt.Errorf("store: erase: shared blobs: %w", err)
	}
	var out []string
	for _, k := range keys {
		if k != "" && !slices.Contains(shared, k) {
			out = append(out, k)
		}
	}
	return out, nil
}

func (tx *Tx) erase(ctx context.Context, u *User, o EraseOpts, out *Erased) error {
	now := tx.db.Now()
	exec := func(query string, args ...any) (int, error) {
		res, err := tx.ExecContext(ctx, tx.q(query), args...)
		if err != nil {
			return 0, err
		}
		n, _ := res.RowsAffected()
		return int(n), nil
	}
	var ticketIDs []int64
	if err := tx.SelectContext(ctx, &ticketIDs, tx.q(`SELECT id FROM tickets WHERE customer_id = ?`), u.ID); err != nil {
		return err
	}
	out.Tickets = len(ticketIDs)
	// Their own words, wherever they wrote them as a customer: their mail,
	// and mail to a staff address held as a note in their name (FlagHeld).
	// What a former staff member wrote as staff is the desk's record and stays.
	var err error
	if out.Messages, err = exec(`UPDATE messages SET subject = '', text = '', visible_text = '', html = ''
		WHERE author_id = ? AND (kind = 'inbound' OR kind = 'note' AND (flag = 'held' OR forward_id IS NOT NULL))`, u.ID); err != nil {
		return err
	}
	// A third party's answers to forwards are theirs too (above), and so is
	// the address a forward went to.
	if _, err := exec(`UPDATE forwards SET to_email = '' WHERE to_email = ?`, u.Email); err != nil {
		return err
	}
	// Others' messages on their tickets: the subject is theirs, and a reply
	// may greet them by name or quote their address.
	addrs, err := tx.addresses(ctx, u)
	if err != nil {
		return err
	}
	if err := tx.scrubMentions(ctx, u, addrs); err != nil {
		return err
	}
	// The rows of every ticket whose text was blanked or scrubbed.
	if err := tx.db.refreshRows(ctx, tx, `t.id IN (SELECT ticket_id FROM participants WHERE user_id = ?)
		OR t.id IN (SELECT ticket_id FROM messages WHERE author_id = ?)`, u.ID, u.ID); err != nil {
		return err
	}
	if _, err := exec(`UPDATE tickets SET subject = ?, updated_at = ? WHERE customer_id = ?`, erasedText, now, u.ID); err != nil {
		return err
	}
	out.late = nil
	if err := tx.SelectContext(ctx, &out.late, tx.q(`SELECT blob_key FROM attachments WHERE message_id IN (SELECT id FROM messages
		WHERE (author_id = ? AND (kind = 'inbound' OR kind = 'note' AND (flag = 'held' OR forward_id IS NOT NULL))) OR ticket_id IN (SELECT id FROM tickets WHERE customer_id = ?))`), u.ID, u.ID); err != nil {
		return err
	}
	if out.Attachments, err = exec(`DELETE FROM attachments WHERE message_id IN (SELECT id FROM messages
		WHERE (author_id = ? AND (kind = 'inbound' OR kind = 'note' AND (flag = 'held' OR forward_id IS NOT NULL))) OR ticket_id IN (SELECT id FROM tickets WHERE customer_id = ?))`, u.ID, u.ID); err != nil {
		return err
	}
	// Raw mail from them, or on their tickets.
	raw := `SELECT id FROM inbound_mail WHERE LOWER(sender) = ? OR id IN (SELECT inbound_mail_id FROM messages
		WHERE inbound_mail_id IS NOT NULL AND (author_id = ? OR ticket_id IN (SELECT id FROM tickets WHERE customer_id = ?)))`
	var rawIDs []int64
	if err := tx.SelectContext(ctx, &rawIDs, tx.q(raw), u.Email, u.ID, u.ID); err != nil {
		return err
	}
	if len(rawIDs) > 0 {
		q, args, err := sqlx.In(`SELECT blob_key FROM inbound_mail WHERE id IN (?)`, rawIDs)
		if err != nil {
			return err
		}
		var rawKeys []string
		if err := tx.SelectContext(ctx, &rawKeys, tx.q(q), args...); err != nil {
			return err
		}
		out.late = append(out.late, rawKeys...)
		for _, stmt := range []string{`UPDATE messages SET inbound_mail_id = NULL WHERE inbound_mail_id IN (?)`, `DELETE FROM inbound_mail WHERE id IN (?)`} {
			q, args, err := sqlx.In(stmt, rawIDs)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, tx.q(q), args...); err != nil {
				return err
			}
		}
	}
	out.RawMails = len(rawIDs)
	if _, err := tx.eraseUsage(ctx, u.ID); err != nil {
		return err
	}
	// Mail to them: the record stays (kind, status, when), not the address
	// or subject; what has not gone out yet never will.
	steps := []struct {
		query string
		args  []any
	}{
		{`DELETE FROM outbox WHERE relayed_at IS NULL AND email_id IN (SELECT id FROM emails WHERE to_email = ? OR user_id = ?)`, []any{u.Email, u.ID}},
		{`UPDATE emails SET status = CASE WHEN status = 'queued' THEN 'failed' ELSE status END, reason = CASE WHEN status = 'queued' THEN 'erased' ELSE '' END,
			to_email = '', subject = '' WHERE to_email = ? OR user_id = ?`, []any{u.Email, u.ID}},
		{`UPDATE emails SET subject = '' WHERE ticket_id IN (SELECT id FROM tickets WHERE customer_id = ?)`, []any{u.ID}},
		{`DELETE FROM sessions WHERE user_id = ?`, []any{u.ID}},
		{`DELETE FROM logins WHERE user_id = ?`, []any{u.ID}},
		{`DELETE FROM user_choices WHERE user_id = ?`, []any{u.ID}}, // an erased person gets no mail at all
		{`DELETE FROM login_tokens WHERE email = ? OR user_id = ?`, []any{u.Email, u.ID}},
		{`DELETE FROM suppressions WHERE email = ?`, []any{u.Email}},
		{`DELETE FROM policy_dismissals WHERE user_id = ?`, []any{u.ID}},
		{`DELETE FROM staff_profiles WHERE user_id = ?`, []any{u.ID}},
		{`DELETE FROM drafts WHERE user_id = ?`, []any{u.ID}},
		// A rating stays for the reports, as the ticket does; its comment is their words.
		{`UPDATE ratings SET comment = '' WHERE user_id = ?`, []any{u.ID}},
		// Staged files' bytes may live in an object store, outside this
		// transaction: aged past DraftsKept, the next sweep deletes them.
		{`UPDATE staged_files SET filename = 'file', created_at = ? WHERE user_id = ?`, []any{now.Add(-2 * DraftsKept), u.ID}},
		{`UPDATE users SET email = ?, name = '', language = '', role = 'customer', erased_at = ?, updated_at = ? WHERE id = ?`,
			[]any{fmt.Sprintf("erased-%d@erased.invalid", u.ID), now, now, u.ID}},
	}
	for _, a := range addrs {
		steps = append(steps, struct {
			query string
			args  []any
		}{`DELETE FROM dev_mail WHERE recipients LIKE ?`, []any{"%" + a + "%"}}, struct {
			query string
			args  []any
		}{`DELETE FROM cc_suggestions WHERE email = ?`, []any{a}})
	}
	for _, st := range steps {
		if _, err := exec(st.query, st.args...); err != nil {
			return err
		}
	}
	if o.Block {
		if _, err := exec(`INSERT INTO blocked_addresses (hash, created_at) VALUES (?, ?) ON CONFLICT (hash) DO NOTHING`, BlockHash(u.Email), now); err != nil {
			return err
		}
	}
	return tx.Audit(ctx, Audit{ActorID: o.ActorID, Action: AuditErase, UserID: u.ID,
		Detail: map[string]any{"tickets": out.Tickets, "messages": out.Messages, "attachments": out.Attachments, "raw_mails": out.RawMails, "blocked": o.Block}})
}

// scrubMentions replaces the person's addresses and full name in others'
// messages on every ticket they took part in (see scrubber for what is and
// is not replaced), and on their own tickets the messages' subjects (which
// are theirs).
func (tx *Tx) scrubMentions(ctx context.Context, u *User, addrs []string) error {
	var msgs []struct {
		Message
		Theirs bool `db:"theirs"`
	}
	err := tx.SelectContext(ctx, &msgs, tx.q(`SELECT m.*, CASE WHEN t.customer_id = ? THEN 1 ELSE 0 END AS theirs
		FROM messages m JOIN tickets t ON t.id = m.ticket_id
		WHERE m.ticket_id IN (SELECT ticket_id FROM participants WHERE user_id = ?) AND (m.author_id IS NULL OR m.author_id <> ?)`),
		u.ID, u.ID, u.ID)
	if err != nil {
		return err
	}
	s := newScrubber(addrs, u.Name)
	for _, m := range msgs {
		subject := s.text(m.Subject)
		if m.Theirs {
			subject = erasedText
		}
		text, visible, html := s.text(m.Text), s.text(m.VisibleText), s.html(m.HTML)
		if subject == m.Subject && text == m.Text && visible == m.VisibleText && html == m.HTML {
			continue
		}
		_, err := tx.ExecContext(ctx, tx.q(`UPDATE messages SET subject = ?, text = ?, visible_text = ?, html = ? WHERE id = ?`),
			subject, text, visible, html, m.ID)
		if err != nil {
			return err
		}
	}
	return nil
}

// addresses lists the addresses the user had: the current one, and those
// an address change moved them from (its notice and undo link went there).
// Addresses a change link was merely mailed to are not among them: they may
// be anybody's.
func (tx *Tx) addresses(ctx context.Context, u *User) ([]string, error) {
	var out []string
	err := tx.SelectContext(ctx, &out, tx.q(`SELECT to_email FROM emails WHERE user_id = ? AND kind = ? AND subject = ? AND to_email <> ''
		UNION SELECT email FROM login_tokens WHERE user_id = ? AND purpose = ?`),
		u.ID, EmailMagicLink, AddressChangedSubject, u.ID, PurposeEmailUndo)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(out, u.Email) {
		out = append(out, u.Email)
	}
	return out, nil
}

// ForgetInboundMail deletes a raw mail's bytes and who sent it, keeping only
// that a mail came and what was done with it.
func (db *DB) ForgetInboundMail(ctx context.Context, id int64) error {
	m, err := db.InboundMail(ctx, id)
	if err != nil {
		return err
	}
	if m.BlobKey != "" {
		if err := db.Blobs.Delete(ctx, m.BlobKey); err != nil {
			return fmt.Errorf("store: forget inbound mail: %w", err)
		}
	}
	if _, err := db.X.ExecContext(ctx, db.q(`UPDATE inbound_mail SET sender = '', recipients = '', blob_key = '' WHERE id = ?`), id); err != nil {
		return fmt.Errorf("store: forget inbound mail: %w", err)
	}
	return nil
}

// Block puts the address on the do-not-recreate list (idempotent).
// Links already mailed to the address die with it.
func (db *DB) Block(ctx context.Context, email string) error {
	err := db.InTx(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, tx.q(`INSERT INTO blocked_addresses (hash, created_at) VALUES (?, ?) ON CONFLICT (hash) DO NOTHING`),
			BlockHash(email), db.Now()); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, tx.q(`DELETE FROM login_tokens WHERE email = ?`), NormalizeEmail(email))
		return err
	})
	if err != nil {
		return fmt.Errorf("store: block: %w", err)
	}
	return nil
}
