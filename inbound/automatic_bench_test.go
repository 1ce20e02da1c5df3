package inbound

import (
	"github.com/dargo-support/dargo/inbound/mailparse"

	"os"
	"path/filepath"
	"testing"
)

// BenchmarkAutomaticDetection is the cost of the automatic-mail checks
// (abuse report, AWS notification, bounce text, auto-reply signs) on
// parsed mail, over the testdata/automatic corpus; parsing is not timed.
func BenchmarkAutomaticDetection(b *testing.B) {
	files, _ := filepath.Glob(filepath.Join("testdata", "automatic", "*.eml"))
	var mails []*Mail
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		m, err := mailparse.Parse(raw)
		if err != nil {
			b.Fatal(err)
		}
		mails = append(mails, m)
	}
	if len(mails) == 0 {
		b.Fatal("no corpus")
	}
	b.ReportAllocs()
	b.ResetTimer()
	found := 0
	for i := 0; i < b.N; i++ {
		m := mails[i%len(mails)]
		switch {
		case feedbackReport(m) != nil, isAWSNotificationMail(m):
			found++
		case daemonSender(m):
			if textBounce(m.Text) != nil {
				found++
			}
		case autoReason(m) != "":
			found++
		}
	}
	if found == 0 {
		b.Fatal("nothing recognised")
	}
}
