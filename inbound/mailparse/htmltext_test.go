package mailparse

import "testing"

func TestHTMLText(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"divs and br", `<div>a</div><div><br></div><div>b<br>c</div>`, "a\n\nb\nc"},
		{"paragraphs", `<p>one</p><p>two</p>`, "one\n\ntwo"},
		{"whitespace", "<p>a   b\n\t c</p>", "a b c"},
		{"entities", `<p>&lt;x&gt; &amp; caf&eacute; &#8364;&nbsp;5</p>`, "<x> & café € 5"},
		{"links keep text", `<p>see <a href="https://x.example">the docs</a>.</p>`, "see the docs."},
		{"scripts styles dropped", `<head><title>T</title><style>p{}</style></head><body><script>x()</script><p>ok</p></body>`, "ok"},
		{"lists", `<ul><li>one</li><li>two</li></ul>`, "- one\n- two"},
		{"pre", "<pre>a  b\n  c</pre>", "a  b\n  c"},
		{"outlook paragraphs", `<p class="MsoNormal">a</p><p class="MsoNormal">&nbsp;</p><p class="MsoNormal">b</p>`, "a\n\nb"},
		{"unclosed head", `<html><head><meta charset="utf-8"><body>Hello`, "Hello"},
		{"uppercase tags", `<DIV>a</DIV><P>b<BR>c</P>`, "a\n\nb\nc"},
		{"table", `<table><tr><td>k</td><td>v</td></tr><tr><td>k2</td><td>v2</td></tr></table>`, "k v\nk2 v2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := HTMLText(tt.in); got != tt.want {
				t.Errorf("HTMLText()\n got: %q\nwant: %q", got, tt.want)
			}
		})
	}
}
