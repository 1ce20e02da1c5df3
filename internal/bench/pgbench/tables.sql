-- Tables like Dargo's for six_inserts.sql, in a schema of their own:
--   psql "$DARGO_DATABASE_URL" -f internal/bench/pgbench/tables.sql
--   PGOPTIONS='-c search_path=onetx_pgb' pgbench -n -c1 -T10 -f internal/bench/pgbench/six_inserts.sql "$DARGO_DATABASE_URL"
CREATE SCHEMA IF NOT EXISTS onetx_pgb;
SET search_path = onetx_pgb;
CREATE TABLE IF NOT EXISTS pgb_users (id bigserial primary key, email text unique, name text, created_at timestamptz);
CREATE TABLE IF NOT EXISTS pgb_tickets (id bigserial primary key, subject text, status text, created_at timestamptz);
CREATE TABLE IF NOT EXISTS pgb_participants (id bigserial primary key, ticket_id bigint, user_id bigint, created_at timestamptz);
CREATE TABLE IF NOT EXISTS pgb_messages (id bigserial primary key, ticket_id bigint, text text, html text, created_at timestamptz);
CREATE TABLE IF NOT EXISTS pgb_thread_ids (message_id text primary key, ticket_id bigint, created_at timestamptz);
CREATE TABLE IF NOT EXISTS pgb_outbox (id bigserial primary key, kind text, payload jsonb, created_at timestamptz);
