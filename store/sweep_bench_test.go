package store_test

import (
	"context"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/jmoiron/sqlx"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// batchTimer is a pgx query tracer that times every statement starting
// with prefix. Each sweep batch is one autocommit statement, so its time is
// the longest any lock it takes is held.
type batchTimer struct {
	prefix string
	mu     sync.Mutex
	times  []time.Duration
}

type startKey struct{}

func (b *batchTimer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	if !strings.HasPrefix(strings.TrimSpace(d.SQL), b.prefix) {
		return ctx
	}
	return context.WithValue(ctx, startKey{}, time.Now())
}

func (b *batchTimer) TraceQueryEnd(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryEndData) {
	if start, ok := ctx.Value(startKey{}).(time.Time); ok {
		b.mu.Lock()
		b.times = append(b.times, time.Since(start))
		b.mu.Unlock()
	}
}

// BenchmarkSweepSessions times SweepSessions, which ends expired sessions
// (the rows stay for retention), over a million expired sessions (and a
// thousand live ones it must leave), end to end and per batch statement. PostgreSQL only:
//
//	DARGO_TEST_POSTGRES_URL=postgres://… go test -run '^$' -bench Sweep -benchtime 1x ./store/
func BenchmarkSweepSessions(b *testing.B) {
	if os.Getenv("DARGO_TEST_POSTGRES_URL") == "" {
		b.Skip("PostgreSQL not configured (set DARGO_TEST_POSTGRES_URL)")
	}
	const expired, live, batch = 1_000_000, 1_000, 1000
	ctx := context.Background()
	url := testdb.PostgresURL(b)
	setup, err := store.Open(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	defer setup.Close()
	if _, err := setup.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	u, err := setup.EnsureUser(ctx, "bench@example.com", "", "customer")
	if err != nil {
		b.Fatal(err)
	}

	// The database the sweep runs on: the same schema through a pool whose
	// connections report every UPDATE sessions.
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		b.Fatal(err)
	}
	timer := &batchTimer{prefix: "UPDATE sessions"}
	cfg.Tracer = timer
	db := &store.DB{X: sqlx.NewDb(stdlib.OpenDB(*cfg), "pgx"), Dialect: store.Postgres, Now: func() time.Time { return time.Now().UTC() }}
	defer db.Close()

	var total time.Duration
	var removed int64
	b.StopTimer()
	for range b.N {
		now := time.Now().UTC()
		if _, err := setup.X.ExecContext(ctx, `INSERT INTO sessions (token_hash, user_id, ip, user_agent, created_at, expires_at, last_seen_at)
			SELECT 'bench-' || g, $1, '192.0.2.1', 'bench', $2::timestamptz - interval '8 days' + g * interval '1 ms',
				CASE WHEN g <= $3 THEN $2::timestamptz + interval '1 day' ELSE $2::timestamptz - interval '1 day' + g * interval '1 ms' END,
				$2::timestamptz - interval '8 days'
			FROM generate_series(1, $4::bigint) g`, u.ID, now.Add(-2*time.Hour), live, expired+live); err != nil {
			b.Fatal(err)
		}
		if _, err := setup.X.ExecContext(ctx, `ANALYZE sessions`); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		n, err := db.SweepSessions(ctx, batch)
		total += time.Since(start)
		b.StopTimer()
		if err != nil || n != expired {
			b.Fatalf("SweepSessions = %d, %v; want %d", n, err, expired)
		}
		removed += n
		var left int
		if err := setup.X.GetContext(ctx, &left, `SELECT COUNT(*) FROM sessions WHERE ended_at IS NULL`); err != nil || left != live {
			b.Fatalf("sessions left = %d, %v; want the %d live ones", left, err, live)
		}
		if _, err := setup.X.ExecContext(ctx, `DELETE FROM sessions`); err != nil {
			b.Fatal(err)
		}
		if _, err := setup.X.ExecContext(ctx, `VACUUM sessions`); err != nil {
			b.Fatal(err)
		}
	}
	var longest, sum time.Duration
	for _, d := range timer.times {
		sum += d
		longest = max(longest, d)
	}
	b.ReportMetric(total.Seconds()/float64(b.N), "s/sweep")
	b.ReportMetric(float64(longest.Microseconds())/1000, "max-batch-ms")
	b.ReportMetric(float64(sum.Microseconds())/1000/float64(len(timer.times)), "mean-batch-ms")
	sorted := slices.Sorted(slices.Values(timer.times))
	b.ReportMetric(float64(sorted[len(sorted)*99/100].Microseconds())/1000, "p99-batch-ms")
	b.ReportMetric(float64(len(timer.times))/float64(b.N), "batches/sweep")
	b.ReportMetric(float64(removed)/total.Seconds(), "rows/s")
}
