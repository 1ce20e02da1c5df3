-- Send attempts that survive a crash (issue 15). sending_at is set just
-- before a mail is handed to SES and cleared when the outcome is recorded:
-- a retry that finds it set knows an earlier attempt was cut off inside
-- the SES call (the mail may be out) and counts it in interrupted. While
-- it is fresh it is also a claim: no second worker sends the same mail.
ALTER TABLE emails ADD COLUMN sending_at TIMESTAMP;
ALTER TABLE emails ADD COLUMN interrupted INTEGER NOT NULL DEFAULT 0;

-- The relay's reconciliation looks for mail still queued long after its
-- outbox row went to Redis; queued mail is a small part of all mail.
CREATE INDEX emails_queued ON emails (id) WHERE status = 'queued';

-- A ticket's mail log lists the mail sent about it.
CREATE INDEX emails_ticket ON emails (ticket_id);
