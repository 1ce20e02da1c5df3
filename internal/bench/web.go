package bench

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dargo-support/dargo/jobs"
	"github.com/dargo-support/dargo/store"
)

// webServer is the production web handler served on a loopback port.
type webServer struct {
	base   string
	client *http.Client
	stop   func() error
}

// startWeb serves the handler the caller's wiring builds, on 127.0.0.1.
func startWeb(r *run) (*webServer, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	base := "http://" + l.Addr().String()
	rdb := jobs.RedisClient(r.redis)
	h, err := r.o.Web(r.db, rdb, base)
	if err != nil {
		l.Close()
		rdb.Close()
		return nil, err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns, t.MaxIdleConnsPerHost = r.sizes.Clients, r.sizes.Clients
	client := &http.Client{Transport: t, Timeout: time.Minute,
		// A redirect is an answer to check (sign-in answers 303), not to follow.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &webServer{base: base, client: client, stop: func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		t.CloseIdleConnections()
		err := srv.Shutdown(ctx)
		if serr := <-served; !errors.Is(serr, http.ErrServerClosed) {
			err = errors.Join(err, serr)
		}
		return errors.Join(err, rdb.Close())
	}}, nil
}

// load sends n requests (newReq(i) for i in 0..n-1) from clients
// concurrent clients, each answer expected with status want and, when
// check is set, accepted by it; it returns every request's latency and the
// wall time.
func (s *webServer) load(ctx context.Context, clients, n, want int, newReq func(i int) (*http.Request, error), check func(*http.Response, []byte) error) (timing, time.Duration, error) {
	var (
		next     atomic.Int64
		once     sync.Once
		firstErr error
		failed   atomic.Bool
		mu       sync.Mutex
		wg       sync.WaitGroup
	)
	lat := make(timing, 0, n)
	fail := func(err error) { once.Do(func() { firstErr = err }); failed.Store(true) }
	start := time.Now()
	for range clients {
		wg.Go(func() {
			for !failed.Load() && ctx.Err() == nil {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				req, err := newReq(i)
				if err != nil {
					fail(err)
					return
				}
				t0 := time.Now()
				res, err := s.client.Do(req.WithContext(ctx))
				if err != nil {
					fail(err)
					return
				}
				body, err := io.ReadAll(res.Body)
				res.Body.Close()
				d := time.Since(t0)
				if err == nil && res.StatusCode != want {
					err = fmt.Errorf("%s %s: %s, want %d", req.Method, req.URL.Path, res.Status, want)
				}
				if err == nil && check != nil {
					err = check(res, body)
				}
				if err != nil {
					fail(err)
					return
				}
				mu.Lock()
				lat = append(lat, d)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if firstErr == nil {
		firstErr = ctx.Err()
	}
	return lat, time.Since(start), firstErr
}

// staffSession makes email staff and signs them in as the magic-link flow
// ends (the stored token confirmed), returning the session cookie's value.
func staffSession(ctx context.Context, db *store.DB, email string) (string, error) {
	if _, err := db.SetRole(ctx, email, store.RoleStaff); err != nil {
		return "", err
	}
	_, tokenHash := newSecret()
	if err := db.RequestLogin(ctx, store.LoginRequest{TokenHash: tokenHash, Email: email, Next: "/inbox",
		IP: "127.0.0.1", UserAgent: "dargo-bench", SealedLink: "none", TTL: time.Hour}); err != nil {
		return "", err
	}
	cookie, sessionHash := newSecret()
	if _, err := db.ConfirmLogin(ctx, store.Login{TokenHash: tokenHash, SessionHash: sessionHash,
		IP: "127.0.0.1", UserAgent: "dargo-bench", Turnstile: "off", SessionTTL: 24 * time.Hour}); err != nil {
		return "", err
	}
	return cookie, nil
}

// newSecret returns a random cookie-shaped secret and its hex SHA-256, the
// form the database keeps.
func newSecret() (secret, hash string) {
	b := make([]byte, 32)
	rand.Read(b) // never fails (crypto/rand)
	secret = base64.RawURLEncoding.EncodeToString(b)
	sum := sha256.Sum256([]byte(secret))
	return secret, hex.EncodeToString(sum[:])
}

// contains checks that a page holds want.
func contains(want string) func(*http.Response, []byte) error {
	return func(res *http.Response, body []byte) error {
		if !strings.Contains(string(body), want) {
			return fmt.Errorf("%s: page lacks %q", res.Request.URL.Path, want)
		}
		return nil
	}
}
