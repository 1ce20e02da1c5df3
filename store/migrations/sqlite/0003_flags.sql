-- Why a ticket or message needs a look before anyone trusts it: spam, dmarc.
ALTER TABLE tickets ADD COLUMN flag TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN flag TEXT NOT NULL DEFAULT '';
