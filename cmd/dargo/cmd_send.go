package main

import (
	"bytes"
	"context"
	"errors"
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

// runSend mails the dev SMTP listener (dargo dev), as a customer's mail
// client would: `dargo send --from ada@example.com --subject "…" "text"`.
// With --file it sends a raw MIME file as it is.
func runSend(ctx context.Context, env *Env, args []string) error {
	c := env.Config
	fs := flag.NewFlagSet("send", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	from := fs.String("from", "", "the sender's address (required)")
	to := fs.String("to", "support@"+c.MailDomain, "the recipient: our support address, or a ticket's reply address")
	subject := fs.String("subject", "Hello", "subject")
	inReplyTo := fs.String("in-reply-to", "", "Message-ID of the mail this answers (threads the reply)")
	file := fs.String("file", "", "send this raw MIME file instead of composing one")
	if err := fs.Parse(args); err != nil {
		return err
	}
	sender, err := mail.ParseAddress(*from)
	if err != nil {
		return errors.New("--from: give the sender's email address")
	}
	rcpt, err := mail.ParseAddress(*to)
	if err != nil {
		return fmt.Errorf("--to: %w", err)
	}
	var raw []byte
	if *file != "" {
		if raw, err = os.ReadFile(*file); err != nil {
			return err
		}
	} else {
		text := strings.Join(fs.Args(), " ")
		if text == "" {
			if text, err = readAll(env.Stdin); err != nil {
				return err
			}
		}
		raw = composeCustomerMail(sender, rcpt, *subject, strings.Trim(*inReplyTo, "<> "), text)
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
