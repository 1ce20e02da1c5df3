package transport

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"time"

	"github.com/dargo-support/dargo/inbound/mailparse"
	"github.com/emersion/go-smtp"
)

// SMTPServer accepts mail over SMTP (the dev listener, or behind a local
// MTA) and feeds it through the same pipeline as SES mail. It accepts any
// recipient: routing decides what a mail is for.
type SMTPServer struct {
	srv *smtp.Server
}

// NewSMTPServer returns a server feeding p. Mail up to twice maxBytes is
// taken in and stored (and quarantined if over maxBytes); beyond that the
// client is refused, as a real MTA would. A failed ingest is logged to log
// (nil: slog.Default()).
func NewSMTPServer(p Ingester, domain string, maxBytes int64, log *slog.Logger) *SMTPServer {
	if log == nil {
		log = slog.Default()
	}
	be := smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &smtpSession{p: p, log: log}, nil
	})
	s := smtp.NewServer(be)
	s.Domain = domain
	s.MaxMessageBytes = 2 * maxBytes
	s.MaxRecipients = 100
	s.ReadTimeout = 5 * time.Minute
	s.WriteTimeout = time.Minute
	return &SMTPServer{srv: s}
}

// Serve accepts connections on l until Shutdown.
func (s *SMTPServer) Serve(l net.Listener) error {
	err := s.srv.Serve(l)
	if errors.Is(err, smtp.ErrServerClosed) {
		return nil
	}
	return err
}

// Shutdown stops accepting and waits for open sessions to end.
func (s *SMTPServer) Shutdown(ctx context.Context) error { return s.srv.Shutdown(ctx) }

type smtpSession struct {
	p    Ingester
	log  *slog.Logger
	from string
	null bool // MAIL FROM:<>
	rcpt []string
}

func (s *smtpSession) Reset()        { s.from, s.null, s.rcpt = "", false, nil }
func (s *smtpSession) Logout() error { return nil }

func (s *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	s.from, s.null = from, from == ""
	return nil
}

func (s *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.rcpt = append(s.rcpt, to)
	return nil
}

func (s *smtpSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	_, err = s.p.Ingest(context.Background(), raw, mailparse.Envelope{Sender: s.from, NullSender: s.null, Recipients: s.rcpt})
	if err != nil {
		s.log.Error("smtp: ingest failed; client told to retry", "err", err)
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "temporary failure, try again later"}
	}
	return nil
}
