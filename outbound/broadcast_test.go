package outbound

import (
	"strings"
	"testing"
)

func TestBuildBroadcast(t *testing.T) {
	body := "We changed our privacy policy.\r\n\r\nWhat changed: <nothing> & everything.\nRead it at https://help.acme.test/privacy"
	m, err := BuildBroadcast(Address{Name: "Zoë\r\nBcc: x@evil.test", Email: "zoe@example.org"}, "Our privacy policy changed", body, testOpts())
	if err != nil {
		t.Fatal(err)
	}
	if !m.Auto || m.Ticket != 0 || m.ReplyTo != "" || m.InReplyTo != "" || len(m.References) != 0 || m.Subject != "Our privacy policy changed" {
		t.Errorf("broadcast mail = %+v", m)
	}
	for _, want := range []string{"Hi Zoë,\n", "We changed our privacy policy.\n\nWhat changed: <nothing> & everything.\n",
		"you have an account with us at\nhttps://help.acme.test.", "privacy policy.\n", "-- \nAcme Support"} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("text lacks %q:\n%s", want, m.Text)
		}
	}
	for _, want := range []string{"<p>We changed our privacy policy.</p>", "<p>What changed: &lt;nothing&gt; &amp; everything.<br>",
		`you have an account with us at <a href="https://help.acme.test"`} {
		if !strings.Contains(m.HTML, want) {
			t.Errorf("html lacks %q:\n%s", want, m.HTML)
		}
	}
	raw, err := Compose(m)
	if err != nil {
		t.Fatal(err)
	}
	h := parse(t, raw).header
	if h.Get("Auto-Submitted") != "auto-generated" || h.Get("X-Auto-Response-Suppress") != "All" || h.Has("Reply-To") || h.Has("Bcc") {
		t.Errorf("headers: %v", h.Map())
	}
	if s, _ := h.Subject(); s != "Our privacy policy changed" {
		t.Errorf("Subject = %q", s)
	}

	for _, bad := range [][2]string{{"", "text"}, {"subject", " \n "}, {"\r\n", "text"}} {
		if _, err := BuildBroadcast(Address{Email: "zoe@example.org"}, bad[0], bad[1], testOpts()); err == nil {
			t.Errorf("BuildBroadcast(%q, %q) built a mail", bad[0], bad[1])
		}
	}
}
