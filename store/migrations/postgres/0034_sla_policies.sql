-- Business hours and SLA policies (issue 18). Tickets that exist before
-- this migration get no SLA row: their targets were never promised.

-- A schedule of business hours: weekly spans in an IANA zone, written one
-- open day a line ("mon 09:00-17:00,13:00-18:00", internal/bizhours).
-- Policies without a schedule use the default one; with none at all, SLA
-- time runs around the clock in the desk's zone.
CREATE TABLE business_schedules (
    id          BIGSERIAL PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    zone        TEXT NOT NULL,
    week        TEXT NOT NULL,
    is_default  BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);

-- A holiday closes a schedule for a civil date (YYYY-MM-DD) in its zone.
CREATE TABLE business_holidays (
    id           BIGSERIAL PRIMARY KEY,
    schedule_id  BIGINT NOT NULL REFERENCES business_schedules (id) ON DELETE CASCADE,
    day          TEXT NOT NULL,
    name         TEXT NOT NULL,
    UNIQUE (schedule_id, day)
);

-- Targets in seconds of business time (0: no target) for tickets of a
-- priority, and of a category when category is not '' (which beats the
-- priority's policy for that category).
CREATE TABLE sla_policies (
    id               BIGSERIAL PRIMARY KEY,
    priority         TEXT NOT NULL,
    category         TEXT NOT NULL DEFAULT '',
    first_response   BIGINT NOT NULL,
    resolution       BIGINT NOT NULL,
    schedule_id      BIGINT REFERENCES business_schedules (id) ON DELETE SET NULL,
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL,
    UNIQUE (priority, category)
);

-- The breach sweep reads only targets not yet met nor told of.
CREATE INDEX ticket_sla_first_breach ON ticket_sla (first_response_due)
    WHERE first_response_at IS NULL AND first_response_notified = FALSE;
CREATE INDEX ticket_sla_resolution_breach ON ticket_sla (resolution_due)
    WHERE resolved_at IS NULL AND resolution_notified = FALSE;

-- A staff member may switch off breach notices (store.NoticeSLABreach).
ALTER TABLE staff_prefs ADD COLUMN sla_breach BOOLEAN NOT NULL DEFAULT TRUE;
