package web

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"time"

	"github.com/redis/go-redis/v9"
)

// healthHandler answers load balancers and orchestrators.
type healthHandler struct {
	store Store
	redis redis.UniversalClient
	log   *slog.Logger
}

// live says the process is up; it checks nothing else.
func (h *healthHandler) live(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("ok\n"))
}

// ready says whether the database and Redis answer within two seconds.
func (h *healthHandler) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	checks := map[string]string{"database": "ok", "redis": "ok"}
	status := http.StatusOK
	// What failed goes to the log; the public answer names only the part.
	if err := h.store.Ping(ctx); err != nil {
		checks["database"], status = "unavailable", http.StatusServiceUnavailable
		h.log.WarnContext(ctx, "readyz: database", "err", err)
	}
	if err := h.redis.Ping(ctx).Err(); err != nil {
		checks["redis"], status = "unavailable", http.StatusServiceUnavailable
		h.log.WarnContext(ctx, "readyz: redis", "err", err)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(checks)
}
