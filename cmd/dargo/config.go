package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/mail"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dargo-support/dargo/store"
	"github.com/dargo-support/dargo/web"
)

// Config is every DARGO_* setting, read once from the environment.
type Config struct {
	DatabaseURL  string
	BaseURL      string
	SMTPAddr     string
	MailDomain   string
	Secret       string
	From         string
	Categories   map[string]string
	MaxMailBytes int64
	AutoMailCap  int
	LogLevel     slog.Level

	// CategoryLabels are what customers read for a category, by code
	// (DARGO_CATEGORY_NAMES); Categories maps addresses to codes.
	CategoryLabels map[string]string

	HTTPAddr      string
	RedisURL      string
	Mailer        string // ses or outbox; "" means the command's default
	SESMaxRate    float64
	Concurrency   int
	Queues        map[string]int
	RelayInterval time.Duration
	UndoWindow    time.Duration   // DARGO_UNDO_SECONDS
	NoticeWait    time.Duration   // DARGO_NOTIFY_DIGEST_SECONDS
	TagsVisible   bool            // DARGO_TAGS_VISIBLE
	Zone          *time.Location  // DARGO_TIME_ZONE
	Lifecycle     store.Lifecycle // DARGO_AUTOCLOSE_DAYS, DARGO_AUTOCLOSE_WARN_HOURS, DARGO_CLOSE_DAYS, DARGO_REOPEN_DAYS

	SQSQueueURL         string
	SQSFeedbackQueueURL string
	BlobBucket          string
	BlobKMSKey          string
	SNSVerify           bool
	SNSTopicARNs        []string
	SpamPolicy          string
	MaxCc               int
	TrustedAuthServIDs  []string
	InboundReceivers    int
	InboundProcessors   int
	SQSVisibility       time.Duration // DARGO_SQS_VISIBILITY

	// OpsAddr is where /healthz, /readyz, /metrics and /debug/pprof are
	// served (DARGO_OPS_ADDR):
	// "" means the process's own default (opsDefaults), "off" none.
	OpsAddr string

	TrustedProxies     []netip.Prefix
	BehindCloudflare   bool
	TurnstileSiteKey   string
	TurnstileSecret    string
	TurnstileVerifyURL string
	Limits             web.Limits
	DevAdmin           string

	RawMailDays  int
	LoginLogDays int
	UsageDays    int
	MetricsToken string

	// AllowPlaintext lets the production processes connect to PostgreSQL,
	// Redis and AWS endpoints on other machines without TLS.
	AllowPlaintext bool
	// AWSEndpoints are the AWS SDK's endpoint overrides that are set
	// (AWS_ENDPOINT_URL and its per-service forms), by variable name; read
	// here only to refuse plain http to another machine.
	AWSEndpoints map[string]string
}

// setting documents one environment variable; help prints them in order.
type setting struct {
	name, def, doc string
}

var settings = []setting{
	{"DARGO_DATABASE_URL", "sqlite:data/dargo.db", "postgres://… or sqlite:PATH (folder created on demand)"},
	{"DARGO_BASE_URL", defaultBaseURL, "public URL of the web tier, for links in mail"},
	{"DARGO_SMTP_ADDR", "127.0.0.1:2525", "dev SMTP listener for inbound mail (dargo dev)"},
	{"DARGO_MAIL_DOMAIN", "localhost", "receiving domain; reply addresses are support+<N>-<mac>@ this"},
	{"DARGO_SECRET", "", "HMAC key for reply addresses and sealed links: at least 32 random bytes (dargo secret makes one); dargo dev alone falls back to a public dev key"},
	{"DARGO_FROM", "Dargo Support <support@localhost>", "From address of outgoing mail"},
	{"DARGO_CATEGORIES", "", "category=address pairs, comma-separated, e.g. billing=billing@example.com"},
	{"DARGO_CATEGORY_NAMES", "", "what customers read for a category: category=Name pairs, comma-separated, e.g. billing=Billing and invoices; an unnamed category is capitalised (general: General)"},
	{"DARGO_MAX_MAIL_BYTES", "41943040", "larger inbound mail is quarantined unparsed (40 MiB, the SES limit)"},
	{"DARGO_AUTO_MAIL_CAP", "5", "automatic mails (confirmations) per address per hour; stops robot loops"},
	{"DARGO_LOG_LEVEL", "info", "debug, info, warn or error (any case); anything else is a configuration error"},
	{"DARGO_HTTP_ADDR", "127.0.0.1:8080", "address the web tier (in dev: the outbox pages) listens on"},
	{"DARGO_REDIS_URL", "", "redis://, rediss://, redis-sentinel://… or redis-cluster://h1,h2; unset in dev: an in-process stand-in"},
	{"DARGO_MAILER", "", "ses or outbox (default: ses for dargo worker, outbox for dargo dev)"},
	{"DARGO_SES_MAX_RATE", "0", "mails per second across all workers; 0 asks SES GetAccount's MaxSendRate"},
	{"DARGO_WORKER_CONCURRENCY", "10", "tasks one worker process runs at once (or dargo worker --concurrency)"},
	{"DARGO_QUEUES", "critical=6,default=3,low=1", "queue priorities (or dargo worker --queues)"},
	{"DARGO_RELAY_INTERVAL", "1s", "how often the worker's outbox relay looks for new rows"},
	{"DARGO_UNDO_SECONDS", "10", "seconds a staff reply's or status change's mail waits in the outbox while its author may Undo; 0 sends at once"},
	{"DARGO_NOTIFY_DIGEST_SECONDS", "60", "seconds a staff notice waits in the outbox so that more news about the same ticket joins it as one digest; 0 sends each at once"},
	{"DARGO_TAGS_VISIBLE", "false", "true: customers see their tickets' tags on the portal and in their data export"},
	{"DARGO_TIME_ZONE", "UTC", "the desk's IANA time zone (e.g. Europe/Berlin): staff who chose none on /account see times in it"},
	{"DARGO_AUTOCLOSE_DAYS", "7", "days a pending ticket waits for the customer's answer before Dargo resolves it; 0 never"},
	{"DARGO_AUTOCLOSE_WARN_HOURS", "48", "hours before auto-closing that the customer is told (and the least time between that mail and the resolution); 0 no warning"},
	{"DARGO_CLOSE_DAYS", "7", "days a resolved ticket stays resolved before it is closed (silently); 0 never"},
	{"DARGO_REOPEN_DAYS", "30", "days a closed ticket still reopens when its customer writes; after that their mail opens a linked follow-up ticket; 0 always reopens"},
	{"DARGO_SQS_QUEUE_URL", "", "the SQS queue SES receipts arrive on (dargo inbound)"},
	{"DARGO_SQS_FEEDBACK_QUEUE_URL", "", "a second queue for bounce and complaint notifications, if separate"},
	{"DARGO_BLOB_BUCKET", "", "S3 bucket for raw mail and attachments; unset: they stay in the database"},
	{"DARGO_BLOB_KMS_KEY", "", "KMS key (id or ARN) every blob object is encrypted with (SSE-KMS); unset: SSE-S3 (AES256)"},
	{"DARGO_ALLOW_PLAINTEXT", "false", "true: dargo web, worker, inbound and scheduler accept PostgreSQL without sslmode=require, redis:// and http:// AWS endpoints on other hosts"},
	{"DARGO_SNS_VERIFY", "false", "verify SNS message signatures (true when SNS wraps the notifications)"},
	{"DARGO_SNS_TOPIC_ARNS", "", "comma-separated SNS topic ARNs whose messages are accepted (required with DARGO_SNS_VERIFY); also the only topics whose notifications by mail are acted on"},
	{"DARGO_SPAM_POLICY", "quarantine", "what a spam verdict FAIL does: quarantine or flag"},
	{"DARGO_MAX_CC", "10", "people one verified mail may add to a ticket from To/Cc; the rest are suggested to staff"},
	{"DARGO_TRUSTED_AUTHSERV_IDS", "", "comma-separated authserv-ids (your MTA's host name) whose Authentication-Results headers are believed"},
	{"DARGO_INBOUND_RECEIVERS", "1", "concurrent SQS long-polls per dargo inbound process"},
	{"DARGO_INBOUND_PROCESSORS", "4", "mails one dargo inbound process handles at once"},
	{"DARGO_SQS_VISIBILITY", "60s", "how long a received SQS message stays hidden, renewed every third of it while its mail is processed; a killed consumer's mail comes back after at most this"},
	{"DARGO_OPS_ADDR", "", "where a process serves /healthz, /readyz, /metrics, /debug/pprof and /debug/vars; default per process: dev 127.0.0.1:9090, web :9091, inbound :9092, worker :9093, scheduler :9094 (on 127.0.0.1); off: none"},
	{"DARGO_TRUSTED_PROXIES", "", "addresses or CIDRs of proxies whose X-Forwarded-For (or CF-Connecting-IP) names the client"},
	{"DARGO_BEHIND_CLOUDFLARE", "false", "true: trusted proxies are Cloudflare's, and CF-Connecting-IP names the client"},
	{"DARGO_TURNSTILE_SITEKEY", "", "Cloudflare Turnstile site key: shows the widget on public forms"},
	{"DARGO_TURNSTILE_SECRET", "", "Turnstile secret: verifies public forms; unset turns verification off (a warning at start)"},
	{"DARGO_TURNSTILE_VERIFY_URL", "https://challenges.cloudflare.com/turnstile/v0/siteverify", "Turnstile siteverify endpoint"},
	{"DARGO_LOGIN_LINKS_PER_ADDRESS", "5", "sign-in links mailed to one address per hour (all web replicas together)"},
	{"DARGO_LOGIN_LINKS_PER_IP", "20", "sign-in links asked for from one IP per hour"},
	{"DARGO_LOGIN_CONFIRMS_PER_IP", "30", "sign-in confirmations from one IP per hour"},
	{"DARGO_RAW_MAIL_DAYS", "30", "days raw inbound mail (quarantined too) is kept; then its bytes go, the parsed message stays"},
	{"DARGO_LOGIN_LOG_DAYS", "90", "days sign-in records, ended sessions, IP addresses and user agents are kept"},
	{"DARGO_USAGE_DAYS", "30", "days raw usage events (pseudonymous page views and feature use) are kept; daily counts stay"},
	{"DARGO_METRICS_TOKEN", "", "bearer token the ops listener asks of every peer, loopback too, for /metrics, /debug/pprof and /debug/vars; unset: /metrics is open on the ops port, /debug loopback only"},
	{"DARGO_DEV_ADMIN", "admin@localhost", "admin account dargo dev creates at start (sign in at /login; the link lands in /dev/mail)"},
}

const defaultBaseURL = "http://127.0.0.1:8080"

// LoadConfig reads the environment (getenv is os.Getenv outside tests).
func LoadConfig(getenv func(string) string) (*Config, error) {
	get := func(name string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		for _, s := range settings {
			if s.name == name {
				return s.def
			}
		}
		return ""
	}
	c := &Config{
		DatabaseURL: get("DARGO_DATABASE_URL"),
		BaseURL:     strings.TrimRight(get("DARGO_BASE_URL"), "/"),
		SMTPAddr:    get("DARGO_SMTP_ADDR"),
		MailDomain:  strings.ToLower(get("DARGO_MAIL_DOMAIN")),
		Secret:      get("DARGO_SECRET"),
		From:        get("DARGO_FROM"),
		Categories:  map[string]string{},
	}
	c.HTTPAddr = get("DARGO_HTTP_ADDR")
	c.RedisURL = get("DARGO_REDIS_URL")
	c.Mailer = get("DARGO_MAILER")
	var errs []error
	var err error
	if c.LogLevel, err = parseLogLevel(get("DARGO_LOG_LEVEL")); err != nil {
		errs = append(errs, err)
	}
	if c.Mailer != "" && c.Mailer != "ses" && c.Mailer != "outbox" {
		errs = append(errs, fmt.Errorf("DARGO_MAILER: want ses or outbox, got %q", c.Mailer))
	}
	if c.SESMaxRate, err = strconv.ParseFloat(get("DARGO_SES_MAX_RATE"), 64); err != nil || c.SESMaxRate < 0 {
		errs = append(errs, fmt.Errorf("DARGO_SES_MAX_RATE: want mails per second ≥ 0, got %q", get("DARGO_SES_MAX_RATE")))
	}
	if c.Concurrency, err = strconv.Atoi(get("DARGO_WORKER_CONCURRENCY")); err != nil || c.Concurrency < 1 {
		errs = append(errs, fmt.Errorf("DARGO_WORKER_CONCURRENCY: want a number ≥ 1, got %q", get("DARGO_WORKER_CONCURRENCY")))
	}
	if c.Queues, err = ParseQueues(get("DARGO_QUEUES")); err != nil {
		errs = append(errs, fmt.Errorf("DARGO_QUEUES: %w", err))
	}
	c.SQSQueueURL = get("DARGO_SQS_QUEUE_URL")
	c.SQSFeedbackQueueURL = get("DARGO_SQS_FEEDBACK_QUEUE_URL")
	c.BlobBucket = get("DARGO_BLOB_BUCKET")
	c.BlobKMSKey = get("DARGO_BLOB_KMS_KEY")
	if c.AllowPlaintext, err = strconv.ParseBool(get("DARGO_ALLOW_PLAINTEXT")); err != nil {
		errs = append(errs, fmt.Errorf("DARGO_ALLOW_PLAINTEXT: want true or false, got %q", get("DARGO_ALLOW_PLAINTEXT")))
	}
	c.AWSEndpoints = map[string]string{}
	for _, name := range awsEndpointVars {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			c.AWSEndpoints[name] = v
		}
	}
	for _, arn := range strings.Split(get("DARGO_SNS_TOPIC_ARNS"), ",") {
		if arn = strings.TrimSpace(arn); arn != "" {
			c.SNSTopicARNs = append(c.SNSTopicARNs, arn)
		}
	}
	if c.SNSVerify, err = strconv.ParseBool(get("DARGO_SNS_VERIFY")); err != nil {
		errs = append(errs, fmt.Errorf("DARGO_SNS_VERIFY: want true or false, got %q", get("DARGO_SNS_VERIFY")))
	}
	if c.SpamPolicy = get("DARGO_SPAM_POLICY"); c.SpamPolicy != "quarantine" && c.SpamPolicy != "flag" {
		errs = append(errs, fmt.Errorf("DARGO_SPAM_POLICY: want quarantine or flag, got %q", c.SpamPolicy))
	}
	if c.MaxCc, err = strconv.Atoi(get("DARGO_MAX_CC")); err != nil || c.MaxCc < 0 {
		errs = append(errs, fmt.Errorf("DARGO_MAX_CC: want a number ≥ 0, got %q", get("DARGO_MAX_CC")))
	}
	for _, id := range strings.Split(get("DARGO_TRUSTED_AUTHSERV_IDS"), ",") {
		if id = strings.TrimSpace(id); id != "" {
			c.TrustedAuthServIDs = append(c.TrustedAuthServIDs, id)
		}
	}
	if c.InboundReceivers, err = strconv.Atoi(get("DARGO_INBOUND_RECEIVERS")); err != nil || c.InboundReceivers < 1 {
		errs = append(errs, fmt.Errorf("DARGO_INBOUND_RECEIVERS: want a number ≥ 1, got %q", get("DARGO_INBOUND_RECEIVERS")))
	}
	if c.InboundProcessors, err = strconv.Atoi(get("DARGO_INBOUND_PROCESSORS")); err != nil || c.InboundProcessors < 1 {
		errs = append(errs, fmt.Errorf("DARGO_INBOUND_PROCESSORS: want a number ≥ 1, got %q", get("DARGO_INBOUND_PROCESSORS")))
	}
	if c.SQSVisibility, err = parseSeconds(get("DARGO_SQS_VISIBILITY")); err != nil || c.SQSVisibility < 3*time.Second || c.SQSVisibility > 12*time.Hour {
		errs = append(errs, fmt.Errorf("DARGO_SQS_VISIBILITY: want a duration from 3s to 12h (60s, or 60 for seconds), got %q", get("DARGO_SQS_VISIBILITY")))
	}
	c.OpsAddr = get("DARGO_OPS_ADDR")
	if c.TrustedProxies, err = web.ParseProxies(get("DARGO_TRUSTED_PROXIES")); err != nil {
		errs = append(errs, fmt.Errorf("DARGO_TRUSTED_PROXIES: want addresses or CIDRs, %w", err))
	}
	if c.BehindCloudflare, err = strconv.ParseBool(get("DARGO_BEHIND_CLOUDFLARE")); err != nil {
		errs = append(errs, fmt.Errorf("DARGO_BEHIND_CLOUDFLARE: want true or false, got %q", get("DARGO_BEHIND_CLOUDFLARE")))
	}
	if c.TagsVisible, err = strconv.ParseBool(get("DARGO_TAGS_VISIBLE")); err != nil {
		errs = append(errs, fmt.Errorf("DARGO_TAGS_VISIBLE: want true or false, got %q", get("DARGO_TAGS_VISIBLE")))
	}
	c.TurnstileSiteKey = get("DARGO_TURNSTILE_SITEKEY")
	c.TurnstileSecret = get("DARGO_TURNSTILE_SECRET")
	c.TurnstileVerifyURL = get("DARGO_TURNSTILE_VERIFY_URL")
	c.DevAdmin = get("DARGO_DEV_ADMIN")
	c.MetricsToken = get("DARGO_METRICS_TOKEN")
	for _, l := range []struct {
		name string
		to   *int
	}{
		{"DARGO_LOGIN_LINKS_PER_ADDRESS", &c.Limits.LinksPerAddress},
		{"DARGO_LOGIN_LINKS_PER_IP", &c.Limits.LinksPerIP},
		{"DARGO_LOGIN_CONFIRMS_PER_IP", &c.Limits.ConfirmsPerIP},
		{"DARGO_RAW_MAIL_DAYS", &c.RawMailDays},
		{"DARGO_LOGIN_LOG_DAYS", &c.LoginLogDays},
		{"DARGO_USAGE_DAYS", &c.UsageDays},
	} {
		if *l.to, err = strconv.Atoi(get(l.name)); err != nil || *l.to < 1 {
			errs = append(errs, fmt.Errorf("%s: want a number ≥ 1, got %q", l.name, get(l.name)))
		}
	}
	if c.RelayInterval, err = time.ParseDuration(get("DARGO_RELAY_INTERVAL")); err != nil || c.RelayInterval <= 0 {
		errs = append(errs, fmt.Errorf("DARGO_RELAY_INTERVAL: want a duration such as 1s, got %q", get("DARGO_RELAY_INTERVAL")))
	}
	if undo, err := strconv.Atoi(get("DARGO_UNDO_SECONDS")); err != nil || undo < 0 || undo > 3600 {
		errs = append(errs, fmt.Errorf("DARGO_UNDO_SECONDS: want a number of seconds from 0 to 3600, got %q", get("DARGO_UNDO_SECONDS")))
	} else {
		c.UndoWindow = time.Duration(undo) * time.Second
	}
	if wait, err := strconv.Atoi(get("DARGO_NOTIFY_DIGEST_SECONDS")); err != nil || wait < 0 || wait > 3600 {
		errs = append(errs, fmt.Errorf("DARGO_NOTIFY_DIGEST_SECONDS: want a number of seconds from 0 to 3600, got %q", get("DARGO_NOTIFY_DIGEST_SECONDS")))
	} else {
		c.NoticeWait = time.Duration(wait) * time.Second
	}
	if c.Zone, err = time.LoadLocation(get("DARGO_TIME_ZONE")); err != nil || get("DARGO_TIME_ZONE") == "" || strings.EqualFold(get("DARGO_TIME_ZONE"), "local") {
		errs = append(errs, fmt.Errorf("DARGO_TIME_ZONE: want an IANA time zone such as Europe/Berlin or UTC, got %q", get("DARGO_TIME_ZONE")))
	}
	if c.Lifecycle, err = parseLifecycle(get); err != nil {
		errs = append(errs, err)
	}
	if c.MaxMailBytes, err = strconv.ParseInt(get("DARGO_MAX_MAIL_BYTES"), 10, 64); err != nil || c.MaxMailBytes <= 0 {
		errs = append(errs, fmt.Errorf("DARGO_MAX_MAIL_BYTES: want a positive number of bytes, got %q", get("DARGO_MAX_MAIL_BYTES")))
	}
	if c.AutoMailCap, err = strconv.Atoi(get("DARGO_AUTO_MAIL_CAP")); err != nil || c.AutoMailCap < 0 {
		errs = append(errs, fmt.Errorf("DARGO_AUTO_MAIL_CAP: want a number ≥ 0, got %q", get("DARGO_AUTO_MAIL_CAP")))
	}
	if v := get("DARGO_CATEGORIES"); v != "" {
		for _, pair := range strings.Split(v, ",") {
			name, addr, ok := strings.Cut(strings.TrimSpace(pair), "=")
			if !ok || name == "" || !strings.Contains(addr, "@") {
				errs = append(errs, fmt.Errorf("DARGO_CATEGORIES: want category=address, got %q", pair))
				continue
			}
			c.Categories[strings.ToLower(strings.TrimSpace(addr))] = strings.TrimSpace(name)
		}
	}
	if c.CategoryLabels, err = parseCategoryLabels(get("DARGO_CATEGORY_NAMES"), c.categoryNames()); err != nil {
		errs = append(errs, err)
	}
	if _, err := mail.ParseAddress(c.From); err != nil {
		errs = append(errs, fmt.Errorf("DARGO_FROM: %w", err))
	}
	return c, errors.Join(errs...)
}

// logLevels are DARGO_LOG_LEVEL's values.
var logLevels = map[string]slog.Level{"debug": slog.LevelDebug, "info": slog.LevelInfo, "warn": slog.LevelWarn, "error": slog.LevelError}

// parseLogLevel reads DARGO_LOG_LEVEL, in any case.
func parseLogLevel(v string) (slog.Level, error) {
	l, ok := logLevels[strings.ToLower(v)]
	if !ok {
		return 0, fmt.Errorf("DARGO_LOG_LEVEL: want debug, info, warn or error, got %q", v)
	}
	return l, nil
}

// AutoWindow is the window of the automatic-mail cap.
const AutoWindow = time.Hour

func printSettings(w io.Writer) {
	fmt.Fprintln(w, "Environment (default in brackets):")
	width := 0
	for _, s := range settings {
		width = max(width, len(s.name))
	}
	for _, s := range settings {
		fmt.Fprintf(w, "  %-*s  %s [%s]\n", width, s.name, s.doc, s.def)
	}
	fmt.Fprintln(w, "  AWS_REGION, AWS_ENDPOINT_URL_SQS, AWS_ENDPOINT_URL_SESV2, AWS_ENDPOINT_URL_S3 and credentials: the AWS SDK's own")
}

// ParseQueues reads "critical=6,default=3,low=1".
func ParseQueues(v string) (map[string]int, error) {
	out := map[string]int{}
	for _, pair := range strings.Split(v, ",") {
		name, prio, ok := strings.Cut(strings.TrimSpace(pair), "=")
		n, err := strconv.Atoi(prio)
		if !ok || name == "" || err != nil || n < 1 {
			return nil, fmt.Errorf("want queue=priority pairs such as critical=6,default=3,low=1, got %q", pair)
		}
		out[name] = n
	}
	return out, nil
}

// parseCategoryLabels reads DARGO_CATEGORY_NAMES: category=Name pairs for
// categories that exist, so that a typo fails at start.
func parseCategoryLabels(v string, categories []string) (map[string]string, error) {
	labels := map[string]string{}
	if strings.TrimSpace(v) == "" {
		return labels, nil
	}
	var errs []error
	for _, pair := range strings.Split(v, ",") {
		code, name, ok := strings.Cut(strings.TrimSpace(pair), "=")
		code, name = strings.TrimSpace(code), strings.TrimSpace(name)
		switch {
		case !ok || code == "" || name == "" || len(name) > 60:
			errs = append(errs, fmt.Errorf("DARGO_CATEGORY_NAMES: want category=Name (a name of at most 60 bytes), got %q", pair))
		case !slices.Contains(categories, code):
			errs = append(errs, fmt.Errorf("DARGO_CATEGORY_NAMES: no category %q (categories: %s)", code, strings.Join(categories, ", ")))
		default:
			labels[code] = name
		}
	}
	return labels, errors.Join(errs...)
}

// parseSeconds reads a duration written as Go writes one (90s, 2m) or as
// a plain number of seconds.
func parseSeconds(s string) (time.Duration, error) {
	if n, err := strconv.Atoi(s); err == nil {
		return time.Duration(n) * time.Second, nil
	}
	return time.ParseDuration(s)
}
