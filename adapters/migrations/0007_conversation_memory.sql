-- Ottenok schema v7: what a conversation remembers between turns besides its slots.
-- `misses`: turns in a row that left the pending question unanswered (the options are offered
-- after two, a manager after three); `offered`: the products the last reply asked the customer
-- to choose among (JSON list of ids), so "вторые" or "мюли" answers that choice.
ALTER TABLE conversations ADD COLUMN misses INTEGER NOT NULL DEFAULT 0;
ALTER TABLE conversations ADD COLUMN offered TEXT NOT NULL DEFAULT '[]';
