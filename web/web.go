package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/dargo-support/dargo/internal/turnstile"
	"github.com/dargo-support/dargo/store"
)

// PrivacyCategory is the category of requests about personal data (access,
// correction, erasure): they are due PrivacyDue after they arrive.
const (
	PrivacyCategory = "privacy"
	PrivacyDue      = 30 * 24 * time.Hour
)

// The lifetimes our privacy policy promises.
const (
	TokenTTL   = 15 * time.Minute
	SessionTTL = 7 * 24 * time.Hour
)

// Store is what the web tier needs from the database.
type Store interface {
	Ping(ctx context.Context) error
	RequestLogin(ctx context.Context, r store.LoginRequest) error
	TokenEmail(ctx context.Context, tokenHash string) (string, error)
	ConfirmLogin(ctx context.Context, l store.Login) (*store.LoggedIn, error)
	SessionUser(ctx context.Context, tokenHash string) (*store.Session, *store.User, error)
	TouchSession(ctx context.Context, id int64) error
	Logout(ctx context.Context, tokenHash string) error
	LogoutEverywhere(ctx context.Context, userID int64) (int64, error)
	Sessions(ctx context.Context, userID int64) ([]store.Session, error)
	EndedSessions(ctx context.Context, userID int64, limit int) ([]store.Session, error)
	Logins(ctx context.Context, userID int64, limit int) ([]store.LoginRecord, error)
	Staff(ctx context.Context) ([]store.User, error)
}

var _ Store = (*store.DB)(nil)

// Opts is what the web tier needs.
type Opts struct {
	Store Store
	// Tickets serves the portal and the inbox; nil means Store, which must
	// then implement TicketStore too.
	Tickets TicketStore
	// Privacy serves export, correction and erasure; nil means Store.
	Privacy PrivacyStore
	// Usage records usage events and reports them; nil means Store.
	Usage UsageStore
	// ReplyTo gives a ticket's reply address, for exports.
	ReplyTo func(number int64) string
	// Categories a ticket may have (DARGO_CATEGORIES' names and "general").
	Categories []string
	// CategoryLabels are what customers read for a category, by code
	// (DARGO_CATEGORY_NAMES); an unnamed code is capitalised.
	CategoryLabels map[string]string
	// Redis holds the rate limits every replica shares; it is the queue's
	// Redis (DARGO_REDIS_URL), which admins read at /admin/queues.
	Redis redis.UniversalClient
	// BaseURL is where people reach Dargo (DARGO_BASE_URL): absolute links,
	// and on https, Secure cookies with the __Host- prefix.
	BaseURL string
	// Secret seals magic links on their way to the worker (DARGO_SECRET).
	Secret string
	// TrustedProxies may set X-Forwarded-For, and CF-Connecting-IP when
	// BehindCloudflare.
	TrustedProxies   []netip.Prefix
	BehindCloudflare bool
	// Turnstile verifies the public forms; an empty Secret turns it off.
	Turnstile turnstile.Verifier
	// TurnstileSiteKey shows the widget on the public forms when set.
	TurnstileSiteKey string
	Limits           Limits
	// Held releases held (quarantined) mail from /admin/held: the inbound
	// pipeline. nil: the page lists and deletes held mail but cannot release it.
	Held HeldReleaser
	// DevMail serves the dev outbox at /dev/mail (dargo dev only).
	DevMail DevMailStore
	// UndoWindow holds every staff reply's and status change's mail in the
	// outbox this long, while its author may undo it (DARGO_UNDO_SECONDS);
	// 0 sends at once and offers no Undo.
	UndoWindow time.Duration
	// TagsVisible shows customers their tickets' tags, on the portal and
	// in their data export (DARGO_TAGS_VISIBLE); staff see them always.
	TagsVisible bool
	// Zones are staff members' time zones, which their pages say times in;
	// nil means Store when it has them, else everyone sees UTC.
	Zones ZoneStore
	// Now is the clock of "2 h ago" on pages; nil is time.Now.
	Now    func() time.Time
	Logger *slog.Logger
}

// Limits are how many requests per hour one address or IP may make.
type Limits struct {
	LinksPerAddress int // magic links mailed to one address
	LinksPerIP      int // magic links asked for from one IP
	ConfirmsPerIP   int // sign-in confirmations from one IP
}

// DefaultLimits are the limits when Opts.Limits is zero.
var DefaultLimits = Limits{LinksPerAddress: 5, LinksPerIP: 20, ConfirmsPerIP: 30}

// New returns the web tier's handler.
func New(o Opts) (http.Handler, error) {
	base, err := url.Parse(o.BaseURL)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("web: DARGO_BASE_URL %q: want http(s)://host", o.BaseURL)
	}
	if o.Store == nil || o.Redis == nil || o.Logger == nil {
		return nil, errors.New("web: Store, Redis and Logger are required")
	}
	if o.Tickets == nil {
		t, ok := o.Store.(TicketStore)
		if !ok {
			return nil, errors.New("web: Tickets is required")
		}
		o.Tickets = t
	}
	if o.Privacy == nil {
		p, ok := o.Store.(PrivacyStore)
		if !ok {
			return nil, errors.New("web: Privacy is required")
		}
		o.Privacy = p
	}
	if o.Usage == nil {
		u, ok := o.Store.(UsageStore)
		if !ok {
			return nil, errors.New("web: Usage is required")
		}
		o.Usage = u
	}
	if o.ReplyTo == nil {
		o.ReplyTo = func(int64) string { return "" }
	}
	for _, c := range []string{"general", PrivacyCategory} {
		if !slices.Contains(o.Categories, c) {
			o.Categories = append(o.Categories, c)
		}
	}
	if o.Limits == (Limits{}) {
		o.Limits = DefaultLimits
	}
	if o.Turnstile.Hostname == "" {
		o.Turnstile.Hostname = base.Hostname()
	}
	queues, err := newAdminQueues(o.Redis)
	if err != nil {
		return nil, err
	}
	return routes(o, base, queues), nil
}
