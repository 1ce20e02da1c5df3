-- Retention sweeps. Every run is recorded (kept 90 days); sweep_totals
-- keeps the running sums /metrics reports, so a scrape reads a handful of
-- rows however long Dargo has run.
CREATE TABLE sweep_runs (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    name         TEXT NOT NULL,
    removed      BIGINT NOT NULL,
    seconds      REAL NOT NULL,
    failed       INTEGER NOT NULL DEFAULT 0,
    finished_at  TIMESTAMP NOT NULL
);
CREATE INDEX sweep_runs_finished ON sweep_runs (finished_at);

CREATE TABLE sweep_totals (
    name          TEXT PRIMARY KEY,
    removed       BIGINT NOT NULL,
    runs          BIGINT NOT NULL,
    failures      BIGINT NOT NULL,
    last_ok_at    TIMESTAMP,
    last_seconds  REAL NOT NULL
);

-- Raw mail past its retention keeps its row (outcome, size, verdicts) with
-- blob_key '' and loses its bytes. The first index finds what is due, the
-- second whether another row still shares a (content-addressed) blob.
CREATE INDEX IF NOT EXISTS inbound_mail_raw_due ON inbound_mail (received_at) WHERE blob_key <> '';
CREATE INDEX IF NOT EXISTS inbound_mail_blob ON inbound_mail (blob_key) WHERE blob_key <> '';
