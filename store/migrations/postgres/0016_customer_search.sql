-- Inbox search finds tickets by their customer's name and address (issue
-- 13). The address is indexed whole, at '@' (local part, domain) and split
-- at '@' and '.', so "jo", "lee", "mail.example" and jo.lee@mail.example all
-- find jo.lee@mail.example. Queries must repeat the expression exactly (see
-- store/inbox.go, customerSearch). As with 0006, on a large database build it
-- first with CREATE INDEX CONCURRENTLY and the same definition.
CREATE INDEX IF NOT EXISTS users_search ON users USING GIN (to_tsvector('simple',
    name || ' ' || email || ' ' || replace(email, '@', ' ') || ' ' || translate(email, '@.', '  ')));
