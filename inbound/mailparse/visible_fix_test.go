package mailparse

import (
	"strings"
	"testing"
)

// Sign-off patterns must not eat sentences that start like one, and only
// one sign-off line goes.
func TestSignOffKeepsSentences(t *testing.T) {
	strip := []struct{ name, in, want string }{
		{"sentence after device", "Thanks for waiting.\n\nSent from my phone as I'm on the road, the refund is approved.",
			"Thanks for waiting.\n\nSent from my phone as I'm on the road, the refund is approved."},
		{"device then text", "Done.\n\nSent from my iPad the upload works fine.", "Done.\n\nSent from my iPad the upload works fine."},
		{"model words stay a sign-off", "Done.\n\nSent from my iPhone 15 Pro Max", "Done."},
		{"link and punctuation", "Done.\n\nSent from my iPhone<https://apple.example>.", "Done."},
		{"one sign-off only", "Done.\n\nSent from my iPad.\nSent from my iPhone", "Done.\n\nSent from my iPad."},
		{"last -- block only", "Steps:\n--\nOne.\n--\nTwo.", "Steps:\n--\nOne.\n--\nTwo."},
		{"delimiter with own sign-off", "Done.\n\n-- \nMia\n\nSent from my iPhone", "Done."},
	}
	for _, tt := range strip {
		t.Run("strip "+tt.name, func(t *testing.T) {
			if got := StripSignature(tt.in, ""); got != tt.want {
				t.Errorf("StripSignature()\n got: %q\nwant: %q", got, tt.want)
			}
		})
	}
	vis := []struct{ name, in, want string }{
		{"two devices", "Hi, I have two devices.\n\nSent from my iPad the upload works fine.\nSent from my iPhone the upload fails with error 413.",
			"Hi, I have two devices.\n\nSent from my iPad the upload works fine.\nSent from my iPhone the upload fails with error 413."},
		{"sign-off chain keeps all but one", "Ok.\n\nSent from my iPad.\nSent from my iPhone", "Ok.\n\nSent from my iPad."},
		{"dash separated list", "Three problems:\n--\nThe login fails.\n--\nThe export is empty.\n--\nInvoices are missing.",
			"Three problems:\n--\nThe login fails.\n--\nThe export is empty.\n--\nInvoices are missing."},
		{"single dash block still a signature", "Done.\n--\nPete\nACME", "Done."},
		{"answer below quote is not a sign-off", "On Mon, 5 Oct 2026, Support <help@help.example.com> wrote:\n> Which device and app version do you use?\n\nSent from my iPhone 12 app version 4.2.",
			"On Mon, 5 Oct 2026, Support <help@help.example.com> wrote:\n> Which device and app version do you use?\n\nSent from my iPhone 12 app version 4.2."},
		{"quote then sign-off is empty", "On Mon, 5 Oct 2026, Support <help@help.example.com> wrote:\n> Which device?\n\nSent from my iPhone", ""},
		{"quote then -- block keeps text", "> Which device?\n\n--\nThe login fails.", "> Which device?\n\n--\nThe login fails."},
		{"samsung via", "Ok.\n\nSent via the Samsung Galaxy S23, an AT&T 5G smartphone", "Ok."},
		{"verizon", "Ok.\n\nSent from my Verizon, Samsung Galaxy smartphone", "Ok."},
		{"comma after device is text", "Ok.\n\nSent from my iPhone, sorry for typos", "Ok.\n\nSent from my iPhone, sorry for typos"},
		{"polish suffix", "Tak.\n\nWysłane z iPhone'a", "Tak."},
		{"german text after device", "Ja.\n\nVon meinem iPhone habe ich das Update gestern installiert und es geht nicht gesendet", "Ja.\n\nVon meinem iPhone habe ich das Update gestern installiert und es geht nicht gesendet"},
	}
	for _, tt := range vis {
		t.Run("visible "+tt.name, func(t *testing.T) {
			if got := VisibleText(tt.in); got != tt.want {
				t.Errorf("VisibleText()\n got: %q\nwant: %q", got, tt.want)
			}
		})
	}
}

// Gmail puts inline answers inside its quote container: the text/plain cut,
// which keeps them, must win over the HTML cut.
func TestParseGmailInterleavedKeepsAnswers(t *testing.T) {
	raw := "From: Tom <tom@x.example>\r\nTo: support@dargo.example\r\nSubject: Re: Printer\r\nMessage-ID: <t1@x.example>\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=\"b1\"\r\n\r\n" +
		"--b1\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n" +
		"See my answers below.\r\n\r\nOn Mon, Oct 5, 2026 at 10:00 AM Dargo Support <support@dargo.example> wrote:\r\n\r\n" +
		"> Which model do you have?\r\n\r\nIt is the LaserJet 4000.\r\n\r\n> Error code?\r\n\r\nYes, error 79.\r\n\r\n" +
		"--b1\r\nContent-Type: text/html; charset=UTF-8\r\n\r\n" +
		`<div dir="ltr">See my answers below.</div><br><div class="gmail_quote gmail_quote_container"><div dir="ltr" class="gmail_attr">On Mon, Oct 5, 2026 at 10:00 AM Dargo Support &lt;<a href="mailto:support@dargo.example">support@dargo.example</a>&gt; wrote:<br></div>` +
		`<blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex;border-left:1px solid rgb(204,204,204);padding-left:1ex">Which model do you have?</blockquote><div>It is the LaserJet 4000.</div>` +
		`<blockquote class="gmail_quote">Error code?</blockquote><div>Yes, error 79.</div></div>` + "\r\n--b1--\r\n"
	m, err := Parse([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"See my answers below.", "LaserJet 4000", "error 79"} {
		if !strings.Contains(m.VisibleText, want) {
			t.Errorf("VisibleText lost %q:\n%s", want, m.VisibleText)
		}
	}
}

// An HTML-only mail that is one quote container holding a forward is
// content, not a reply without new text.
func TestParseHTMLOnlyQuotedForward(t *testing.T) {
	raw := "From: Anna <anna@x.example>\r\nTo: support@dargo.example\r\nSubject: Printer problem\r\nMessage-ID: <a1@x.example>\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: text/html; charset=UTF-8\r\n\r\n" +
		`<div class="gmail_quote"><div>Hello,</div><div>please look at this one.</div><div>Thanks</div><div>Anna</div>` +
		`<div>---------- Forwarded message ---------<br>From: Karen &lt;karen@y.example&gt;<br>Subject: Printer</div><div>The printer shows error 79.</div></div>`
	m, err := Parse([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(m.VisibleText, "error 79") {
		t.Errorf("VisibleText = %q, want the forwarded text", m.VisibleText)
	}
	quoteOnly := "From: Anna <anna@x.example>\r\nTo: support@dargo.example\r\nSubject: Re: x\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=UTF-8\r\n\r\n" +
		`<div class="gmail_quote"><div class="gmail_attr">On Mon Support wrote:</div><blockquote class="gmail_quote">How did we do?</blockquote></div>`
	if m, err := Parse([]byte(quoteOnly)); err != nil || m.VisibleText != "" {
		t.Errorf("quote-only HTML: VisibleText = %q, %v; want empty", m.VisibleText, err)
	}
}
