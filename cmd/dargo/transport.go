package main

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"

	"github.com/hibiken/asynq"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/dargo-support/dargo/jobs"
)

// What a production process connects to, for requireTLS.
const (
	usesDatabase = 1 << iota
	usesRedis
	usesAWS
)

// awsEndpointVars are the AWS SDK's endpoint overrides for the services
// Dargo calls (moto or MinIO in tests and trials).
var awsEndpointVars = []string{"AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL_SQS", "AWS_ENDPOINT_URL_SESV2"}

// plaintext is a connection that can carry data unencrypted to another
// machine: what mail, sign-in links and passwords would cross the network
// readable.
type plaintext struct {
	setting string // DARGO_DATABASE_URL, DARGO_REDIS_URL or an AWS_ENDPOINT_URL*
	host    string // never the URL itself: it may hold a password
	how     string // "sslmode=disable", "redis://"
	fix     string
}

func (p plaintext) Error() string {
	return fmt.Sprintf("%s connects to %s without TLS (%s); %s, or set DARGO_ALLOW_PLAINTEXT=true if the network is private and encrypted",
		p.setting, p.host, p.how, p.fix)
}

// requireTLS refuses to start a process whose connections (uses, a sum of
// usesDatabase, usesRedis and usesAWS) could travel in plain text to
// another machine, unless DARGO_ALLOW_PLAINTEXT=true; then it warns once
// per connection. Traffic to this machine (loopback addresses, localhost,
// Unix sockets) never leaves it and needs no TLS.
func requireTLS(env *Env, uses int) error {
	found := plaintextLinks(env.Config, uses)
	if env.Config.AllowPlaintext {
		for _, p := range found {
			env.Log.Warn("connecting without TLS, as DARGO_ALLOW_PLAINTEXT=true allows", "setting", p.setting, "host", p.host, "how", p.how)
		}
		return nil
	}
	errs := make([]error, len(found))
	for i, p := range found {
		errs[i] = p
	}
	return errors.Join(errs...)
}

// plaintextLinks lists the connections among uses that may go to another
// machine unencrypted. It reads the settings as the drivers do (pgx and
// asynq parse them here too), so it connects to nothing; a setting the
// driver cannot parse is left for the driver to report.
func plaintextLinks(c *Config, uses int) []plaintext {
	var out []plaintext
	if uses&usesDatabase != 0 {
		if p, ok := plaintextPostgres(c.DatabaseURL); ok {
			out = append(out, p)
		}
	}
	if uses&usesRedis != 0 && c.RedisURL != "" {
		if p, ok := plaintextRedis(c.RedisURL); ok {
			out = append(out, p)
		}
	}
	if uses&usesAWS != 0 {
		for _, name := range awsEndpointVars {
			if p, ok := plaintextEndpoint(name, c.AWSEndpoints[name]); ok {
				out = append(out, p)
			}
		}
	}
	return out
}

// plaintextPostgres reports a PostgreSQL URL that lets pgx talk to a
// remote host without TLS: sslmode disable, allow or prefer (libpq's and
// pgx's default), which falls back to plain text when the server (or a
// man in the middle) declines TLS. PGSSLMODE and PGHOST apply as pgx
// applies them. SQLite is a file.
func plaintextPostgres(dsn string) (plaintext, bool) {
	if !strings.HasPrefix(dsn, "postgres://") && !strings.HasPrefix(dsn, "postgresql://") {
		return plaintext{}, false
	}
	cfg, err := pgconn.ParseConfig(dsn)
	if err != nil {
		return plaintext{}, false
	}
	// pgx tries the primary host, then each fallback (other hosts, and
	// for prefer or allow the same host with the other TLS choice).
	tries := append([]*pgconn.FallbackConfig{{Host: cfg.Host, Port: cfg.Port, TLSConfig: cfg.TLSConfig}}, cfg.Fallbacks...)
	for _, try := range tries {
		if try.TLSConfig == nil && !isLocalHost(try.Host) {
			return plaintext{
				setting: "DARGO_DATABASE_URL",
				host:    try.Host,
				how:     "sslmode=" + sslmode(dsn),
				fix:     "use sslmode=require (or verify-full)",
			}, true
		}
	}
	return plaintext{}, false
}

// sslmode is the sslmode a postgres URL asks for, as pgx reads it.
func sslmode(dsn string) string {
	// pgx takes the last of repeated parameters.
	if u, err := url.Parse(dsn); err == nil && len(u.Query()["sslmode"]) > 0 {
		modes := u.Query()["sslmode"]
		return modes[len(modes)-1]
	}
	if m := os.Getenv("PGSSLMODE"); m != "" {
		return m + " from PGSSLMODE"
	}
	return "prefer, the default"
}

// plaintextRedis reports a Redis URL that reaches a remote host without
// TLS: redis://, redis-cluster:// or redis-sentinel://.
func plaintextRedis(raw string) (plaintext, bool) {
	opt, err := jobs.ParseRedisURL(raw)
	if err != nil {
		return plaintext{}, false
	}
	scheme, _, _ := strings.Cut(raw, "://")
	var addrs []string
	switch o := opt.(type) {
	case asynq.RedisClientOpt:
		if o.TLSConfig != nil || o.Network == "unix" {
			return plaintext{}, false
		}
		addrs = []string{o.Addr}
	case asynq.RedisClusterClientOpt:
		if o.TLSConfig != nil {
			return plaintext{}, false
		}
		addrs = o.Addrs
	case asynq.RedisFailoverClientOpt:
		if o.TLSConfig != nil {
			return plaintext{}, false
		}
		addrs = o.SentinelAddrs
	}
	for _, a := range addrs {
		if h := hostOnly(a); !isLocalHost(h) {
			return plaintext{
				setting: "DARGO_REDIS_URL",
				host:    h,
				how:     scheme + "://",
				fix:     "use rediss:// (or rediss-cluster://)",
			}, true
		}
	}
	return plaintext{}, false
}

// plaintextEndpoint reports an AWS endpoint override that is plain http
// to another machine.
func plaintextEndpoint(name, raw string) (plaintext, bool) {
	u, err := url.Parse(raw)
	if raw == "" || err != nil || u.Scheme != "http" || isLocalHost(u.Hostname()) {
		return plaintext{}, false
	}
	return plaintext{setting: name, host: u.Hostname(), how: "http://", fix: "use https://"}, true
}
