-- Facilitators' guided tools (issue 11): the menu each facilitator's chat was given, the text a guided screen
-- waits for, and the message that shows an announcement's delivery as the outbox drains.

-- The command menu published for one private chat (BotCommandScopeChat): what it holds, so that a restart
-- restores it and a lost right takes it away (Telegram keeps per-chat menus until they are deleted).
CREATE TABLE role_menus (
    chat_id INTEGER PRIMARY KEY,
    locale TEXT NOT NULL,
    every_circle INTEGER NOT NULL CHECK (every_circle IN (0, 1)),
    updated_at TEXT NOT NULL
);

-- A guided screen waiting for a facilitator's text (an announcement, a question in three languages, a circle's
-- name). One per person: starting another replaces it. Keyed by Telegram id because PASSERELLE_ADMINS need not be
-- members.
CREATE TABLE facilitator_drafts (
    telegram_user_id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('announce', 'question', 'circle')),
    circle_id INTEGER REFERENCES circles(id) ON DELETE CASCADE,
    territory_code TEXT REFERENCES territories(code),
    prompt_id INTEGER REFERENCES custom_prompts(id) ON DELETE CASCADE,   -- a question being edited
    step TEXT NOT NULL,                    -- the language awaited ('fr', 'en', 'ee'), 'preview', or 'text'
    texts TEXT NOT NULL DEFAULT '{}',      -- JSON {locale: text}
    updated_at TEXT NOT NULL
);

-- The facilitator's message edited as an announcement's outbox rows are delivered ("312 / 540 delivered").
ALTER TABLE announcements ADD COLUMN progress_chat_id INTEGER;
ALTER TABLE announcements ADD COLUMN progress_message_id INTEGER;
ALTER TABLE announcements ADD COLUMN progress_locale TEXT;    -- the facilitator's language
ALTER TABLE announcements ADD COLUMN progress_text TEXT;     -- the last count shown (an identical edit is skipped)
ALTER TABLE announcements ADD COLUMN progress_done INTEGER NOT NULL DEFAULT 0;
CREATE INDEX announcements_in_progress ON announcements (progress_done, status);

-- A member's "translation unclear" request about a relayed reply, until a facilitator of the circle marks it
-- handled. Gone with the reply or the member who asked (/forget).
CREATE TABLE help_requests (
    id INTEGER PRIMARY KEY,
    reply_id INTEGER NOT NULL REFERENCES replies(id) ON DELETE CASCADE,
    member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    circle_id INTEGER NOT NULL REFERENCES circles(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    handled_at TEXT,
    handled_by INTEGER REFERENCES members(id) ON DELETE SET NULL,
    UNIQUE (reply_id, member_id)
);
CREATE INDEX help_requests_open ON help_requests (circle_id, handled_at);
