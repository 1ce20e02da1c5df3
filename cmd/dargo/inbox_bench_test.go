package main

import (
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/internal/testredis"
	"github.com/dargo-support/dargo/store"
)

// BenchmarkInbox loads a real `dargo web` on PostgreSQL holding
// DARGO_BENCH_TICKETS tickets (100,000 by default) and ten times as many
// messages, made by `dargo seed`, and reports p50/p99 of each queue's first
// page, a filtered page, a second page, searches for a common word, two
// words together in a seventh of the tickets, an address and a rare word,
// and a ticket with 200 messages, with DARGO_BENCH_CONCURRENCY staff
// clients. DARGO_BENCH_INBOX_URL reuses a
// database seeded before (seeding a million messages takes about 35 s).
func BenchmarkInbox(b *testing.B) {
	if os.Getenv("DARGO_TEST_REDIS_URL") == "" {
		b.Skip("Redis not configured (set DARGO_TEST_REDIS_URL)")
	}
	conc := benchConcurrency(b)
	dbURL := os.Getenv("DARGO_BENCH_INBOX_URL")
	if dbURL == "" {
		dbURL = testdb.PostgresURL(b)
		tickets := 100000
		if v := os.Getenv("DARGO_BENCH_TICKETS"); v != "" {
			tickets, _ = strconv.Atoi(v)
		}
		seed := exec.Command(binary, "seed", "--tickets", strconv.Itoa(tickets), "--messages", strconv.Itoa(10*tickets),
			"--customers", strconv.Itoa(tickets/5+1), "--big-thread", "200")
		seed.Env = append(os.Environ(), baseEnv(dbURL)...)
		if out, err := seed.CombinedOutput(); err != nil {
			b.Fatalf("dargo seed: %v\n%s", err, out)
		}
	}
	migrate := exec.Command(binary, "migrate") // a database seeded before may predate a migration
	migrate.Env = append(os.Environ(), baseEnv(dbURL)...)
	if out, err := migrate.CombinedOutput(); err != nil {
		b.Fatalf("dargo migrate: %v\n%s", err, out)
	}
	r := testredis.Open(b, benchRedisDB)
	addr := freeAddr(b)
	env := append(baseEnv(dbURL), fmt.Sprintf("DARGO_REDIS_URL=redis://%s/%d", r.Addr, r.DB),
		"DARGO_HTTP_ADDR="+addr, "DARGO_BASE_URL=http://"+addr, "DARGO_CATEGORIES=billing=billing@x.test,sales=sales@x.test")
	cookie := benchSession(b, dbURL)
	big := staffAndBigThread(b, dbURL)
	web := startWeb(b, env)
	client := &http.Client{Transport: benchTransport(conc), Timeout: 60 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	page := func(path string) func() *http.Request {
		return func() *http.Request {
			req := newGet(web.base + path)
			req.Header.Set("Cookie", "dargo_session="+cookie)
			return req
		}
	}
	// The rows of issue 13 (preview, waiting, unread, snippet) are on
	// every list; "row-line" is their preview or snippet.
	pages := []struct{ name, path, want string }{
		{"inbox_first", "/inbox?queue=all", "row-line"},
		{"inbox_open", "/inbox", "row-line"},
		{"inbox_pending", "/inbox?queue=pending", "row-line"},
		{"inbox_mine", "/inbox?queue=mine", "No tickets"}, // the bench user has none
		{"inbox_unassigned", "/inbox?queue=unassigned", "row-line"},
		{"inbox_filtered", "/inbox?queue=open&priority=high&category=billing", "Next page"},
		{"inbox_page2", "", "row-line"}, // the first page's next link, filled in below
		{"search_word", "/inbox?queue=all&q=printer", "<mark>printer</mark>"},
		{"search_words", "/inbox?queue=all&q=printer+rechnung", "<mark>rechnung</mark>"},
		{"search_address", "/inbox?queue=open&q=seed42-", "<mark>seed42"},
		{"search_rare", "/inbox?queue=all&q=problem+4242", "<mark>4242"}, // "4242" alone opens ticket 4242
		{"ticket_200", "/inbox/tickets/" + strconv.FormatInt(big, 10), "Message 200 "},
	}
	pages[6].path = nextPath(b, client, page("/inbox?queue=all")())
	for _, p := range pages {
		mustContain(b, client, page(p.path)(), p.want)
	}
	for _, p := range pages {
		b.Run(p.name, func(b *testing.B) {
			b.ResetTimer()
			res, err := load(client, conc, b.N, page(p.path))
			b.StopTimer()
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(b.N)/res.elapsed.Seconds(), "req/s")
			b.ReportMetric(ms(percentile(res.latencies, 50)), "p50_ms")
			b.ReportMetric(ms(percentile(res.latencies, 99)), "p99_ms")
		})
	}
}

// staffAndBigThread makes the benchmark's user staff and returns the number
// of the seeded ticket with the 200-message thread.
func staffAndBigThread(b *testing.B, dbURL string) int64 {
	ctx := context.Background()
	db, err := store.Open(ctx, dbURL)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if _, err := db.SetRole(ctx, "bench@example.com", "staff"); err != nil {
		b.Fatal(err)
	}
	var n int64
	err = db.X.GetContext(ctx, &n, `SELECT t.number FROM tickets t WHERE t.id = (SELECT ticket_id FROM messages GROUP BY ticket_id ORDER BY COUNT(*) DESC LIMIT 1)`)
	if err != nil {
		b.Fatal(err)
	}
	return n
}

// nextPath returns the "Next page" link of the page req asks for.
func nextPath(b *testing.B, client *http.Client, req *http.Request) string {
	res, err := client.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		b.Fatal(err)
	}
	m := regexp.MustCompile(`<a href="([^"]+)" rel="next">`).FindSubmatch(body)
	if m == nil {
		b.Fatalf("GET %s: no next page", req.URL)
	}
	return html.UnescapeString(string(m[1]))
}
