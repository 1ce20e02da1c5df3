-- Every inbox page lists the staff (the assignee filter): without an index
-- that was a scan of every user, customers included (20,000 of them in
-- `dargo seed`'s data: 5–10 ms alone, 50–300 ms under load). The predicate
-- is the query's own (store.Staff), so both databases use the index.
CREATE INDEX IF NOT EXISTS users_staff ON users (email) WHERE role IN ('staff', 'admin');
