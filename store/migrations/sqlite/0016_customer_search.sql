-- Inbox search finds tickets by their customer's name and address (issue
-- 13). On SQLite the store scans users with LIKE (see store/inbox.go,
-- customerSearch), which no index helps; this number is kept so both
-- dialects count the same migrations.
SELECT 1;
