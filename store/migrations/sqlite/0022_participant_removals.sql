-- People staff removed from a ticket (issue 13, "See who gets what"). The
-- participants row goes; this row keeps them from coming back by
-- themselves: mail they write to the ticket is still recorded but does
-- not make them a participant again, and a customer's Cc does not re-add
-- them. Staff adding them again deletes the row.
CREATE TABLE participant_removals (
    ticket_id   BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    user_id     BIGINT NOT NULL REFERENCES users (id),
    removed_by  BIGINT REFERENCES users (id),
    removed_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (ticket_id, user_id)
);
