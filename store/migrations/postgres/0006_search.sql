-- Full-text search for the staff inbox: ticket subjects, and the subject and
-- visible text of every message (internal notes included; the inbox is
-- staff-only). Config 'simple': customers write in many languages, so words
-- are lower-cased but never stemmed (nor stripped of accents).
--
-- Expression indexes rather than stored tsvector columns: the store reads
-- tickets and messages with SELECT * into structs, and sqlx refuses a column
-- a struct has no field for. Queries must repeat these expressions exactly.
--
-- Building messages_search holds off writes to messages meanwhile (about a
-- minute per million messages). On a large database, build both first with
-- CREATE INDEX CONCURRENTLY and the same definitions; this then skips them.
CREATE INDEX IF NOT EXISTS tickets_search ON tickets USING GIN (to_tsvector('simple', subject));
CREATE INDEX IF NOT EXISTS messages_search ON messages USING GIN (to_tsvector('simple', subject || ' ' || visible_text));
