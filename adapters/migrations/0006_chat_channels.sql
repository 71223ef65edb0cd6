-- Ottenok schema v6: which channel a chat lives on.
-- A chat with no row here is a WhatsApp chat (GREEN-API writes nothing). The browser sandbox
-- records each of its chats, so a sandbox chat is never answered, nudged or written to by a
-- manager through WhatsApp, even after WhatsApp is connected to the same database.
CREATE TABLE chat_channels (
    chat_id TEXT PRIMARY KEY,
    channel TEXT NOT NULL CHECK (channel IN ('sandbox')),
    created_at TEXT NOT NULL
);
