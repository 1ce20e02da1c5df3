package inbound

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/emersion/go-msgauth/authres"

	"github.com/dargo-support/dargo/inbound/mailparse"
	"github.com/dargo-support/dargo/internal/replyaddr"
	"github.com/dargo-support/dargo/store"
)

// StaffStore is what answers by mail need from the database.
type StaffStore interface {
	UserByID(ctx context.Context, id int64) (*store.User, error)
	StaffProfile(ctx context.Context, userID int64) (*store.StaffProfile, error)
	Mentionables(ctx context.Context) ([]store.Mentionable, error)
	StaffMailCounts(ctx context.Context, staffID int64, within time.Duration) (own, held int, err error)
	RecordStaffMail(ctx context.Context, m store.StaffMail) (*store.Recorded, error)
	QueueDigestAnswerNotice(ctx context.Context, staffID int64, subject string) (bool, error)
}

var _ StaffStore = (*store.DB)(nil)

// The loop guard: more answers by mail than StaffMailCap to one staff
// member's reply addresses within StaffMailWindow are held, so two
// mailboxes' auto-replies that slip past autoReason cannot feed each other;
// past twice the cap they are only stored (no note, no notice), which ends
// the loop the held notices would otherwise keep going.
const (
	StaffMailCap    = 20
	StaffMailWindow = 10 * time.Minute
)

// staffAddress finds a staff reply address among the recipients.
func (p *Pipeline) staffAddress(m *Mail, env Envelope) (number, staffID int64, ok bool) {
	for _, addr := range p.recipients(m, env) {
		if n, id, ok := replyaddr.ParseStaff(p.opts.Secret, p.opts.MailDomain, addr); ok {
			return n, id, true
		}
	}
	return 0, 0, false
}

// staffMail handles a mail to the reply address of a notice sent to
// staffID about ticket number: a staff member answering by mail. It is
// acted on only when its sender is verified and is that staff member, and
// its commands are understood; else it is held on the ticket as a note and
// the staff member is told why. Automatic replies are ignored.
func (p *Pipeline) staffMail(ctx context.Context, rec *store.InboundMail, m *Mail, env Envelope, released bool, number, staffID int64) (Result, error) {
	if auto := staffAutoReason(m); auto != "" {
		return p.finish(ctx, rec, store.ActionIgnored, fmt.Sprintf("automatic reply from a staff mailbox (%s) to a notice about #%d: not recorded, nothing sent", auto, number))
	}
	if number == 0 {
		// A digest lists several tickets: an answer to it cannot say which
		// one it is for. The digest says so above its list, and the staff
		// member is told (at most once an hour, so no loop can grow).
		res, err := p.finish(ctx, rec, store.ActionIgnored, "an answer to a digest of several tickets names no ticket: not recorded, nothing sent (answer a ticket's own notice, or in the inbox)")
		if err != nil {
			return res, err
		}
		if _, err := p.store.QueueDigestAnswerNotice(ctx, staffID, mailparse.CleanSubject(m.Subject)); err != nil && !errors.Is(err, store.ErrNotFound) {
			p.log.WarnContext(ctx, "digest answer notice not queued", "inbound_mail", rec.ID, "err", err)
		}
		return res, nil
	}
	t, err := p.ticketByNumber(ctx, number)
	if errors.Is(err, store.ErrNotFound) {
		return p.finish(ctx, rec, store.ActionIgnored, fmt.Sprintf("staff reply address names ticket #%d, which does not exist", number))
	}
	if err != nil {
		return Result{}, fmt.Errorf("inbound: staff mail: %w", err)
	}
	staff, err := p.store.UserByID(ctx, staffID)
	if errors.Is(err, store.ErrNotFound) {
		return p.finish(ctx, rec, store.ActionIgnored, fmt.Sprintf("staff reply address names user %d, who does not exist", staffID))
	}
	if err != nil {
		return Result{}, fmt.Errorf("inbound: staff mail: %w", err)
	}
	from := m.From.Email
	if p.ours(from) && !strings.EqualFold(from, staff.Email) {
		return p.finish(ctx, rec, store.ActionIgnored, "mail from our own address "+from+" to a staff reply address (loop)")
	}
	own, heldRecently, err := p.store.StaffMailCounts(ctx, staffID, StaffMailWindow)
	if err != nil {
		return Result{}, fmt.Errorf("inbound: staff mail: %w", err)
	}
	sender, held := p.checkStaff(m, env, staff, released)
	proven := held == ""
	if !proven && heldRecently >= 2*StaffMailCap {
		// A flood of mail nobody proved: kept raw only, so that the held
		// notices it would cause cannot feed a loop. The staff member's own
		// proven answers never end here: junk cannot silence them.
		return p.finish(ctx, rec, store.ActionIgnored, fmt.Sprintf("mail loop: %d unproven answers held for %s within %d minutes; stored only", heldRecently, staff.Email, int(StaffMailWindow.Minutes())))
	}
	if proven && own >= StaffMailCap {
		held = fmt.Sprintf("more than %d answers by mail from %s within %d minutes (a mail loop?)", StaffMailCap, staff.Email, int(StaffMailWindow.Minutes()))
	}
	visible := m.VisibleText
	if visible == "" {
		// Nothing but quotes: the whole text goes on, for the quote check
		// below to hold it instead of acting on an empty answer.
		visible = m.Text
	}
	cmds, reply, cerr := ParseCommands(visible) // only ever a *CommandError
	if cerr != nil && held == "" {
		held = cerr.Error()
	}
	prof, err := p.store.StaffProfile(ctx, staffID)
	if err != nil {
		return Result{}, fmt.Errorf("inbound: staff mail: %w", err)
	}
	var assignee *int64
	if held == "" {
		if assignee, held, err = p.assignee(ctx, staffID, cmds.Assign); err != nil {
			return Result{}, err
		}
	}
	reply = mailparse.StripSignature(reply, prof.Signature)
	if q := quotesNotice(reply); q != "" && held == "" {
		// A notice may quote internal notes and lists who is on the ticket:
		// none of it may reach the customer. An answer below the quote, or
		// between its lines, is held for its writer to send from the inbox.
		held = "the answer " + q + ", which may hold internal notes: nothing was sent; write your answer above the quoted notice"
	}
	sm := store.StaffMail{
		InboundMailID: rec.ID, TicketID: t.ID, StaffID: staffID,
		From:      store.Person{Email: from, Name: m.From.Name},
		MessageID: m.MessageID, Subject: m.Subject, Text: m.Text, HTML: m.SafeHTML(),
		Reply:      reply,
		SenderAuth: sender.auth, SenderAuthReason: sender.why,
		Held: held,
	}
	for _, a := range m.Attachments {
		sm.Attachments = append(sm.Attachments, store.NewAttachment{
			Filename: a.Filename, ContentType: a.ContentType, ContentID: a.ContentID, Inline: a.Inline, Data: a.Data})
	}
	if held != "" {
		sm.Reason = "held for staff: " + held
	} else {
		sm.Note, sm.Status, sm.Priority, sm.Assignee, sm.Commands = cmds.Note, cmds.Status, cmds.Priority, assignee, cmds.Written
		sm.Reason = "answer by mail from staff " + staff.Email
		if list := cmds.List(); len(list) > 0 {
			sm.Reason += " (commands: " + strings.Join(list, ", ") + ")"
		}
	}
	out, err := p.store.RecordStaffMail(ctx, sm)
	if errors.Is(err, store.ErrProcessed) {
		return p.lostRace(ctx, rec.ID)
	}
	if errors.Is(err, store.ErrDuplicate) {
		return p.finish(ctx, rec, store.ActionDuplicate, "Message-ID <"+m.MessageID+"> seen before")
	}
	if err != nil {
		return Result{}, fmt.Errorf("inbound: staff mail: %w", err)
	}
	res := Result{Action: store.ActionAppended, Ticket: &out.TicketNumber, Reason: sm.Reason}
	if out.MessageID != 0 {
		res.Message = &out.MessageID
	}
	return res, nil
}

// assignee resolves #assign's "me" or handle to a staff member's id; it
// returns why the mail must be held instead when the name fits nobody or
// several people.
func (p *Pipeline) assignee(ctx context.Context, staffID int64, who string) (*int64, string, error) {
	switch who {
	case "":
		return nil, "", nil
	case "me":
		return &staffID, "", nil
	}
	staff, err := p.store.Mentionables(ctx)
	if err != nil {
		return nil, "", fmt.Errorf("inbound: staff mail: %w", err)
	}
	named := store.ResolveMentions("@"+who, staff)
	if len(named) != 1 {
		return nil, fmt.Sprintf("#assign @%s names no single staff member: nothing was sent", who), nil
	}
	return &named[0].ID, "", nil
}

// checkStaff decides whether an answer by mail is the staff member's own:
// they are still staff, the From is exactly their address, and SES's
// verdicts or a trusted Authentication-Results field prove it. Unlike
// checkSender, sending to the reply address proves nothing here: the
// address travels in every notice, and a notice can be forwarded. It
// returns the sender check and why the mail must be held ("" when not).
func (p *Pipeline) checkStaff(m *Mail, env Envelope, staff *store.User, released bool) (senderCheck, string) {
	from := m.From.Email
	domain := domainOf(from)
	if staff.ErasedAt != nil || (staff.Role != store.RoleStaff && staff.Role != store.RoleAdmin) {
		name := staff.Email
		if staff.ErasedAt != nil {
			name = fmt.Sprintf("user %d (erased)", staff.ID)
		}
		return unverified("not staff"), name + " is no longer staff"
	}
	if m.FromAmbiguous != "" {
		why := "not verified: " + m.FromAmbiguous
		return unverified(m.FromAmbiguous), why
	}
	if !strings.EqualFold(from, staff.Email) {
		return unverified("not the staff member's address"), fmt.Sprintf("sent from %s, not from %s, whose reply address it came to", from, staff.Email)
	}
	if strings.EqualFold(env.Verdicts.Spam, "FAIL") && !released {
		return unverified("SES spam verdict FAIL"), "SES spam verdict FAIL"
	}
	if strings.EqualFold(env.Verdicts.DMARC, "FAIL") {
		why := "DMARC failed for " + domain + " (SES)"
		return unverified(why), "not verified: " + why
	}
	if id, ok := p.trustedDMARCFail(m); ok {
		why := "DMARC failed for " + domain + " (" + id + ")"
		return unverified(why), "not verified: " + why
	}
	if c, ok := sesVerdicts(m, env, domain); ok {
		return c, ""
	}
	if c, ok := p.trustedResults(m, domain); ok {
		return c, ""
	}
	why := "no DKIM or SPF pass aligned with " + domain
	return unverified(why), "not verified: " + why
}

// trustedDMARCFail reports a dmarc=fail in the topmost Authentication-Results
// field of a trusted authserv-id, and that id.
func (p *Pipeline) trustedDMARCFail(m *Mail) (string, bool) {
	for _, field := range m.Header["Authentication-Results"] {
		id, results, err := authres.Parse(field)
		if err != nil || !p.trustedID(id) {
			continue
		}
		for _, r := range results {
			if r, ok := r.(*authres.DMARCResult); ok && r.Value == authres.ResultFail {
				return id, true
			}
		}
		return "", false
	}
	return "", false
}

// staffAutoReason is autoReason, and the subjects of out-of-office replies
// whose senders add none of its headers. A staff mailbox's reply to a notice
// is never a customer's only mail, so reading the subject costs nothing.
func staffAutoReason(m *Mail) string {
	if why := autoReason(m); why != "" {
		return why
	}
	if outOfOffice.MatchString(m.Subject) {
		return "out-of-office subject"
	}
	return ""
}

var outOfOffice = regexp.MustCompile(`(?i)^\s*(out of (the )?office|automatic reply|auto[- ]?reply|autoreply|abwesenheitsnotiz|automatische antwort|réponse automatique|absence du bureau|respuesta automática|fuera de la oficina|risposta automatica|fuori sede|autosvar|automatisch antwoord|afwezig)\b`)

// noticeMarks are lines of a staff notice that no answer of its own holds.
var noticeMarks = []string{"Reply to this mail to answer the customer", "Change which notices you get", "On this ticket:",
	"an answer to this digest is not recorded"}

// quotesNotice says how an answer's text quotes the notice it answers
// ("quotes lines with >", "holds the notice's text"), or "" when it does not.
func quotesNotice(text string) string {
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(strings.TrimLeft(line, " \t"), ">") {
			return "quotes lines with >"
		}
	}
	for _, mark := range noticeMarks {
		if strings.Contains(text, mark) {
			return "holds the notice's own text"
		}
	}
	return ""
}

// participantOnStaffAddress reports whether the mail's From takes part in
// ticket number as a customer or Cc (staff never do): then it is their
// mail to the ticket, whatever address of ours it went to.
func (p *Pipeline) participantOnStaffAddress(ctx context.Context, m *Mail, number int64) (bool, error) {
	if number == 0 || m.FromAmbiguous != "" || m.From.Email == "" {
		return false, nil
	}
	t, err := p.ticketByNumber(ctx, number)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("inbound: staff mail: %w", err)
	}
	in, err := p.store.IsParticipant(ctx, t.ID, m.From.Email)
	if err != nil {
		return false, fmt.Errorf("inbound: staff mail: %w", err)
	}
	return in, nil
}
