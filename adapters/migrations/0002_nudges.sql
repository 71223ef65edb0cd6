-- Ottenok schema v2: the nudge outbox.
-- A nudge is written here in the same transaction that moves the client's nudge machine, then
-- sent; a crash or a failed send leaves the row pending and the next tick sends it. The lease
-- (lease_owner, lease_until) keeps two workers from sending the same row.
CREATE TABLE nudges (
    id INTEGER PRIMARY KEY,
    chat_id TEXT NOT NULL,
    step INTEGER NOT NULL CHECK (step IN (1, 2)),
    text TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    created_at TEXT NOT NULL,
    sent_at TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    lease_owner TEXT,
    lease_until TEXT,
    wa_id TEXT,
    last_error TEXT
);
-- The delivery pass scans only pending rows, oldest first.
CREATE INDEX nudges_pending ON nudges (id) WHERE status = 'pending';
-- At most one nudge per chat waits to be sent; a customer reply cancels it by chat.
CREATE UNIQUE INDEX nudges_one_pending_per_chat ON nudges (chat_id) WHERE status = 'pending';
CREATE INDEX nudges_chat ON nudges (chat_id, id);
