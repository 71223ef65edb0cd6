-- Ottenok schema v8: the outbox finds its pending rows without reading the whole history.
-- The sender's lease query walks pending rows in id order (oldest first); with only the
-- (chat_id, id) index SQLite scans every message ever stored instead, about 50 ms a query at
-- 300,000 messages, on every delivery round (bench/load.py, "bot, 300k stored").
CREATE INDEX messages_pending ON messages (id) WHERE status = 'pending';
