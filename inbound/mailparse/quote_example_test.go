package mailparse_test

import (
	"fmt"

	"github.com/dargo-support/dargo/inbound/mailparse"
)

func ExampleVisibleText() {
	reply := "Thanks, that fixed it.\n\nSent from my iPhone\n\nAm 05.01.2026 um 10:00 schrieb Dargo Support <support@dargo.example>:\n> Bitte den Cache leeren.\n"
	fmt.Println(mailparse.VisibleText(reply))
	// Output:
	// Thanks, that fixed it.
}

func ExampleParse() {
	raw := "From: =?UTF-8?Q?J=C3=B6rg?= <Joerg@Example.de>\r\n" +
		"Subject: Re: [#42] Export\r\n" +
		"In-Reply-To: <ticket-42.1@dargo.example>\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n\r\n" +
		"Works now.\r\n\r\nOn Mon, Jan 5, 2026 at 10:00 AM Support <support@dargo.example> wrote:\r\n> Try again.\r\n"
	m, err := mailparse.Parse([]byte(raw))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(m.From.Name, m.From.Email, m.InReplyTo)
	fmt.Println(m.VisibleText)
	// Output:
	// Jörg joerg@example.de [ticket-42.1@dargo.example]
	// Works now.
}
