-- Retention sweeps. Every run is recorded (kept 90 days); sweep_totals
-- keeps the running sums /metrics reports, so a scrape reads a handful of
-- rows however long Dargo has run.
CREATE TABLE sweep_runs (
    id           BIGSERIAL PRIMARY KEY,
    name         TEXT NOT NULL,
    removed      BIGINT NOT NULL,
    seconds      DOUBLE PRECISION NOT NULL,
    failed       BOOLEAN NOT NULL DEFAULT FALSE,
    finished_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX sweep_runs_finished ON sweep_runs (finished_at);

CREATE TABLE sweep_totals (
    name          TEXT PRIMARY KEY,
    removed       BIGINT NOT NULL,
    runs          BIGINT NOT NULL,
    failures      BIGINT NOT NULL,
    last_ok_at    TIMESTAMPTZ,
    last_seconds  DOUBLE PRECISION NOT NULL
);

-- Raw mail past its retention keeps its row (outcome, size, verdicts) with
-- blob_key '' and loses its bytes. The first index finds what is due, the
-- second whether another row still shares a (content-addressed) blob.
--
-- Both are built while writes to inbound_mail wait. On a large database,
-- build them first with CREATE INDEX CONCURRENTLY and the same definitions;
-- this then skips them.
CREATE INDEX IF NOT EXISTS inbound_mail_raw_due ON inbound_mail (received_at) WHERE blob_key <> '';
CREATE INDEX IF NOT EXISTS inbound_mail_blob ON inbound_mail (blob_key) WHERE blob_key <> '';
