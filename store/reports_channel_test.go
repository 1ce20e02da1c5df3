package store_test

import (
	"context"
	"fmt"
	"os"
	"reflect"
	"testing"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// TestReportChannelRecorded checks that a ticket records how it came in
// when it is created, and that a report counts the same whether it reads
// that, a channel migration 0038 filled in, or none (a split-off ticket,
// whose first message's source the report reads).
func TestReportChannelRecorded(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := buildReportFixture(t, db)
		for i, want := range map[int]string{0: store.ChannelMail, 30: store.ChannelPortal, 46: store.ChannelPortal, 43: store.ChannelStaff} {
			if got := count(t, db, `SELECT COUNT(*) FROM tickets WHERE id = ? AND channel = ?`, f.ids[i], want); got != 1 {
				t.Errorf("ticket %d: channel is not %q", i, want)
			}
		}
		q := store.ReportQuery{From: reportDay(0, 12, 0), To: reportDay(4, 12, 0)}
		report := func(what string) *store.Report {
			r, err := db.Report(ctx, q)
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			return r
		}
		recorded := report("recorded")
		exec(t, db, `UPDATE tickets SET channel = '' WHERE channel <> 'staff'`)
		if r := report("unrecorded"); !reflect.DeepEqual(r, recorded) {
			t.Errorf("with no channel recorded:\n%+v\nwant\n%+v", r, recorded)
		}
		backfill, err := os.ReadFile(fmt.Sprintf("migrations/%s/0038_report_channel.sql", db.Dialect))
		if err != nil {
			t.Fatal(err)
		}
		exec(t, db, string(backfill))
		if n := count(t, db, `SELECT COUNT(*) FROM tickets WHERE channel = '' AND merged_into IS NULL`); n != 0 {
			t.Errorf("%d unmerged tickets left without a channel by 0038 (a merged one has no message of its own)", n)
		}
		if r := report("backfilled"); !reflect.DeepEqual(r, recorded) {
			t.Errorf("with the channel 0038 filled in:\n%+v\nwant\n%+v", r, recorded)
		}
	})
}
