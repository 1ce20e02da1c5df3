package main

import (
	"strings"
	"testing"
)

// productionEnv is a configuration dargo doctor finds nothing wrong with.
func productionEnv() []string {
	return []string{
		"DARGO_SECRET=" + testSecret,
		"DARGO_DATABASE_URL=postgres://dargo:pw@db.internal:5432/dargo?sslmode=verify-full",
		"DARGO_REDIS_URL=rediss://:pw@cache.internal:6379/0",
		"DARGO_BASE_URL=https://help.example.com",
		"DARGO_MAIL_DOMAIN=help.example.com",
		"DARGO_MAILER=ses",
		"DARGO_TURNSTILE_SITEKEY=0x4AAAAAAA-site",
		"DARGO_TURNSTILE_SECRET=0x4AAAAAAA-secret",
		"DARGO_SQS_QUEUE_URL=https://sqs.eu-west-1.amazonaws.com/123456789012/dargo-inbound",
		"DARGO_SNS_VERIFY=true",
		"DARGO_SNS_TOPIC_ARNS=arn:aws:sns:eu-west-1:123456789012:dargo-inbound",
		"DARGO_METRICS_TOKEN=Zq0uJ4YbV3mKx9Wc2Rt7Hn5Lp8Ds1Fg6Ae3Bi0Ok4Mv=",
	}
}

func TestDoctorPassesAProductionConfig(t *testing.T) {
	out, errOut, code := dargo(t, productionEnv(), nil, "doctor")
	if code != 0 {
		t.Fatalf("exit %d: %s%s", code, out, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) < 9 {
		t.Errorf("want a line per setting, got:\n%s", out)
	}
	for _, l := range lines {
		if !strings.HasPrefix(l, "ok ") {
			t.Errorf("not ok: %q", l)
		}
	}
}

// TestDoctorFindsWhatIsMissing changes one setting of a good configuration
// at a time and looks for the line that names it.
func TestDoctorFindsWhatIsMissing(t *testing.T) {
	for _, tc := range []struct {
		name, set string
		code      int
		line      string // the start of the line dargo doctor prints
	}{
		{"weak secret", "DARGO_SECRET=aaaaaaaaaaaaaaaa", 1, "BLOCKER DARGO_SECRET: DARGO_SECRET is too short"},
		{"no secret", "DARGO_SECRET=", 1, "BLOCKER DARGO_SECRET: DARGO_SECRET is not set"},
		{"the dev key", "DARGO_SECRET=" + devSecret, 1, "BLOCKER DARGO_SECRET: DARGO_SECRET is the public development key"},
		{"plain-text remote postgres", "DARGO_DATABASE_URL=postgres://dargo:pw@db.internal:5432/dargo", 1,
			"BLOCKER DARGO_DATABASE_URL: PostgreSQL at db.internal without enforced TLS (sslmode=prefer, the default)"},
		{"postgres sslmode=disable", "DARGO_DATABASE_URL=postgres://dargo@10.0.0.5/dargo?sslmode=disable", 1,
			"BLOCKER DARGO_DATABASE_URL: PostgreSQL at 10.0.0.5 without enforced TLS (sslmode=disable)"},
		{"postgres key=value without TLS", "DARGO_DATABASE_URL=host=db.internal user=dargo sslmode=allow", 1,
			"BLOCKER DARGO_DATABASE_URL: PostgreSQL at db.internal without enforced TLS (sslmode=allow)"},
		{"postgres sslmode=require", "DARGO_DATABASE_URL=postgres://dargo@db.internal/dargo?sslmode=require", 0,
			"warn    DARGO_DATABASE_URL: PostgreSQL at db.internal over TLS without verifying"},
		{"postgres on loopback", "DARGO_DATABASE_URL=postgres://dargo@127.0.0.1:5432/dargo?sslmode=disable", 0,
			"ok      DARGO_DATABASE_URL: PostgreSQL on this machine"},
		{"postgres on a socket", "DARGO_DATABASE_URL=postgres:///dargo?host=/var/run/postgresql", 0,
			"ok      DARGO_DATABASE_URL: PostgreSQL on this machine"},
		{"sqlite", "DARGO_DATABASE_URL=sqlite:data/dargo.db", 0, "warn    DARGO_DATABASE_URL: SQLite"},
		{"plain-text remote redis", "DARGO_REDIS_URL=redis://:pw@cache.internal:6379/0", 1,
			"BLOCKER DARGO_REDIS_URL: Redis at cache.internal in plain text"},
		{"plain-text redis cluster", "DARGO_REDIS_URL=redis-cluster://127.0.0.1:7000,10.1.2.3:7001", 1,
			"BLOCKER DARGO_REDIS_URL: Redis at 10.1.2.3 in plain text"},
		{"redis on loopback", "DARGO_REDIS_URL=redis://localhost:6379/0", 0, "ok      DARGO_REDIS_URL: Redis on this machine"},
		{"no redis", "DARGO_REDIS_URL=", 1, "BLOCKER DARGO_REDIS_URL: not set"},
		{"http base url", "DARGO_BASE_URL=http://help.example.com", 1, `BLOCKER DARGO_BASE_URL: "http://help.example.com" is not https`},
		{"outbox mailer", "DARGO_MAILER=outbox", 1, `BLOCKER DARGO_MAILER: "outbox" keeps outgoing mail`},
		{"turnstile site key alone", "DARGO_TURNSTILE_SECRET=", 0, "warn    DARGO_TURNSTILE_SECRET: only one of"},
		{"sns unverified", "DARGO_SNS_VERIFY=false", 0, "warn    DARGO_SNS_VERIFY: SNS signatures are not checked"},
		{"sns without topics", "DARGO_SNS_TOPIC_ARNS=", 1, "BLOCKER DARGO_SNS_TOPIC_ARNS:"},
		{"no metrics token", "DARGO_METRICS_TOKEN=", 0, "warn    DARGO_METRICS_TOKEN: not set: /metrics on the ops port"},
		{"weak metrics token", "DARGO_METRICS_TOKEN=metrics", 0, "warn    DARGO_METRICS_TOKEN: DARGO_METRICS_TOKEN is too short"},
		{"localhost mail domain", "DARGO_MAIL_DOMAIN=localhost", 1, "BLOCKER DARGO_MAIL_DOMAIN"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := dargo(t, append(productionEnv(), tc.set), nil, "doctor")
			if code != tc.code {
				t.Errorf("exit %d, want %d: %s%s", code, tc.code, out, errOut)
			}
			found := false
			for _, l := range strings.Split(out, "\n") {
				if strings.HasPrefix(l, tc.line) {
					found = true
					if !strings.HasPrefix(l, "ok") && !strings.Contains(l, "(fix: ") {
						t.Errorf("no fix hint: %q", l)
					}
				}
			}
			if !found {
				t.Errorf("no line starting %q in:\n%s", tc.line, out)
			}
			if tc.code != 0 && !strings.Contains(errOut, "blocker") {
				t.Errorf("stderr does not say why it failed: %q", errOut)
			}
			if strings.Contains(out+errOut, ":pw@") {
				t.Errorf("doctor printed a password: %s", out)
			}
		})
	}
}

// TestDoctorOnPlaintext: dargo doctor says what dargo web, worker, inbound
// and scheduler refuse at start, and what DARGO_ALLOW_PLAINTEXT lets
// through.
func TestDoctorOnPlaintext(t *testing.T) {
	for _, tc := range []struct {
		name  string
		set   []string
		code  int
		lines []string
	}{
		{"plain http AWS endpoint", []string{"AWS_ENDPOINT_URL_S3=http://minio.internal:9000"}, 1,
			[]string{"BLOCKER AWS_ENDPOINT_URL_S3: AWS_ENDPOINT_URL_S3 at minio.internal without TLS (http://): dargo web, worker and inbound refuse to start (fix: use https://)"}},
		{"AWS endpoint on loopback", []string{"AWS_ENDPOINT_URL=http://127.0.0.1:5000"}, 0, nil},
		{"allowed plain text", []string{
			"DARGO_DATABASE_URL=postgres://dargo:pw@db.internal/dargo?sslmode=disable",
			"DARGO_REDIS_URL=redis://:pw@cache.internal:6379/0",
			"AWS_ENDPOINT_URL_SQS=http://sqs.internal",
			"DARGO_ALLOW_PLAINTEXT=true",
		}, 0, []string{
			"warn    DARGO_DATABASE_URL: DARGO_DATABASE_URL at db.internal without TLS (sslmode=disable), allowed by DARGO_ALLOW_PLAINTEXT=true",
			"warn    DARGO_REDIS_URL: DARGO_REDIS_URL at cache.internal without TLS (redis://), allowed by DARGO_ALLOW_PLAINTEXT=true",
			"warn    AWS_ENDPOINT_URL_SQS: AWS_ENDPOINT_URL_SQS at sqs.internal without TLS (http://), allowed by DARGO_ALLOW_PLAINTEXT=true",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := dargo(t, append(productionEnv(), tc.set...), nil, "doctor")
			if code != tc.code {
				t.Errorf("exit %d, want %d: %s%s", code, tc.code, out, errOut)
			}
			for _, want := range tc.lines {
				if !strings.Contains(out, "\n"+want) {
					t.Errorf("no line starting %q in:\n%s", want, out)
				}
			}
			if tc.lines == nil && strings.Contains(out, "AWS_ENDPOINT") {
				t.Errorf("a loopback endpoint is reported:\n%s", out)
			}
			if strings.Contains(out+errOut, ":pw@") {
				t.Errorf("doctor printed a password: %s", out)
			}
		})
	}
}
