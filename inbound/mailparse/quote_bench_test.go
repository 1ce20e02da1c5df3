package mailparse

import (
	"strings"
	"testing"
)

// benchReplies are a short top-posted reply, a long thread with a trailing
// quote and an interleaved answer, the shapes VisibleText sees most.
var benchReplies = map[string]string{
	"short": "Thanks, that fixed it.\n\nSent from my iPhone\n\n> On 5 Oct 2026, at 10:00, Dargo Support <support@dargo.example> wrote:\n>\n> Please clear the cache.\n",
	"long": strings.Repeat("This is a long answer line with some words in it, nothing quoted here.\n", 150) +
		"\n-- \nAnna Schmidt\nACME GmbH\n\nOn Mon, Oct 5, 2026 at 10:00 AM Dargo Support <support@dargo.example> wrote:\n" +
		strings.Repeat("> an older quoted line of the thread that goes on and on\n", 150),
	"interleaved": strings.Repeat("> a question from support?\nan answer from the customer.\n\n", 60) + "> trailing quote\n> more\n",
}

func BenchmarkVisibleText(b *testing.B) {
	for name, text := range benchReplies {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			b.ReportAllocs()
			for b.Loop() {
				VisibleText(text)
			}
		})
	}
}
