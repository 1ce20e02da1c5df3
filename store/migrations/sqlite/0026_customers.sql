-- Customers as a list, and merging two customer records (issue 17, part 7).
-- A merged user row stays as a tombstone: merged_into names the person it now
-- is, its address becomes one of theirs (every lookup by address follows
-- merged_into), and everything else it owned moves to them
-- (store/customers_merge.go).
ALTER TABLE users ADD COLUMN merged_into BIGINT REFERENCES users (id);
CREATE INDEX IF NOT EXISTS users_merged ON users (merged_into) WHERE merged_into IS NOT NULL;
-- The list sorts customers by their last contact: the newest activity of
-- their tickets, read per customer from this index.
CREATE INDEX IF NOT EXISTS tickets_customer_activity ON tickets (customer_id, last_activity_at DESC, id DESC);
