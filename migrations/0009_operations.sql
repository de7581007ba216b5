-- Issue 15: what `passerelle health` reads. The running bot writes here, every HEARTBEAT_SECONDS, the last time
-- Telegram answered it (a long poll, or in webhook mode a getWebhookInfo).
CREATE TABLE heartbeat (
    name TEXT PRIMARY KEY,                 -- 'bot_api'
    at TEXT NOT NULL                       -- ISO-8601 UTC
);
