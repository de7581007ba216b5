-- Weekly practice-framed exchanges: circle schedule and relay settings, custom prompts, weekly rounds,
-- deliveries of prompts, replies and their relay.

ALTER TABLE members ADD COLUMN paused_until TEXT;          -- no prompts or digests before this instant

ALTER TABLE circles ADD COLUMN prompt_weekday INTEGER NOT NULL DEFAULT 0;   -- 0 = Monday
ALTER TABLE circles ADD COLUMN prompt_hour INTEGER NOT NULL DEFAULT 9;
ALTER TABLE circles ADD COLUMN prompt_minute INTEGER NOT NULL DEFAULT 0;
-- auto: immediate while the circle has at most 15 members, digests above; or forced 'immediate' / 'digest'
ALTER TABLE circles ADD COLUMN relay_mode TEXT NOT NULL DEFAULT 'auto';
ALTER TABLE circles ADD COLUMN digest_minutes INTEGER NOT NULL DEFAULT 60;

-- Prompts written by facilitators for one circle, with their translations.
CREATE TABLE custom_prompts (
    id INTEGER PRIMARY KEY,
    circle_id INTEGER NOT NULL REFERENCES circles(id) ON DELETE CASCADE,
    retired INTEGER NOT NULL DEFAULT 0,
    created_by INTEGER REFERENCES members(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE custom_prompt_texts (
    prompt_id INTEGER NOT NULL REFERENCES custom_prompts(id) ON DELETE CASCADE,
    locale TEXT NOT NULL,
    text TEXT NOT NULL,
    PRIMARY KEY (prompt_id, locale)
);
-- Built-in prompts a facilitator retired for a circle.
CREATE TABLE retired_prompts (
    circle_id INTEGER NOT NULL REFERENCES circles(id) ON DELETE CASCADE,
    prompt_key TEXT NOT NULL,
    PRIMARY KEY (circle_id, prompt_key)
);

-- One prompt per circle per ISO week; who opens (answers first) alternates between territories.
CREATE TABLE rounds (
    id INTEGER PRIMARY KEY,
    circle_id INTEGER NOT NULL REFERENCES circles(id) ON DELETE CASCADE,
    week_key TEXT NOT NULL,                -- '2026-W48'
    prompt_key TEXT NOT NULL,              -- built-in key, or 'custom-<id>'
    opener_territory TEXT NOT NULL REFERENCES territories(code),
    created_at TEXT NOT NULL,
    UNIQUE (circle_id, week_key)
);

-- A prompt queued for a member (or posted in a group) for a round: never twice.
CREATE TABLE prompt_deliveries (
    round_id INTEGER NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
    chat_id INTEGER NOT NULL,              -- the member's private chat, or a linked group
    member_id INTEGER REFERENCES members(id) ON DELETE CASCADE,
    outbox_key TEXT NOT NULL,              -- outbox.dedupe_key, to find the sent message id
    created_at TEXT NOT NULL,
    PRIMARY KEY (round_id, chat_id)
);

CREATE TABLE replies (
    id INTEGER PRIMARY KEY,
    round_id INTEGER NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
    member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    territory_code TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('text', 'voice', 'photo', 'document', 'audio', 'video')),
    text TEXT,                             -- the text, or the caption of a media reply
    language TEXT NOT NULL,                -- the member's language when they wrote it
    source_chat_id INTEGER NOT NULL,
    source_message_id INTEGER NOT NULL,
    -- held: waiting for the member's answer to a framing suggestion; pending: to relay; relayed
    status TEXT NOT NULL CHECK (status IN ('held', 'pending', 'relayed')),
    created_at TEXT NOT NULL,
    relayed_at TEXT,
    UNIQUE (source_chat_id, source_message_id)
);
CREATE INDEX replies_pending ON replies (status, round_id);

-- Digest windows already sent to a recipient, so that a window is never sent twice.
CREATE TABLE digests (
    recipient_chat_id INTEGER NOT NULL,
    window_start TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (recipient_chat_id, window_start)
);
