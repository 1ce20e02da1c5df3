-- Reports (issue 18). The range scans that find what happened in a date
-- range (tickets opened use tickets_created, 0014): staff replies sent,
-- status changes made, SLA targets met; partial indexes hold only the rows
-- reports read. Then, per ticket, read from the index alone: its first
-- message's source (mail or portal) and its first public staff reply.
CREATE INDEX messages_outbound_time ON messages (created_at, ticket_id) WHERE kind = 'outbound';
CREATE INDEX activity_status_time ON activity (created_at) WHERE kind = 'status';
CREATE INDEX ticket_sla_first_at ON ticket_sla (first_response_at);
CREATE INDEX ticket_sla_resolved_at ON ticket_sla (resolved_at);
CREATE INDEX messages_first_source ON messages (ticket_id, created_at, id, source);
CREATE INDEX messages_first_reply ON messages (ticket_id, created_at, id, author_id) WHERE kind = 'outbound' AND auto = FALSE;
-- Which messages a merge moved in (they are not the survivor's own).
CREATE INDEX merge_moves_message ON merge_moves (row_id) WHERE kind = 'message';
