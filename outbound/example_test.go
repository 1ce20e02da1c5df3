package outbound_test

import (
	"bufio"
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/dargo-support/dargo/outbound"
)

func ExampleCompose() {
	raw, err := outbound.Compose(&outbound.Mail{
		From:       outbound.Address{Name: "Acme Support", Email: "support@acme.test"},
		To:         outbound.Address{Name: "Zoe", Email: "zoe@example.org"},
		ReplyTo:    "support+42-0123456789ab@acme.test",
		Subject:    "Printer broken",
		Ticket:     42,
		MessageID:  "m1@acme.test",
		InReplyTo:  "c1@example.org",
		References: []string{"c1@example.org"},
		Auto:       true,
		Text:       "We received your request.",
		HTML:       "<p>We received your request.</p>",
		Date:       time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC),
	})
	if err != nil {
		panic(err)
	}
	// Print the header, without the random multipart boundary.
	sc := bufio.NewScanner(bytes.NewReader(raw))
	for sc.Scan() && sc.Text() != "" {
		if !strings.HasPrefix(sc.Text(), "Content-Type") && !strings.HasPrefix(sc.Text(), " boundary") {
			fmt.Println(sc.Text())
		}
	}
	// Output:
	// Mime-Version: 1.0
	// From: "Acme Support" <support@acme.test>
	// To: "Zoe" <zoe@example.org>
	// Reply-To: <support+42-0123456789ab@acme.test>
	// Subject: [#42] Printer broken
	// Date: Sat, 28 Nov 2026 10:00:00 +0000
	// Message-Id: <m1@acme.test>
	// In-Reply-To: <c1@example.org>
	// References: <c1@example.org>
	// Auto-Submitted: auto-generated
	// X-Auto-Response-Suppress: All
}
