package web

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"strings"
	"testing"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// cidMail is the repro: a message whose HTML holds refs cid:
// references, cycling over images inline images (each a distinct PNG).
func cidMail(refs, images int) *store.Incoming {
	var html strings.Builder
	for i := range refs {
		fmt.Fprintf(&html, `<img src="cid:img%d@example.com">`, i%images)
	}
	d := newMail("ada@example.com", "Images", "Images.")
	d.Message.HTML = html.String()
	for i := range images {
		img := image.NewRGBA(image.Rect(0, 0, 2, 2))
		img.Set(0, 0, color.RGBA{R: uint8(i), A: 255})
		var buf bytes.Buffer
		png.Encode(&buf, img)
		d.Attachments = append(d.Attachments, store.NewAttachment{Filename: fmt.Sprintf("img%d.png", i), ContentType: "image/png",
			ContentID: fmt.Sprintf("img%d@example.com", i), Inline: true, Data: buf.Bytes()})
	}
	return d
}

// BenchmarkInlineCID30000 serves /messages/ID/html of a message with 30,000
// cid: references to 100 images, in process, on SQLite.
func BenchmarkInlineCID30000(b *testing.B) {
	ctx := context.Background()
	db := testdb.Open(b, store.SQLite)
	got, err := db.RecordInbound(ctx, cidMail(30_000, 100))
	if err != nil {
		b.Fatal(err)
	}
	h, secret := benchDesk(b, db, "ada@example.com", "")
	b.ReportAllocs()
	for b.Loop() {
		w := benchGet(h, "/messages/"+itoa(got.MessageID)+"/html", secret)
		if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "data:image/png;base64,") {
			b.Fatalf("status %d", w.Code)
		}
	}
}
