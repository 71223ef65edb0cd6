-- Ottenok schema v9: a customer message whose turn kept failing is held, not answered and not
-- consumed: the customer was told a manager will answer, the chat is in `handoff`, and `held`
-- keeps the error. While the chat stays with the managers the message stays unprocessed (a
-- restart does not swallow it); when the chat is given back to Alina it is answered.
ALTER TABLE messages ADD COLUMN held TEXT;
