-- What the LLM cost, per local day and conversation: turns, turns the rules served alone,
-- requests and tokens; and counted events: guard rejections ("rejected:price") and
-- fallbacks to the offline default ("fallback:timeout"), by reason.
CREATE TABLE llm_usage (
    day TEXT NOT NULL,
    chat_id TEXT NOT NULL,
    turns INTEGER NOT NULL DEFAULT 0,
    rules_only INTEGER NOT NULL DEFAULT 0,
    calls INTEGER NOT NULL DEFAULT 0,
    prompt_tokens INTEGER NOT NULL DEFAULT 0,
    completion_tokens INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, chat_id)
);

CREATE TABLE llm_events (
    day TEXT NOT NULL,
    chat_id TEXT NOT NULL,
    event TEXT NOT NULL,
    count INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, chat_id, event)
);
