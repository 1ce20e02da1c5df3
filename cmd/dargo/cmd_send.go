package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"net/smtp"
	"os"
	"strings"
	"time"
)

// sendOpts are dargo send's flags.
type sendOpts struct {
	from, to, subject, inReplyTo, file string
}

func (o *sendOpts) flags(fs *flag.FlagSet) {
	fs.StringVar(&o.from, "from", "", "the sender's address `ADDR` (required)")
	fs.StringVar(&o.to, "to", "", "the recipient `ADDR`: our support address, or a ticket's reply address (default support@DARGO_MAIL_DOMAIN)")
	fs.StringVar(&o.subject, "subject", "Hello", "the subject `S`")
	fs.StringVar(&o.inReplyTo, "in-reply-to", "", "the Message-ID `ID` of the mail this answers (threads the reply)")
	fs.StringVar(&o.file, "file", "", "send this raw MIME file `F` instead of composing one")
}

// runSend mails the dev SMTP listener (dargo dev), as a customer's mail
// client would: `dargo send --from ada@example.com --subject "…" "text"`.
// With --file it sends a raw MIME file as it is; without TEXT or --file,
// the text comes from stdin.
func runSend(ctx context.Context, env *Env, o *sendOpts, words []string) error {
	c := env.Config
	if o.to == "" {
		o.to = "support@" + c.MailDomain
	}
	sender, err := mail.ParseAddress(o.from)
	if err != nil {
		return usagef("--from: give the sender's email address")
	}
	rcpt, err := mail.ParseAddress(o.to)
	if err != nil {
		return usagef("--to: %w", err)
	}
	var raw []byte
	if o.file != "" {
		if len(words) > 0 {
			return usagef("give TEXT or --file, not both")
		}
		if raw, err = os.ReadFile(o.file); err != nil {
			return err
		}
	} else {
		text := strings.Join(words, " ")
		if text == "" {
			if text, err = readAll(env.Stdin); err != nil {
				return err
			}
		}
		raw = composeCustomerMail(sender, rcpt, o.subject, strings.Trim(o.inReplyTo, "<> "), text)
	}
	if err := smtp.SendMail(c.SMTPAddr, nil, sender.Address, []string{rcpt.Address}, raw); err != nil {
		return fmt.Errorf("send to %s: %w (is dargo dev running?)", c.SMTPAddr, err)
	}
	fmt.Fprintf(env.Stdout, "sent %d bytes to %s via %s\n", len(raw), rcpt.Address, c.SMTPAddr)
	return nil
}

func domainOf(addr string) string {
	_, d, _ := strings.Cut(addr, "@")
	return d
}

func readAll(r io.Reader) (string, error) {
	b, err := io.ReadAll(r)
	return string(b), err
}

// composeCustomerMail is a plain mail as a person's mail client sends it:
// none of the automatic-mail headers Dargo's own mail carries.
func composeCustomerMail(from, to *mail.Address, subject, inReplyTo, text string) []byte {
	clean := strings.NewReplacer("\r", " ", "\n", " ")
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <%d.send@%s>\r\n",
		from, to, mime.QEncoding.Encode("utf-8", clean.Replace(subject)), time.Now().Format(time.RFC1123Z),
		time.Now().UnixNano(), domainOf(from.Address))
	if inReplyTo != "" {
		id := clean.Replace(inReplyTo)
		fmt.Fprintf(&b, "In-Reply-To: <%s>\r\nReferences: <%s>\r\n", id, id)
	}
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n")
	qp := quotedprintable.NewWriter(&b)
	qp.Write([]byte(strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\n", "\r\n")))
	qp.Close()
	return b.Bytes()
}
