-- Customers are written to in their own language (issue 19). A person's
-- language is set from their first mail (its Content-Language, else
-- guessed from its words) and never overwritten by later mail; they change
-- it on /account. '' means not known yet: mail goes out in English.
ALTER TABLE users ADD COLUMN language TEXT NOT NULL DEFAULT '';
