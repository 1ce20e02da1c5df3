package main

import (
	"errors"
	"fmt"
	"io"
	"net/mail"
	"strconv"
	"strings"
	"time"
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
	LogLevel     string
}

// setting documents one environment variable; help prints them in order.
type setting struct {
	name, def, doc string
}

var settings = []setting{
	{"DARGO_DATABASE_URL", "sqlite:data/dargo.db", "postgres://… or sqlite:PATH (folder created on demand)"},
	{"DARGO_BASE_URL", "http://127.0.0.1:8080", "public URL of the web tier, for links in mail"},
	{"DARGO_SMTP_ADDR", "127.0.0.1:2525", "dev SMTP listener for inbound mail (dargo dev)"},
	{"DARGO_MAIL_DOMAIN", "localhost", "receiving domain; reply addresses are support+<N>-<mac>@ this"},
	{"DARGO_SECRET", "", "HMAC key for reply addresses; required outside dev (a fixed dev key is used when empty)"},
	{"DARGO_FROM", "Dargo Support <support@localhost>", "From address of outgoing mail"},
	{"DARGO_CATEGORIES", "", "category=address pairs, comma-separated, e.g. billing=billing@example.com"},
	{"DARGO_MAX_MAIL_BYTES", "41943040", "larger inbound mail is quarantined unparsed (40 MiB, the SES limit)"},
	{"DARGO_AUTO_MAIL_CAP", "5", "automatic mails (confirmations) per address per hour; stops robot loops"},
	{"DARGO_LOG_LEVEL", "info", "debug, info, warn or error"},
}

const devSecret = "dargo-dev-secret-do-not-use-in-production"

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
		LogLevel:    get("DARGO_LOG_LEVEL"),
		Categories:  map[string]string{},
	}
	var errs []error
	var err error
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
	if _, err := mail.ParseAddress(c.From); err != nil {
		errs = append(errs, fmt.Errorf("DARGO_FROM: %w", err))
	}
	return c, errors.Join(errs...)
}

// Validate checks rules that production processes must keep.
func (c *Config) Validate(production bool) error {
	if production && c.Secret == "" {
		return errors.New("DARGO_SECRET must be set (a long random string)")
	}
	if production && len(c.Secret) < 16 {
		return errors.New("DARGO_SECRET is too short: use at least 16 random characters")
	}
	return nil
}

// secret is the configured secret, or the fixed dev key.
func (c *Config) secret() string {
	if c.Secret == "" {
		return devSecret
	}
	return c.Secret
}

// AutoWindow is the window of the automatic-mail cap.
const AutoWindow = time.Hour

func printSettings(w io.Writer) {
	fmt.Fprintln(w, "Environment (default in brackets):")
	for _, s := range settings {
		fmt.Fprintf(w, "  %-22s %s [%s]\n", s.name, s.doc, s.def)
	}
	fmt.Fprintln(w, "  AWS_REGION, AWS_ENDPOINT_URL_SQS, AWS_ENDPOINT_URL_SESV2, AWS_ENDPOINT_URL_S3 and credentials: the AWS SDK's own")
}
