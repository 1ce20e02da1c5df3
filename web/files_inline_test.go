package web

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// TestMessageHTMLCIDCap: of a message's 30,000 cid: references, the first
// 100 are embedded, each with its own image, and the rest show nothing; an
// image referenced over and over is embedded only while the bytes allow.
func TestMessageHTMLCIDCap(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		srv := deskServer(t, db)
		ada := customer(t, srv, db, "ada@example.com")

		d := cidMail(30_000, 150)
		got := deliver(t, db, d)
		res, body := get(t, ada, srv, "/messages/"+itoa(got.MessageID)+"/html")
		if res.StatusCode != 200 {
			t.Fatalf("status %s", res.Status)
		}
		if n := strings.Count(body, `src="data:image/png;base64,`); n != maxInlineRefs {
			t.Errorf("%d references embedded, want %d", n, maxInlineRefs)
		}
		if n := strings.Count(body, `src=""`); n != 30_000-maxInlineRefs {
			t.Errorf("%d references left empty, want %d", n, 30_000-maxInlineRefs)
		}
		if strings.Contains(body, "cid:") {
			t.Errorf("a cid: reference was left in the HTML")
		}
		imgs := strings.Split(body, "<img ")[1:]
		for i, a := range d.Attachments[:maxInlineRefs] {
			want := `src="data:image/png;base64,` + base64.StdEncoding.EncodeToString(a.Data) + `"`
			if !strings.HasPrefix(imgs[i], want) {
				t.Fatalf("reference %d is %.80q, want %s's image", i, imgs[i], a.Filename)
			}
		}

		big := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 4<<20)...)
		d = newMail("ada@example.com", "Big image", "Big.")
		d.Message.HTML = strings.Repeat(`<img src="cid:big@example.com">`, 10)
		d.Attachments = []store.NewAttachment{{Filename: "big.png", ContentType: "image/png", ContentID: "big@example.com", Inline: true, Data: big}}
		got = deliver(t, db, d)
		_, body = get(t, ada, srv, "/messages/"+itoa(got.MessageID)+"/html")
		perImage := len(`data:image/png;base64,`) + base64.StdEncoding.EncodedLen(len(big))
		if n, want := strings.Count(body, `src="data:image/png;base64,`), maxInlineBytes/perImage; n != want {
			t.Errorf("a 4 MiB image embedded %d times, want %d (%d bytes in all)", n, want, maxInlineBytes)
		}
	})
}
