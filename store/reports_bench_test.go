package store_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/dargo-support/dargo/store"
)

// BenchmarkReport times the report page's queries on a seeded database
// named by DARGO_TEST_REPORTS_URL, e.g. one made with
// `dargo migrate && dargo seed --tickets 100000 --messages 1000000`;
// seed's tickets and messages fall in the last two weeks, so both ranges
// read all of them.
func BenchmarkReport(b *testing.B) {
	url := os.Getenv("DARGO_TEST_REPORTS_URL")
	if url == "" {
		b.Skip("DARGO_TEST_REPORTS_URL is not set")
	}
	db, err := store.Open(context.Background(), url)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	for _, days := range []int{30, 365} {
		b.Run(fmt.Sprintf("%ddays", days), func(b *testing.B) {
			to := time.Now()
			q := store.ReportQuery{From: to.AddDate(0, 0, 1-days), To: to}
			var r *store.Report
			for b.Loop() {
				if r, err = db.Report(context.Background(), q); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(r.Total.Opened), "opened")
			b.ReportMetric(float64(r.Total.Resolved), "resolved")
			b.ReportMetric(float64(r.Total.FirstResponse.Count), "responses")
		})
	}
}
