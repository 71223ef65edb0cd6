-- Ottenok schema v1: messages, clients (with nudge fields), conversations, orders,
-- handoffs, sent photos and processed incoming ids.
CREATE TABLE clients (
    chat_id TEXT PRIMARY KEY,
    phone TEXT,
    name TEXT,
    created_at TEXT NOT NULL,
    last_activity_at TEXT NOT NULL,
    last_customer_at TEXT,
    last_bot_at TEXT,
    last_speaker TEXT,
    nudge_state TEXT NOT NULL DEFAULT 'active',
    nudge_count INTEGER NOT NULL DEFAULT 0,
    last_nudge_at TEXT,
    next_nudge_at TEXT
);
CREATE INDEX clients_next_nudge ON clients (next_nudge_at) WHERE next_nudge_at IS NOT NULL;
CREATE INDEX clients_phone ON clients (phone);

CREATE TABLE messages (
    id INTEGER PRIMARY KEY,
    chat_id TEXT NOT NULL,
    direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    wa_id TEXT,
    kind TEXT NOT NULL DEFAULT 'text',
    text TEXT NOT NULL DEFAULT '',
    payload TEXT,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX messages_incoming_wa_id ON messages (wa_id) WHERE direction = 'in';
CREATE INDEX messages_chat ON messages (chat_id, id);

CREATE TABLE conversations (
    chat_id TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    slots TEXT NOT NULL,
    previous_state TEXT,
    order_id INTEGER,
    turns INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL
);

CREATE TABLE orders (
    id INTEGER PRIMARY KEY,
    chat_id TEXT NOT NULL,
    phone TEXT,
    status TEXT NOT NULL CHECK (status IN ('open', 'confirmed', 'cancelled')),
    city TEXT,
    product TEXT,
    product_name TEXT,
    product_type TEXT,
    size TEXT,
    color TEXT,
    address TEXT,
    price INTEGER,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX orders_status_updated ON orders (status, updated_at);
CREATE INDEX orders_chat ON orders (chat_id);

CREATE TABLE handoffs (
    chat_id TEXT PRIMARY KEY,
    active INTEGER NOT NULL,
    changed_by TEXT,
    reason TEXT,
    updated_at TEXT NOT NULL
);

CREATE TABLE sent_photos (
    chat_id TEXT NOT NULL,
    photo_key TEXT NOT NULL,
    sent_at TEXT NOT NULL,
    PRIMARY KEY (chat_id, photo_key)
);

CREATE TABLE processed_messages (
    wa_id TEXT PRIMARY KEY,
    processed_at TEXT NOT NULL
);
