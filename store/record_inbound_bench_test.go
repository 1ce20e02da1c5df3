package store_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"testing"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// BenchmarkRecordInbound opens a new ticket per op: a ~2 KB message and one 20 KB
// attachment whose bytes differ per op, so every op stores a new blob.
func BenchmarkRecordInbound(b *testing.B) {
	text := string(bytes.Repeat([]byte("The printer on floor 3 is on fire again. "), 50)) // ~2 KB
	for _, dialect := range []string{store.SQLite, store.Postgres} {
		b.Run(dialect, func(b *testing.B) {
			db := testdb.Open(b, dialect)
			ctx := context.Background()
			att := bytes.Repeat([]byte{0xab}, 20<<10)
			b.SetBytes(int64(len(text) + len(att)))
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				i++
				binary.BigEndian.PutUint64(att, uint64(i))
				d := &store.Incoming{
					From:    store.Person{Email: fmt.Sprintf("c%d@example.com", i%100), Name: "Customer"},
					Subject: "Printer on fire",
					Message: store.NewMessage{Kind: "inbound", Source: "email", MessageID: fmt.Sprintf("bench%d@example.com", i),
						Subject: "Printer on fire", Text: text, VisibleText: text},
					Attachments: []store.NewAttachment{{Filename: "photo.jpg", ContentType: "image/jpeg", Data: att}},
				}
				if _, err := db.RecordInbound(ctx, d); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
		})
	}
}
