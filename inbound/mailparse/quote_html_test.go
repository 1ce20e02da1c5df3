package mailparse

import "testing"

func TestHTMLVisible(t *testing.T) {
	tests := []struct {
		name, in, want string
		cut            bool
	}{
		{"gmail", `<div>Reply</div><div class="gmail_quote"><div class="gmail_attr">On Mon wrote:</div><blockquote class="gmail_quote">old</blockquote></div>`, "Reply", true},
		{"gmail container", `<div>Reply</div><div class="gmail_quote gmail_quote_container">old</div>`, "Reply", true},
		{"apple", `<div>Reply</div><div><br><blockquote type="cite">old</blockquote></div>`, "Reply", true},
		{"thunderbird", `<p>Reply</p><div class="moz-cite-prefix">On 05.01.26 Anna wrote:</div><blockquote type="cite">old</blockquote>`, "Reply", true},
		{"outlook rest removed", `<div>Reply</div><hr><div id="divRplyFwdMsg"><b>From:</b> A</div><div>old body</div><p>more old</p>`, "Reply", true},
		{"yahoo", `<div>Reply</div><div id="yahoo_quoted_123" class="yahoo_quoted">old</div>`, "Reply", true},
		{"gmail forward kept", `<div>FYI</div><div class="gmail_quote"><div class="gmail_attr">---------- Forwarded message ---------<br>From: A</div><div>content</div></div>`, "FYI\n---------- Forwarded message ---------\nFrom: A\ncontent", false},
		{"apple forward kept", `<div>See</div><div>Begin forwarded message:</div><blockquote type="cite">content</blockquote>`, "See\nBegin forwarded message:\ncontent", false},
		{"no markers", `<p>Just text</p>`, "Just text", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := parseHTMLDoc(tt.in)
			got, cut := d.vis, d.cut
			if tidy(got) != tt.want || cut != tt.cut {
				t.Errorf("visible() = %q, %v; want %q, %v", tidy(got), cut, tt.want, tt.cut)
			}
		})
	}
}

func TestChooseVisiblePrefersHTMLWhenTextMissesQuote(t *testing.T) {
	// The text/plain carries the history without any marker we know; the
	// HTML quote container shows where the reply ends.
	text := "Reply here.\n\nAnna Support, 5.1.2026\nold history line one\nold history line two\nold history line three\nmore old words here"
	doc := parseHTMLDoc(`<div>Reply here.</div><div class="gmail_quote">Anna Support, 5.1.2026<br>old history line one<br>old history line two<br>old history line three<br>more old words here</div>`)
	if got := chooseVisible(text, doc, "Re: x"); got != "Reply here." {
		t.Errorf("got %q", got)
	}
}
