package main

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

// TestRequireTLS: which connection settings the production processes
// refuse, and what they say. want is "" for accepted, else the start of
// the error.
func TestRequireTLS(t *testing.T) {
	t.Setenv("PGSSLMODE", "")
	t.Setenv("PGHOST", "")
	const pw = "s3cr3t-pw"
	for _, tc := range []struct {
		name string
		env  map[string]string
		want string
	}{
		// PostgreSQL on another machine: only sslmode require, verify-ca or verify-full.
		{"postgres sslmode=disable", map[string]string{"DARGO_DATABASE_URL": "postgres://dargo:" + pw + "@db.internal:5432/dargo?sslmode=disable"},
			"DARGO_DATABASE_URL connects to db.internal without TLS (sslmode=disable); use sslmode=require (or verify-full), or set DARGO_ALLOW_PLAINTEXT=true if the network is private and encrypted"},
		{"postgres sslmode=allow", map[string]string{"DARGO_DATABASE_URL": "postgres://dargo@db.internal/dargo?sslmode=allow"},
			"DARGO_DATABASE_URL connects to db.internal without TLS (sslmode=allow)"},
		{"postgres sslmode=prefer", map[string]string{"DARGO_DATABASE_URL": "postgres://dargo@10.0.0.5/dargo?sslmode=prefer"},
			"DARGO_DATABASE_URL connects to 10.0.0.5 without TLS (sslmode=prefer)"},
		{"postgres without sslmode", map[string]string{"DARGO_DATABASE_URL": "postgresql://dargo:" + pw + "@db.internal/dargo"},
			"DARGO_DATABASE_URL connects to db.internal without TLS (sslmode=prefer, the default)"},
		{"postgres sslmode=require", map[string]string{"DARGO_DATABASE_URL": "postgres://dargo@db.internal/dargo?sslmode=require"}, ""},
		{"postgres sslmode=verify-ca", map[string]string{"DARGO_DATABASE_URL": "postgres://dargo@db.internal/dargo?sslmode=verify-ca"}, ""},
		{"postgres sslmode=verify-full", map[string]string{"DARGO_DATABASE_URL": "postgres://dargo@db.internal/dargo?sslmode=verify-full"}, ""},
		{"postgres sslmode repeated, the last wins", map[string]string{"DARGO_DATABASE_URL": "postgres://dargo@db.internal:5432/dargo?sslmode=require&sslmode=disable"},
			"DARGO_DATABASE_URL connects to db.internal without TLS (sslmode=disable)"},
		{"postgres second host in plain text", map[string]string{"DARGO_DATABASE_URL": "postgres://dargo@127.0.0.1:5432,db2.internal:5432/dargo?sslmode=disable"},
			"DARGO_DATABASE_URL connects to db2.internal without TLS (sslmode=disable)"},
		// This machine: the traffic never leaves it.
		{"postgres on 127.0.0.1", map[string]string{"DARGO_DATABASE_URL": "postgres://dargo@127.0.0.1:5432/dargo?sslmode=disable"}, ""},
		{"postgres on 127.0.1.1", map[string]string{"DARGO_DATABASE_URL": "postgres://dargo@127.0.1.1/dargo"}, ""},
		{"postgres on localhost", map[string]string{"DARGO_DATABASE_URL": "postgres://dargo@localhost/dargo?sslmode=disable"}, ""},
		{"postgres on ::1", map[string]string{"DARGO_DATABASE_URL": "postgres://dargo@[::1]:5432/dargo?sslmode=disable"}, ""},
		{"postgres on a socket", map[string]string{"DARGO_DATABASE_URL": "postgres:///dargo?host=/var/run/postgresql&sslmode=disable"}, ""},
		{"sqlite", map[string]string{"DARGO_DATABASE_URL": "sqlite:data/dargo.db"}, ""},
		// Redis.
		{"redis:// remote", map[string]string{"DARGO_REDIS_URL": "redis://:" + pw + "@cache.internal:6379/0"},
			"DARGO_REDIS_URL connects to cache.internal without TLS (redis://); use rediss:// (or rediss-cluster://), or set DARGO_ALLOW_PLAINTEXT=true if the network is private and encrypted"},
		{"redis-cluster:// with a remote node", map[string]string{"DARGO_REDIS_URL": "redis-cluster://127.0.0.1:7000,10.1.2.3:7001"},
			"DARGO_REDIS_URL connects to 10.1.2.3 without TLS (redis-cluster://)"},
		{"redis-sentinel:// remote", map[string]string{"DARGO_REDIS_URL": "redis-sentinel://sentinel.internal:26379/0?master=mymaster"},
			"DARGO_REDIS_URL connects to sentinel.internal without TLS (redis-sentinel://)"},
		{"rediss:// remote", map[string]string{"DARGO_REDIS_URL": "rediss://:" + pw + "@cache.internal:6379/0"}, ""},
		{"rediss-cluster:// remote", map[string]string{"DARGO_REDIS_URL": "rediss-cluster://10.1.2.3:7000,10.1.2.4:7001"}, ""},
		{"redis:// on 127.0.0.1", map[string]string{"DARGO_REDIS_URL": "redis://127.0.0.1:6379/0"}, ""},
		{"redis:// on localhost", map[string]string{"DARGO_REDIS_URL": "redis://localhost:6379/0"}, ""},
		{"redis:// on ::1", map[string]string{"DARGO_REDIS_URL": "redis://[::1]:6379/0"}, ""},
		{"redis on a socket", map[string]string{"DARGO_REDIS_URL": "redis-socket:///run/redis/redis.sock"}, ""},
		// AWS endpoint overrides (emulators).
		{"http AWS endpoint remote", map[string]string{"AWS_ENDPOINT_URL_S3": "http://minio.internal:9000"},
			"AWS_ENDPOINT_URL_S3 connects to minio.internal without TLS (http://); use https://, or set DARGO_ALLOW_PLAINTEXT=true"},
		{"http AWS endpoint on loopback", map[string]string{"AWS_ENDPOINT_URL": "http://127.0.0.1:5000"}, ""},
		{"https AWS endpoint", map[string]string{"AWS_ENDPOINT_URL_SQS": "https://sqs.internal"}, ""},
		// The operator's word that the network itself is private and encrypted.
		{"allowed plain text", map[string]string{
			"DARGO_DATABASE_URL":    "postgres://dargo@db.internal/dargo?sslmode=disable",
			"DARGO_REDIS_URL":       "redis://cache.internal:6379/0",
			"AWS_ENDPOINT_URL_S3":   "http://minio.internal:9000",
			"DARGO_ALLOW_PLAINTEXT": "true",
		}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := LoadConfig(func(k string) string { return tc.env[k] })
			if err != nil {
				t.Fatal(err)
			}
			var log bytes.Buffer
			env := &Env{Config: cfg, Log: slog.New(slog.NewTextHandler(&log, nil))}
			err = requireTLS(env, usesDatabase|usesRedis|usesAWS)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.want != "" && (err == nil || !strings.HasPrefix(err.Error(), tc.want)):
				t.Fatalf("got %v\nwant %s…", err, tc.want)
			}
			if err != nil && strings.Contains(err.Error(), pw) {
				t.Errorf("the error shows the password: %v", err)
			}
			if cfg.AllowPlaintext {
				if n := strings.Count(log.String(), "DARGO_ALLOW_PLAINTEXT=true allows"); n != 3 {
					t.Errorf("want a warning per plain-text connection (3), got %d:\n%s", n, log.String())
				}
			} else if log.Len() > 0 {
				t.Errorf("logged %s", log.String())
			}
		})
	}
}

// TestRequireTLSOnlyWhatTheProcessUses: the scheduler talks only to Redis,
// dargo inbound not to Redis.
func TestRequireTLSOnlyWhatTheProcessUses(t *testing.T) {
	cfg, err := LoadConfig(func(k string) string {
		return map[string]string{
			"DARGO_DATABASE_URL":  "postgres://dargo@db.internal/dargo?sslmode=disable",
			"DARGO_REDIS_URL":     "redis://cache.internal:6379/0",
			"AWS_ENDPOINT_URL_S3": "http://minio.internal:9000",
		}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		uses int
		want []string
	}{
		{"web and worker", usesDatabase | usesRedis | usesAWS, []string{"DARGO_DATABASE_URL", "DARGO_REDIS_URL", "AWS_ENDPOINT_URL_S3"}},
		{"inbound", usesDatabase | usesAWS, []string{"DARGO_DATABASE_URL", "AWS_ENDPOINT_URL_S3"}},
		{"scheduler", usesRedis, []string{"DARGO_REDIS_URL"}},
	} {
		var got []string
		for _, p := range plaintextLinks(cfg, tc.uses) {
			got = append(got, p.setting)
		}
		if strings.Join(got, ",") != strings.Join(tc.want, ",") {
			t.Errorf("%s: refused %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestPGSSLMODEApplies: without sslmode in the URL, pgx takes PGSSLMODE
// from the environment, and so does the check.
func TestPGSSLMODEApplies(t *testing.T) {
	cfg, err := LoadConfig(func(k string) string {
		if k == "DARGO_DATABASE_URL" {
			return "postgres://dargo@db.internal/dargo"
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("PGSSLMODE", "require")
	if p := plaintextLinks(cfg, usesDatabase); len(p) != 0 {
		t.Errorf("PGSSLMODE=require: refused %v", p)
	}
	t.Setenv("PGSSLMODE", "disable")
	if p := plaintextLinks(cfg, usesDatabase); len(p) != 1 || p[0].how != "sslmode=disable from PGSSLMODE" {
		t.Errorf("PGSSLMODE=disable: %v", p)
	}
}

// TestProcessesRefusePlaintext runs the production processes with settings
// that would cross the network unencrypted: each exits before connecting
// (the hosts are .invalid, so a connection attempt would fail with another
// error) and says why and how to fix it, without the password.
func TestProcessesRefusePlaintext(t *testing.T) {
	const pw = "s3cr3t-pw"
	plainDB := "DARGO_DATABASE_URL=postgres://dargo:" + pw + "@db.invalid:5432/dargo?sslmode=disable"
	plainRedis := "DARGO_REDIS_URL=redis://:" + pw + "@cache.invalid:6379/0"
	const allow = ", or set DARGO_ALLOW_PLAINTEXT=true if the network is private and encrypted\n"
	dbErr := "DARGO_DATABASE_URL connects to db.invalid without TLS (sslmode=disable); use sslmode=require (or verify-full)" + allow
	redisErr := "DARGO_REDIS_URL connects to cache.invalid without TLS (redis://); use rediss:// (or rediss-cluster://)" + allow
	for _, tc := range []struct {
		command string
		env     []string
		want    string
	}{
		{"web", []string{plainDB, "DARGO_REDIS_URL=rediss://cache.invalid:6379/0"}, "dargo web: " + dbErr},
		{"web", []string{"DARGO_DATABASE_URL=postgres://dargo@db.invalid/dargo?sslmode=verify-full", plainRedis}, "dargo web: " + redisErr},
		{"worker", []string{plainDB, "DARGO_REDIS_URL=redis://127.0.0.1:6379/0"}, "dargo worker: " + dbErr},
		{"inbound", []string{plainDB, "DARGO_SQS_QUEUE_URL=https://sqs.invalid/123456789012/dargo-inbound"}, "dargo inbound: " + dbErr},
		{"inbound", []string{"DARGO_DATABASE_URL=postgres://dargo@127.0.0.1/dargo?sslmode=disable", "DARGO_SQS_QUEUE_URL=https://sqs.invalid/1/q",
			"AWS_ENDPOINT_URL=http://moto.invalid:5000"}, "dargo inbound: AWS_ENDPOINT_URL connects to moto.invalid without TLS (http://); use https://" + allow},
		{"scheduler", []string{plainRedis}, "dargo scheduler: " + redisErr},
	} {
		t.Run(tc.command, func(t *testing.T) {
			env := append([]string{"DARGO_SECRET=" + testSecret, "DARGO_LOG_LEVEL=warn"}, tc.env...)
			out, errOut, code := dargo(t, env, nil, tc.command)
			if code != 1 || errOut != tc.want {
				t.Errorf("exit %d, stderr:\n%s\nwant exit 1 and\n%s", code, errOut, tc.want)
			}
			if strings.Contains(out+errOut, pw) {
				t.Errorf("printed the password: %s%s", out, errOut)
			}
		})
	}
}
