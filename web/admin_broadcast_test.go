package web

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hibiken/asynq"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/jobs"
	"github.com/dargo-support/dargo/store"
)

func TestAdminBroadcasts(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		rdb := testRedis(t)
		srv := newServer(t, db, rdb, Opts{})
		clients := map[string]*http.Client{}
		for _, who := range []string{"customer", "staff", "admin"} {
			addr := who + "@example.com"
			if who != "customer" {
				if _, err := db.SetRole(ctx, addr, who); err != nil {
					t.Fatal(err)
				}
			}
			clients[who] = browser(t)
			signIn(t, srv, db, clients[who], addr)
		}
		form := url.Values{"subject": {"Our privacy policy changed"}, "body": {"We changed our privacy policy.\r\n\r\nRead it at https://example.com/privacy"}, "confirm": {"yes"}}

		if res, _ := do(t, browser(t), "GET", srv.URL+"/admin/broadcasts", nil); res.StatusCode != http.StatusSeeOther {
			t.Errorf("anonymous: %s", res.Status)
		}
		for _, who := range []string{"customer", "staff"} {
			if res, _ := do(t, clients[who], "GET", srv.URL+"/admin/broadcasts", nil); res.StatusCode != http.StatusForbidden {
				t.Errorf("%s GET: %s", who, res.Status)
			}
			if res, _ := do(t, clients[who], "POST", srv.URL+"/admin/broadcasts", form); res.StatusCode != http.StatusForbidden {
				t.Errorf("%s POST: %s", who, res.Status)
			}
		}
		if n := count(t, db, `SELECT COUNT(*) FROM broadcasts`); n != 0 {
			t.Fatalf("%d broadcasts after refused posts", n)
		}
		admin := clients["admin"]
		res, body := do(t, admin, "GET", srv.URL+"/admin/broadcasts", nil)
		if res.StatusCode != http.StatusOK || !strings.Contains(body, "No broadcasts yet") || !strings.Contains(body, `name="confirm"`) {
			t.Fatalf("admin GET: %s\n%s", res.Status, body)
		}

		// Not confirmed, or no subject: refused, with what was typed kept.
		unconfirmed := url.Values{"subject": form["subject"], "body": form["body"]}
		if res, body := do(t, admin, "POST", srv.URL+"/admin/broadcasts", unconfirmed); res.StatusCode != http.StatusUnprocessableEntity ||
			!strings.Contains(body, "Tick the box") || !strings.Contains(body, "Read it at https://example.com/privacy") {
			t.Errorf("unconfirmed: %s\n%s", res.Status, body)
		}
		noSubject := url.Values{"subject": {" "}, "body": form["body"], "confirm": {"yes"}}
		if res, body := do(t, admin, "POST", srv.URL+"/admin/broadcasts", noSubject); res.StatusCode != http.StatusUnprocessableEntity ||
			!strings.Contains(body, "Not started: the subject is empty.") {
			t.Errorf("no subject: %s\n%s", res.Status, body)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM broadcasts`); n != 0 {
			t.Fatalf("%d broadcasts after invalid posts", n)
		}

		res, _ = do(t, admin, "POST", srv.URL+"/admin/broadcasts", form)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/admin/broadcasts?started=1" {
			t.Fatalf("admin POST: %s %s", res.Status, res.Header.Get("Location"))
		}
		var adminID int64
		if err := db.X.Get(&adminID, `SELECT id FROM users WHERE email = 'admin@example.com'`); err != nil {
			t.Fatal(err)
		}
		b, err := db.Broadcast(ctx, 1)
		if err != nil || b.CreatedBy == nil || *b.CreatedBy != adminID || b.Total != 3 || b.Body != "We changed our privacy policy.\n\nRead it at https://example.com/privacy" {
			t.Fatalf("broadcast: %+v, %v", b, err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE action = 'broadcast' AND actor_id = ?`, adminID); n != 1 {
			t.Errorf("%d audit entries", n)
		}
		// The queueing is a worker's task, on the low queue.
		inspector := asynq.NewInspectorFromRedisClient(rdb)
		info, err := inspector.GetTaskInfo(jobs.QueueLow, jobs.BroadcastTaskID(1))
		if err != nil || info.Type != jobs.TypeBroadcastQueue {
			t.Fatalf("queued task: %+v, %v", info, err)
		}
		if res, body := do(t, admin, "POST", srv.URL+"/admin/broadcasts", form); res.StatusCode != http.StatusConflict || !strings.Contains(body, "Broadcast 1 already has this subject and text") {
			t.Errorf("the same again: %s\n%s", res.Status, body)
		}
		res, body = do(t, admin, "GET", srv.URL+"/admin/broadcasts?started=1", nil)
		if !strings.Contains(body, "Broadcast 1 started") || !strings.Contains(body, "0 of 3") || !strings.Contains(body, "queueing") {
			t.Errorf("page while queueing:\n%s", body)
		}

		// A worker runs the task; the mails go out through the send handler.
		h := jobs.NewHandlers(jobs.Opts{Store: db, Logger: slog.New(slog.DiscardHandler)})
		if err := h.HandleBroadcastQueue(ctx, asynq.NewTask(jobs.TypeBroadcastQueue, []byte(`{"broadcast_id":1}`))); err != nil {
			t.Fatal(err)
		}
		m := deliverMail(t, db, testSecret, "customer@example.com")
		if m.Subject != "Our privacy policy changed" || !strings.Contains(m.Text, "Read it at https://example.com/privacy") {
			t.Errorf("mail: %q\n%s", m.Subject, m.Text)
		}
		_, body = do(t, admin, "GET", srv.URL+"/admin/broadcasts", nil)
		row := body[strings.Index(body, `<tr id="broadcast-1">`):]
		row = row[:strings.Index(row, "</tr>")]
		if !strings.Contains(row, `<td data-label="Queued">3 of 3</td><td data-label="Sent">3</td><td data-label="Failed">0</td><td data-label="Suppressed">0</td><td data-label="Waiting">0</td>`) || strings.Contains(row, "queueing") {
			t.Errorf("counts once sent: %s", row)
		}
	})
}
