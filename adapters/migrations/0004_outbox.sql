-- Ottenok schema v4: every outgoing message is an outbox row until the channel accepts it.
-- The turn writes its replies, photos and manager notices as `pending` rows in its own
-- transaction; a sender delivers each chat's rows in order, retrying with backoff, and marks a
-- row `sent` only when the gateway accepted it (`expired` past the age limit, `failed` when it
-- can never go). `ambiguous`: the last attempt may have arrived; check before sending again.
-- `payload` keeps what a photo is sent from. Rows written before this migration were sent.
ALTER TABLE messages ADD COLUMN status TEXT;
ALTER TABLE messages ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN next_attempt_at TEXT;
ALTER TABLE messages ADD COLUMN lease_owner TEXT;
ALTER TABLE messages ADD COLUMN lease_until TEXT;
ALTER TABLE messages ADD COLUMN ambiguous INTEGER NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN first_attempt_at TEXT;
ALTER TABLE messages ADD COLUMN sent_at TEXT;
ALTER TABLE messages ADD COLUMN last_error TEXT;
ALTER TABLE messages ADD COLUMN to_manager INTEGER NOT NULL DEFAULT 0;
UPDATE messages SET status = 'sent', sent_at = created_at WHERE direction = 'out';
CREATE INDEX messages_outbox ON messages (chat_id, id) WHERE status = 'pending';
CREATE INDEX messages_outbox_due ON messages (next_attempt_at) WHERE status = 'pending';

-- One conversation per person: WhatsApp may deliver the same person as `…@c.us` and as
-- `…@lid`; a lid seen together with the phone maps to the phone's chat from then on.
CREATE TABLE chat_aliases (
    alias TEXT PRIMARY KEY,
    chat_id TEXT NOT NULL,
    seen_at TEXT NOT NULL
);
