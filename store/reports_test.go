package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// reportFixture is 50 tickets over the week of 5–9 January 2026 in New
// York, whose report numbers are worked out by hand in TestReportFixture.
//
// Tickets 0–39 open at 08:00 on day i%5 (day 0 = 5 January): 0–29 by mail,
// 30–39 on the portal; 0–9 billing, 10–19 sales, 20–39 general. Each gets
// its first reply (i+1)·10 minutes later, from Ann when i is even and Bob
// when odd, and 0–19 are resolved by the same person (i+1)·30 minutes after
// opening. Then the odd ones:
//
//	40  mail, billing, day 0 09:00; Bob replies 09:10; merged into 41 at 09:30: counts nowhere
//	41  mail, sales, day 0 08:30; Ann replies 09:15 (45 min); Ann resolves 12:30 (240 min)
//	42  mail, general, day 1 08:00; Ann replies 08:20 (20 min) and resolves 10:00; the customer
//	    reopens it on day 2 09:00; Bob resolves it again day 3 11:00 (3060 min, counted once, day 3)
//	43  staff-started by Bob, billing, day 2 10:00; the customer answers 11:00; Bob resolves 12:00 (120 min)
//	44  mail, general, day 3 08:00; Ann's note 08:05 does not count; Bob replies 08:50 (50 min)
//	45  mail, general, day 4 08:00; an automatic outbound message 08:01 does not count; Ann replies 09:00 (60 min)
//	46  portal, sales, day 4 08:00; resolved by no one (the system) at 20:00, which is 01:00 UTC the next day (720 min)
//	47  mail, billing, 4 January 08:00 (before the range); Bob replies day 0 08:00 (1440 min) and resolves 09:00 (1500 min)
//	48  mail, sales, day 4 22:00 (03:00 UTC the next day): opened on day 4
//	49  mail, general, 10 January 00:30 (after the range)
type reportFixture struct {
	ids      [50]int64
	numbers  [50]int64
	ann, bob int64
}

var reportZone = func() *time.Location {
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		panic(err)
	}
	return loc
}()

// reportDay is a time on day d of the fixture's week (d=0: Monday 5 January 2026) in New York.
func reportDay(d, hour, min int) time.Time {
	return time.Date(2026, 1, 5+d, hour, min, 0, 0, reportZone).UTC()
}

func buildReportFixture(t *testing.T, db *store.DB) reportFixture {
	t.Helper()
	ctx := context.Background()
	db.Zone = reportZone
	var now time.Time
	db.Now = func() time.Time { return now }
	var f reportFixture
	staff := func(email, name string) int64 {
		u, err := db.EnsureUser(ctx, email, name, "staff")
		if err != nil {
			t.Fatal(err)
		}
		return u.ID
	}
	f.ann, f.bob = staff("ann@desk.test", "Ann Agent"), staff("bob@desk.test", "Bob Agent")
	open := func(i int, at time.Time, source, category string) {
		now = at
		d := newTicket(fmt.Sprintf("Ticket %d", i))
		d.Message.Source, d.Category = source, category
		got := deliver(t, db, d)
		f.ids[i], f.numbers[i] = got.TicketID, got.TicketNumber
	}
	reply := func(i int, at time.Time, author int64, note bool) {
		now = at
		if _, err := db.AddStaffReply(ctx, store.StaffReply{TicketID: f.ids[i], AuthorID: author, Text: "Reply", Note: note}); err != nil {
			t.Fatal(err)
		}
	}
	status := func(i int, at time.Time, actor int64, status string) {
		now = at
		if err := db.ChangeTicket(ctx, store.Change{TicketID: f.ids[i], ActorID: actor, Status: status}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 40 {
		source, category := "email", "general"
		if i >= 30 {
			source = "web"
		}
		switch {
		case i < 10:
			category = "billing"
		case i < 20:
			category = "sales"
		}
		created := reportDay(i%5, 8, 0)
		open(i, created, source, category)
		who := f.ann
		if i%2 == 1 {
			who = f.bob
		}
		reply(i, created.Add(time.Duration(i+1)*10*time.Minute), who, false)
		if i < 20 {
			status(i, created.Add(time.Duration(i+1)*30*time.Minute), who, "resolved")
		}
	}

	open(41, reportDay(0, 8, 30), "email", "sales")
	open(40, reportDay(0, 9, 0), "email", "billing")
	reply(40, reportDay(0, 9, 10), f.bob, false)
	reply(41, reportDay(0, 9, 15), f.ann, false)
	now = reportDay(0, 9, 30)
	if _, err := db.MergeTickets(ctx, []int64{f.numbers[40]}, f.numbers[41], f.ann); err != nil {
		t.Fatal(err)
	}
	status(41, reportDay(0, 12, 30), f.ann, "resolved")

	open(42, reportDay(1, 8, 0), "email", "general")
	reply(42, reportDay(1, 8, 20), f.ann, false)
	status(42, reportDay(1, 10, 0), f.ann, "resolved")
	now = reportDay(2, 9, 0)
	back := reportReplyFrom(f.ids[42], "alice@example.com")
	back.Reopen = true
	deliver(t, db, back)
	status(42, reportDay(3, 11, 0), f.bob, "resolved")

	now = reportDay(2, 10, 0)
	started, err := db.StartTicket(ctx, store.StaffStart{StaffID: f.bob, To: store.Person{Email: "carol@example.com"},
		Subject: "Your order", Text: "We noticed a problem.", Category: "billing", Key: "fixture-43"})
	if err != nil {
		t.Fatal(err)
	}
	f.ids[43], f.numbers[43] = started.TicketID, started.TicketNumber
	now = reportDay(2, 11, 0)
	deliver(t, db, reportReplyFrom(f.ids[43], "carol@example.com"))
	status(43, reportDay(2, 12, 0), f.bob, "resolved")

	open(44, reportDay(3, 8, 0), "email", "general")
	reply(44, reportDay(3, 8, 5), f.ann, true)
	reply(44, reportDay(3, 8, 50), f.bob, false)

	open(45, reportDay(4, 8, 0), "email", "general")
	exec(t, db, `INSERT INTO messages (ticket_id, author_id, kind, source, auto, created_at) VALUES (?, ?, 'outbound', 'email', TRUE, ?)`,
		f.ids[45], f.ann, reportDay(4, 8, 1))
	reply(45, reportDay(4, 9, 0), f.ann, false)

	open(46, reportDay(4, 8, 0), "web", "sales")
	status(46, reportDay(4, 20, 0), 0, "resolved")

	open(47, reportDay(-1, 8, 0), "email", "billing")
	reply(47, reportDay(0, 8, 0), f.bob, false)
	status(47, reportDay(0, 9, 0), f.bob, "resolved")

	open(48, reportDay(4, 22, 0), "email", "sales")
	open(49, reportDay(5, 0, 30), "email", "general")

	// SLA verdicts, as the SLA clock would have recorded them.
	sla := func(i int, frDue, frAt, resDue, resAt *time.Time) {
		exec(t, db, `INSERT INTO ticket_sla (ticket_id, first_response_due, first_response_at, resolution_due, resolved_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?)`, f.ids[i], frDue, frAt, resDue, resAt, reportDay(0, 8, 0))
	}
	ptr := func(t time.Time) *time.Time { return &t }
	sla(0, ptr(reportDay(0, 8, 30)), ptr(reportDay(0, 8, 10)), ptr(reportDay(0, 10, 0)), ptr(reportDay(0, 8, 30))) // both met
	sla(1, ptr(reportDay(1, 8, 15)), ptr(reportDay(1, 8, 20)), ptr(reportDay(1, 8, 30)), ptr(reportDay(1, 9, 0)))  // both missed
	sla(2, ptr(reportDay(2, 8, 15)), nil, nil, nil)                                                                // no response recorded, due passed: missed
	sla(25, nil, nil, ptr(reportDay(0, 9, 0)), nil)                                                                // unresolved, due passed: missed
	sla(26, nil, nil, ptr(reportDay(15, 9, 0)), nil)                                                               // due after now: still running
	sla(27, ptr(reportDay(-1, 9, 0)), nil, nil, nil)                                                               // missed before the range
	sla(46, nil, nil, ptr(reportDay(4, 21, 0)), ptr(reportDay(4, 20, 0)))                                          // met on day 4, New York time

	// Ratings, as the rating links would have recorded them.
	var alice int64
	if err := db.X.GetContext(ctx, &alice, db.X.Rebind(`SELECT id FROM users WHERE email = ?`), "alice@example.com"); err != nil {
		t.Fatal(err)
	}
	rate := func(i int, rating, comment string, at time.Time) {
		exec(t, db, `INSERT INTO ratings (ticket_id, user_id, rating, comment, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
			f.ids[i], alice, rating, comment, at.Add(-time.Hour), at)
	}
	rate(0, "good", "Great <b>help</b>", reportDay(0, 20, 0))
	rate(1, "bad", "=HYPERLINK(\"http://evil.test\")", reportDay(1, 20, 0))
	rate(2, "okay", "", reportDay(2, 20, 0))
	rate(41, "good", "Thanks", reportDay(3, 20, 0))
	rate(40, "bad", "merged away", reportDay(3, 21, 0)) // merged: not counted
	rate(3, "good", "too early", reportDay(-1, 20, 0))  // before the range
	now = reportDay(6, 12, 0)
	return f
}

// reportReplyFrom is a customer's mail answering a ticket.
func reportReplyFrom(ticketID int64, from string) *store.Incoming { return reply(ticketID, from) }

func TestReportFixture(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		f := buildReportFixture(t, db)
		r, err := db.Report(context.Background(), store.ReportQuery{From: reportDay(0, 12, 0), To: reportDay(4, 12, 0)})
		if err != nil {
			t.Fatal(err)
		}
		min := func(n int) time.Duration { return time.Duration(n) * time.Minute }
		if len(r.Days) != 5 || !r.Days[0].Day.Equal(time.Date(2026, 1, 5, 0, 0, 0, 0, reportZone)) {
			t.Fatalf("days = %+v", r.Days)
		}
		var opened, resolved []int
		for _, d := range r.Days {
			opened, resolved = append(opened, d.Opened), append(resolved, d.Resolved)
		}
		if fmt.Sprint(opened) != "[9 9 9 9 11]" || fmt.Sprint(resolved) != "[6 4 5 5 5]" {
			t.Errorf("opened per day %v, want [9 9 9 9 11]; resolved per day %v, want [6 4 5 5 5]", opened, resolved)
		}

		type want struct {
			opened, resolved int
			fr, res          store.Durations
			frSLA, resSLA    store.Attainment
			ratings          store.RatingCounts
		}
		check := func(name string, got store.ReportRow, w want) {
			t.Helper()
			g := want{got.Opened, got.Resolved, got.FirstResponse, got.Resolution, got.FirstResponseSLA, got.ResolutionSLA, got.Ratings}
			if g != w {
				t.Errorf("%s:\n got %+v\nwant %+v", name, g, w)
			}
		}
		check("total", r.Total, want{47, 25,
			store.Durations{Count: 45, Median: min(190), P90: min(370)},
			store.Durations{Count: 25, Median: min(330), P90: min(720)},
			store.Attainment{Met: 1, Missed: 2}, store.Attainment{Met: 2, Missed: 2},
			store.RatingCounts{Good: 2, Okay: 1, Bad: 1}})
		rows := func(rs []store.ReportRow) map[string]store.ReportRow {
			out := map[string]store.ReportRow{}
			for _, row := range rs {
				out[row.Label] = row
			}
			return out
		}
		cat, ch, staff := rows(r.ByCategory), rows(r.ByChannel), rows(r.ByStaff)
		if len(cat) != 3 || len(ch) != 3 || len(staff) != 3 {
			t.Errorf("breakdowns: %d categories, %d channels, %d staff; want 3 each", len(cat), len(ch), len(staff))
		}
		check("billing", cat["billing"], want{11, 12,
			store.Durations{Count: 11, Median: min(60), P90: min(100)},
			store.Durations{Count: 12, Median: min(150), P90: min(300)},
			store.Attainment{Met: 1, Missed: 2}, store.Attainment{Met: 1, Missed: 1},
			store.RatingCounts{Good: 1, Okay: 1, Bad: 1}})
		check("sales", cat["sales"], want{13, 12,
			store.Durations{Count: 11, Median: min(150), P90: min(190)},
			store.Durations{Count: 12, Median: min(450), P90: min(600)},
			store.Attainment{}, store.Attainment{Met: 1},
			store.RatingCounts{Good: 1}})
		check("general", cat["general"], want{23, 1,
			store.Durations{Count: 23, Median: min(290), P90: min(380)},
			store.Durations{Count: 1, Median: min(3060), P90: min(3060)},
			store.Attainment{}, store.Attainment{Missed: 1},
			store.RatingCounts{}})
		check("mail", ch["Mail"], want{35, 23,
			store.Durations{Count: 35, Median: min(140), P90: min(280)},
			store.Durations{Count: 23, Median: min(330), P90: min(600)},
			store.Attainment{Met: 1, Missed: 2}, store.Attainment{Met: 1, Missed: 2},
			store.RatingCounts{Good: 2, Okay: 1, Bad: 1}})
		check("portal", ch["Portal"], want{11, 1,
			store.Durations{Count: 10, Median: min(350), P90: min(390)},
			store.Durations{Count: 1, Median: min(720), P90: min(720)},
			store.Attainment{}, store.Attainment{Met: 1},
			store.RatingCounts{}})
		check("staff-started", ch["Staff-started"], want{1, 1,
			store.Durations{},
			store.Durations{Count: 1, Median: min(120), P90: min(120)},
			store.Attainment{}, store.Attainment{},
			store.RatingCounts{}})
		check("Ann", staff["Ann Agent"], want{0, 11,
			store.Durations{Count: 23, Median: min(170), P90: min(350)},
			store.Durations{Count: 11, Median: min(270), P90: min(510)},
			store.Attainment{Met: 1, Missed: 1}, store.Attainment{Met: 1},
			store.RatingCounts{Good: 2, Okay: 1}})
		check("Bob", staff["Bob Agent"], want{0, 13,
			store.Durations{Count: 22, Median: min(200), P90: min(380)},
			store.Durations{Count: 13, Median: min(360), P90: min(1500)},
			store.Attainment{Missed: 1}, store.Attainment{Missed: 1},
			store.RatingCounts{Bad: 1}})
		check("no one", staff["No one (automatic or no reply)"], want{0, 1,
			store.Durations{},
			store.Durations{Count: 1, Median: min(720), P90: min(720)},
			store.Attainment{}, store.Attainment{Met: 1, Missed: 1},
			store.RatingCounts{}})

		var comments []string
		for _, c := range r.Comments {
			comments = append(comments, fmt.Sprintf("#%d %s %q", c.TicketNumber, c.Rating, c.Comment))
		}
		wantComments := []string{
			fmt.Sprintf("#%d good %q", f.numbers[41], "Thanks"),
			fmt.Sprintf("#%d bad %q", f.numbers[1], "=HYPERLINK(\"http://evil.test\")"),
			fmt.Sprintf("#%d good %q", f.numbers[0], "Great <b>help</b>"),
		}
		if fmt.Sprint(comments) != fmt.Sprint(wantComments) {
			t.Errorf("comments = %q, want %q", comments, wantComments)
		}
		if p, ok := r.Total.Ratings.GoodPercent(); !ok || p != 50 {
			t.Errorf("good percent = %v %v, want 50", p, ok)
		}
	})
}

func TestReportRange(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		d := func(s string) time.Time { t, _ := time.Parse("2006-01-02", s); return t }
		if _, err := db.Report(ctx, store.ReportQuery{From: d("2026-02-01"), To: d("2026-01-31")}); err == nil {
			t.Error("a range ending before it starts was accepted")
		}
		if _, err := db.Report(ctx, store.ReportQuery{From: d("2025-01-01"), To: d("2026-01-02")}); err == nil {
			t.Error("a range of 367 days was accepted")
		}
		r, err := db.Report(ctx, store.ReportQuery{From: d("2025-01-01"), To: d("2025-12-31")})
		if err != nil || len(r.Days) != 365 || r.Total.Opened != 0 {
			t.Fatalf("an empty year: %v, %d days", err, len(r.Days))
		}
	})
}
