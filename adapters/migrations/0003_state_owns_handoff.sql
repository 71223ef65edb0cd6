-- Ottenok schema v3: the order machine's state is the only record of a handoff.
-- `handoffs` becomes an audit log (who moved a chat into or out of handoff, when and why), and
-- every transition of the order machine is kept for the funnel. A nudge in the outbox records
-- the nudge state its claim moved the chat to, so the send can check the chat is still there.
CREATE TABLE handoff_log (
    id INTEGER PRIMARY KEY,
    chat_id TEXT NOT NULL,
    active INTEGER NOT NULL,
    changed_by TEXT,
    reason TEXT,
    at TEXT NOT NULL
);
INSERT INTO handoff_log (chat_id, active, changed_by, reason, at)
    SELECT chat_id, active, changed_by, reason, updated_at FROM handoffs ORDER BY updated_at;
DROP TABLE handoffs;
ALTER TABLE handoff_log RENAME TO handoffs;
CREATE INDEX handoffs_chat ON handoffs (chat_id, id);

CREATE TABLE state_changes (
    id INTEGER PRIMARY KEY,
    chat_id TEXT NOT NULL,
    source TEXT,
    dest TEXT NOT NULL,
    trigger TEXT NOT NULL,
    reason TEXT,
    at TEXT NOT NULL
);
CREATE INDEX state_changes_at ON state_changes (at);
CREATE INDEX state_changes_chat ON state_changes (chat_id, id);

ALTER TABLE nudges ADD COLUMN nudge_state TEXT;
-- Nudges already waiting: the state their claim moved the chat to follows from the step.
UPDATE nudges SET nudge_state = CASE step WHEN 1 THEN 'nudged_once' ELSE 'nudged_twice' END;
