package main

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
)

// Doctor verdicts, worst last.
const (
	verdictOK      = "ok"
	verdictWarn    = "warn"
	verdictBlocker = "BLOCKER"
)

// finding is one line of dargo doctor: a verdict on a setting, and for
// anything short of ok, how to fix it.
type finding struct {
	verdict, setting, what, fix string
}

// runDoctor prints what the configuration lacks for production, one line
// per setting, and fails when anything is a blocker. It reads only the
// environment: it connects to nothing.
func runDoctor(ctx context.Context, env *Env, args []string) error {
	blockers := 0
	for _, f := range diagnose(env.Config) {
		line := fmt.Sprintf("%-7s %s: %s", f.verdict, f.setting, f.what)
		if f.fix != "" {
			line += " (fix: " + f.fix + ")"
		}
		fmt.Fprintln(env.Stdout, line)
		if f.verdict == verdictBlocker {
			blockers++
		}
	}
	if blockers > 0 {
		return fmt.Errorf("%d blocker(s): not ready for production", blockers)
	}
	return nil
}

// diagnose checks c against what a production desk needs.
func diagnose(c *Config) []finding {
	var out []finding
	add := func(verdict, setting, what, fix string) {
		out = append(out, finding{verdict, setting, what, fix})
	}

	if err := checkSecret(c.Secret); err != nil {
		add(verdictBlocker, "DARGO_SECRET", withoutHint(err), makeSecretHint)
	} else {
		add(verdictOK, "DARGO_SECRET", "long and random-looking", "")
	}

	out = append(out, diagnoseDatabase(c.DatabaseURL))
	out = append(out, diagnoseRedis(c.RedisURL))
	out = diagnosePlaintext(c, out)

	switch base, err := url.Parse(c.BaseURL); {
	case err != nil || base.Scheme != "https":
		add(verdictBlocker, "DARGO_BASE_URL", fmt.Sprintf("%q is not https: sign-in links travel in plain text, cookies are not Secure, no HSTS", c.BaseURL),
			"serve Dargo over TLS and set DARGO_BASE_URL=https://your.host")
	default:
		add(verdictOK, "DARGO_BASE_URL", "https (Secure cookies, HSTS)", "")
	}

	switch c.Mailer {
	case "", "ses":
		add(verdictOK, "DARGO_MAILER", "ses", "")
	default:
		add(verdictBlocker, "DARGO_MAILER", fmt.Sprintf("%q keeps outgoing mail in the database: nothing is sent", c.Mailer), "set DARGO_MAILER=ses (or leave it unset)")
	}

	switch {
	case c.TurnstileSecret != "" && c.TurnstileSiteKey != "":
		add(verdictOK, "DARGO_TURNSTILE_SECRET", "public forms are checked for bots", "")
	case c.TurnstileSecret == "" && c.TurnstileSiteKey == "":
		add(verdictWarn, "DARGO_TURNSTILE_SECRET", "not set: robots can fill the public forms (only the rate limits hold them)",
			"set DARGO_TURNSTILE_SITEKEY and DARGO_TURNSTILE_SECRET from Cloudflare Turnstile")
	default:
		add(verdictWarn, "DARGO_TURNSTILE_SECRET", "only one of DARGO_TURNSTILE_SITEKEY and DARGO_TURNSTILE_SECRET is set",
			"set both, from the same Turnstile widget")
	}

	switch {
	case c.SQSQueueURL == "":
		add(verdictOK, "DARGO_SNS_VERIFY", "no DARGO_SQS_QUEUE_URL: dargo inbound is not used", "")
	case !c.SNSVerify:
		add(verdictWarn, "DARGO_SNS_VERIFY", "SNS signatures are not checked: whoever may send to the queue can inject mail",
			"wrap notifications in SNS and set DARGO_SNS_VERIFY=true with DARGO_SNS_TOPIC_ARNS, or lock the queue's policy to SES and SNS")
	case len(c.SNSTopicARNs) == 0:
		add(verdictBlocker, "DARGO_SNS_TOPIC_ARNS", "DARGO_SNS_VERIFY is on but no topic is accepted: dargo inbound refuses to start", "list your SNS topic ARNs, comma-separated")
	default:
		add(verdictOK, "DARGO_SNS_VERIFY", fmt.Sprintf("signatures checked, %d topic(s) accepted", len(c.SNSTopicARNs)), "")
	}

	switch err := checkRandom("DARGO_METRICS_TOKEN", c.MetricsToken); {
	case c.MetricsToken == "":
		add(verdictWarn, "DARGO_METRICS_TOKEN", "not set: /metrics on the ops port (DARGO_OPS_ADDR) answers anyone who reaches that port", "keep the ops port private, or set it to the output of `dargo secret` and give it to Prometheus as a bearer token")
	case err != nil:
		add(verdictWarn, "DARGO_METRICS_TOKEN", withoutHint(err), makeSecretHint)
	default:
		add(verdictOK, "DARGO_METRICS_TOKEN", "set: /metrics, /debug/pprof and /debug/vars ask every peer for it", "")
	}

	if c.MailDomain == "localhost" || c.MailDomain == "" {
		add(verdictBlocker, "DARGO_MAIL_DOMAIN", "localhost: replies cannot reach the desk", "set it to the domain SES receives for")
	} else {
		add(verdictOK, "DARGO_MAIL_DOMAIN", c.MailDomain, "")
	}
	return out
}

// withoutHint is a secret's refusal without how to make one, which the
// fix says.
func withoutHint(err error) string {
	return strings.TrimSuffix(err.Error(), ": "+makeSecretHint)
}

// diagnoseDatabase asks for TLS that cannot be downgraded on any
// PostgreSQL host that is not this machine.
func diagnoseDatabase(dsn string) finding {
	const name = "DARGO_DATABASE_URL"
	if strings.HasPrefix(dsn, "sqlite:") {
		return finding{verdictWarn, name, "SQLite: one machine only, no replicas of dargo web or worker elsewhere", "use PostgreSQL (postgres://…?sslmode=verify-full) for more than one box"}
	}
	hosts, mode := postgresHostsAndMode(dsn)
	remote := ""
	for _, h := range hosts {
		if !isLocalHost(h) {
			remote = h
			break
		}
	}
	switch {
	case remote == "":
		return finding{verdictOK, name, "PostgreSQL on this machine (TLS not needed)", ""}
	case mode == "verify-full" || mode == "verify-ca":
		return finding{verdictOK, name, "PostgreSQL at " + remote + " over TLS, certificate verified (sslmode=" + mode + ")", ""}
	case mode == "require":
		return finding{verdictWarn, name, "PostgreSQL at " + remote + " over TLS without verifying the certificate (sslmode=require)", "use sslmode=verify-full with the server's CA (sslrootcert)"}
	default:
		if mode == "" {
			mode = "prefer, the default"
		}
		return finding{verdictBlocker, name, "PostgreSQL at " + remote + " without enforced TLS (sslmode=" + mode + "): passwords and mail can travel in plain text", "add sslmode=verify-full, or at least sslmode=require"}
	}
}

// postgresHostsAndMode reads the hosts and sslmode of a postgres:// URL or
// a key=value connection string.
func postgresHostsAndMode(dsn string) (hosts []string, mode string) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			return []string{"(unparsable URL)"}, ""
		}
		for _, hp := range strings.Split(u.Host, ",") {
			hosts = append(hosts, hostOnly(hp))
		}
		if h := u.Query().Get("host"); h != "" {
			hosts = strings.Split(h, ",")
		}
		return hosts, u.Query().Get("sslmode")
	}
	for _, kv := range strings.Fields(dsn) {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "host":
			hosts = strings.Split(strings.Trim(v, "'"), ",")
		case "sslmode":
			mode = strings.Trim(v, "'")
		}
	}
	return hosts, mode
}

// diagnoseRedis asks for rediss:// on any Redis host that is not this
// machine.
func diagnoseRedis(raw string) finding {
	const name = "DARGO_REDIS_URL"
	if raw == "" {
		return finding{verdictBlocker, name, "not set: dargo web, worker and scheduler refuse to start", "set it to rediss://… (or redis:// on this machine)"}
	}
	scheme, rest, _ := strings.Cut(raw, "://")
	if scheme == "redis-socket" {
		return finding{verdictOK, name, "Redis on a local socket", ""}
	}
	if at := strings.LastIndexByte(rest, '@'); at >= 0 {
		rest = rest[at+1:]
	}
	if i := strings.IndexAny(rest, "/?"); i >= 0 {
		rest = rest[:i]
	}
	remote := ""
	for _, hp := range strings.Split(rest, ",") {
		if h := hostOnly(hp); !isLocalHost(h) {
			remote = h
			break
		}
	}
	switch {
	case remote == "":
		return finding{verdictOK, name, "Redis on this machine (TLS not needed)", ""}
	case strings.HasPrefix(scheme, "rediss"):
		return finding{verdictOK, name, "Redis at " + remote + " over TLS", ""}
	default:
		return finding{verdictBlocker, name, "Redis at " + remote + " in plain text (" + scheme + "://): sealed sign-in links and task payloads cross the network readable", "use rediss://, or rediss-cluster://"}
	}
}

// diagnosePlaintext applies the check the production processes make at
// start (requireTLS): with DARGO_ALLOW_PLAINTEXT=true a plain-text
// PostgreSQL or Redis is a warning instead of a blocker, since the
// processes start; an AWS endpoint override in plain http to another host
// gets a line of its own.
func diagnosePlaintext(c *Config, out []finding) []finding {
	for _, p := range plaintextLinks(c, usesDatabase|usesRedis|usesAWS) {
		what := fmt.Sprintf("%s at %s without TLS (%s)", p.setting, p.host, p.how)
		if !c.AllowPlaintext {
			if strings.HasPrefix(p.setting, "AWS_") {
				out = append(out, finding{verdictBlocker, p.setting, what + ": dargo web, worker and inbound refuse to start", p.fix})
			}
			continue
		}
		f := finding{verdictWarn, p.setting, what + ", allowed by DARGO_ALLOW_PLAINTEXT=true: safe only on a private, encrypted network",
			p.fix + " and unset DARGO_ALLOW_PLAINTEXT"}
		replaced := false
		for i := range out {
			if out[i].setting == p.setting {
				out[i], replaced = f, true
			}
		}
		if !replaced {
			out = append(out, f)
		}
	}
	return out
}

// hostOnly drops the port from host:port (or [v6]:port).
func hostOnly(hp string) string {
	if h, _, err := net.SplitHostPort(hp); err == nil {
		return h
	}
	return strings.Trim(hp, "[]")
}

// isLocalHost reports whether a host is this machine: loopback, localhost
// or a Unix socket directory.
func isLocalHost(h string) bool {
	if h == "" || h == "localhost" || strings.HasPrefix(h, "/") {
		return true
	}
	ip, err := netip.ParseAddr(h)
	return err == nil && ip.IsLoopback()
}
