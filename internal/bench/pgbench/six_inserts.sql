-- One transaction of six inserts, the shape of one inbound mail (see tables.sql).
BEGIN;
INSERT INTO pgb_users (email, name, created_at) VALUES ('u' || random()::text || '@example.com', 'Name', now());
INSERT INTO pgb_tickets (subject, status, created_at) VALUES ('Subject of the mail', 'open', now());
INSERT INTO pgb_participants (ticket_id, user_id, created_at) VALUES (1, 1, now());
INSERT INTO pgb_messages (ticket_id, text, html, created_at) VALUES (1, repeat('text of the mail ', 300), repeat('<p>html</p>', 400), now());
INSERT INTO pgb_thread_ids (message_id, ticket_id, created_at) VALUES (random()::text || '@example.com', 1, now());
INSERT INTO pgb_outbox (kind, payload, created_at) VALUES ('email', '{"id": 1}', now());
COMMIT;
