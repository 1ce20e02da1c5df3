package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/dargo-support/dargo/internal/testaws"
	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/internal/testredis"
)

// TestEveryProcessServesMetrics starts web, worker, scheduler and inbound
// on PostgreSQL, Redis and moto, and reads each one's /metrics on its ops
// listener: the runtime, process and build families everywhere, and each
// process's own.
func TestEveryProcessServesMetrics(t *testing.T) {
	endpoint := testaws.Moto(t)
	testaws.Env(t, endpoint)
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	q, err := sqs.NewFromConfig(cfg).CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("metrics-e2e")})
	if err != nil {
		t.Fatal(err)
	}
	pgURL := testdb.PostgresURL(t)
	r := testredis.Open(t, redisDB)
	addr := freeAddr(t)
	env := append(baseEnv(pgURL), "DARGO_LOG_LEVEL=info",
		fmt.Sprintf("DARGO_REDIS_URL=redis://%s/%d", r.Addr, r.DB),
		"DARGO_HTTP_ADDR="+addr, "DARGO_BASE_URL=http://"+addr,
		"DARGO_FROM=Help Desk <support@help.example.com>", "DARGO_MAILER=outbox",
		"DARGO_SQS_QUEUE_URL="+*q.QueueUrl, "AWS_REGION=us-east-1", "AWS_ACCESS_KEY_ID=testing",
		"AWS_SECRET_ACCESS_KEY=testing", "AWS_ENDPOINT_URL_SQS="+endpoint, "AWS_ENDPOINT_URL_S3="+endpoint)
	if _, errOut, code := dargo(t, env, nil, "migrate"); code != 0 {
		t.Fatalf("migrate: %s", errOut)
	}
	ops := map[string]string{}
	for _, process := range []string{"web", "worker", "scheduler", "inbound"} {
		w := startWatched(t, env, process)
		ops[process] = "http://" + w.waitLog(t, "ops listening")["addr"].(string)
		t.Cleanup(func() { w.stop(t) })
	}
	waitHTTP(t, "http://"+addr+"/login") // one request the web tier counts

	common := []string{"go_goroutines", "go_memstats_heap_alloc_bytes", "process_resident_memory_bytes",
		"process_cpu_seconds_total", "dargo_build_info{"}
	for process, want := range map[string][]string{
		"web": {`dargo_http_requests_total{code="200",method="get",route="/login"}`,
			`dargo_http_request_duration_seconds_bucket{route="/login",le="0.005"}`},
		"worker": {"dargo_outbox_pending ", "dargo_emails_queued ", `dargo_queue_tasks{queue="critical",state="pending"}`,
			`dargo_queue_latency_seconds{queue="low"}`, "dargo_store_scrape_error 0", "dargo_queue_scrape_error 0"},
		"scheduler": nil,
		"inbound":   {"dargo_inbound_in_flight ", "dargo_inbound_sqs_to_commit_seconds_count "},
	} {
		body := waitMetrics(t, ops[process], append(common, want...))
		// The desk-wide families come from the worker alone, so that
		// replicas of other processes do not repeat them.
		if process != "worker" && strings.Contains(body, "dargo_outbox_pending") {
			t.Errorf("%s serves the desk-wide families", process)
		}
	}
	// pprof answers loopback.
	res, err := http.Get(ops["worker"] + "/debug/pprof/goroutine?debug=1")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(body), "goroutine profile:") {
		t.Errorf("pprof from loopback: %s %.200s", res.Status, body)
	}
}

// waitMetrics reads base/metrics until it holds every wanted string (a
// process registers some collectors once connected) and returns it.
func waitMetrics(t *testing.T, base string, want []string) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	var missing []string
	var body string
	for time.Now().Before(deadline) {
		res, err := http.Get(base + "/metrics")
		if err == nil {
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			body, missing = string(b), nil
			for _, w := range want {
				if !strings.Contains(body, w) {
					missing = append(missing, w)
				}
			}
			if res.StatusCode == 200 && len(missing) == 0 {
				return body
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("%s/metrics lacks %q:\n%s", base, missing, body)
	return ""
}
