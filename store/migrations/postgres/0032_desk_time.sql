-- Time on the desk's side (issue 18): the tables more than one part reads.
-- Other parts (auto-close and snooze, business hours and SLA policies,
-- rating links) add their own in later migrations.

-- A staff member's IANA time zone ('' = the desk's default zone): times
-- they see, and "tomorrow 9:00" when they snooze, are in it.
ALTER TABLE staff_profiles ADD COLUMN time_zone TEXT NOT NULL DEFAULT '';

-- One row per ticket an SLA policy applies to. The dues are the current
-- targets in wall-clock time (business hours already counted, pending
-- time already added back); first_response_at and resolved_at are set
-- when the target is met or missed, and freeze the row's verdict: met when
-- the time is at or before its due. A resolution that is reopened clears
-- resolved_at. Reports read this table for SLA attainment.
CREATE TABLE ticket_sla (
    ticket_id                BIGINT PRIMARY KEY REFERENCES tickets (id) ON DELETE CASCADE,
    policy_id                BIGINT,
    first_response_due       TIMESTAMPTZ,
    first_response_at        TIMESTAMPTZ,
    resolution_due           TIMESTAMPTZ,
    resolved_at              TIMESTAMPTZ,
    paused_at                TIMESTAMPTZ,
    first_response_notified  BOOLEAN NOT NULL DEFAULT FALSE,
    resolution_notified      BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at               TIMESTAMPTZ NOT NULL
);
CREATE INDEX ticket_sla_first_due ON ticket_sla (first_response_due);
CREATE INDEX ticket_sla_resolution_due ON ticket_sla (resolution_due);

-- A customer's satisfaction rating of a ticket, one per ticket and person,
-- changeable (updated_at moves; created_at stays). The resolution mail's
-- signed links record it without a login.
CREATE TABLE ratings (
    id          BIGSERIAL PRIMARY KEY,
    ticket_id   BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    user_id     BIGINT NOT NULL REFERENCES users (id),
    rating      TEXT NOT NULL CHECK (rating IN ('good', 'okay', 'bad')),
    comment     TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    UNIQUE (ticket_id, user_id)
);
CREATE INDEX ratings_updated ON ratings (updated_at);
