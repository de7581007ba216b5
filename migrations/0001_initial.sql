-- Passerelle schema v1: territories, members, circles, group access, invites, facilitators, outbox.
-- Times are ISO-8601 UTC strings ("2026-11-26T08:00:00.000000+00:00") written by the application's clock.

CREATE TABLE territories (
    code TEXT PRIMARY KEY,                 -- 'bretagne', 'togo'
    name TEXT NOT NULL,                    -- English msgid, translated through the catalogs
    country TEXT NOT NULL UNIQUE,          -- ISO 3166 region of phone numbers that land here ('FR', 'TG')
    default_zone TEXT NOT NULL,            -- IANA zone used when the number's own zones are ambiguous
    default_locale TEXT NOT NULL,          -- language proposed by default to members of this territory
    city TEXT NOT NULL                     -- the place named beside local times ("15:00 à Rennes")
);

INSERT INTO territories (code, name, country, default_zone, default_locale, city) VALUES
    ('bretagne', 'Brittany', 'FR', 'Europe/Paris', 'fr', 'Rennes'),
    ('togo', 'Togo', 'TG', 'Africa/Lome', 'fr', 'Lomé');

CREATE TABLE members (
    id INTEGER PRIMARY KEY,
    telegram_user_id INTEGER NOT NULL UNIQUE,
    first_name TEXT NOT NULL,
    last_name TEXT,
    locale TEXT NOT NULL DEFAULT 'fr',
    -- why that language: 'choice' (picked in the bot) wins over 'telegram' (app language) over 'territory'
    locale_source TEXT NOT NULL DEFAULT 'default',
    time_zone TEXT,
    phone_e164 TEXT UNIQUE,
    phone_region TEXT,
    territory_code TEXT REFERENCES territories(code),
    -- new: started, not verified; active: phone verified in a known territory; held: waiting for a facilitator
    status TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'active', 'held', 'refused')),
    onboarding_step TEXT,                  -- durable conversation state (survives restarts)
    pending_invite_code TEXT,              -- invite used at /start, consumed when the phone is verified
    consent_at TEXT,
    organisation TEXT,
    organisation_kind TEXT,
    reachable INTEGER NOT NULL DEFAULT 1,  -- 0 after Telegram answered 403 (blocked, deactivated)
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE circles (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,             -- short identifier used in commands and callback data
    name TEXT NOT NULL,                    -- for built-in circles an English msgid; else the facilitator's text
    builtin INTEGER NOT NULL DEFAULT 0,
    theme TEXT,                            -- prompt library theme ('food', 'insertion', 'circular') or NULL
    archived INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);

-- Names of facilitator-created circles in other languages.
CREATE TABLE circle_names (
    circle_id INTEGER NOT NULL REFERENCES circles(id) ON DELETE CASCADE,
    locale TEXT NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (circle_id, locale)
);

INSERT INTO circles (slug, name, builtin, theme, created_at) VALUES
    ('food', 'Sustainable food', 1, 'food', '2026-01-01T00:00:00+00:00'),
    ('insertion', 'Social and professional insertion', 1, 'insertion', '2026-01-01T00:00:00+00:00'),
    ('circular', 'Circular economy', 1, 'circular', '2026-01-01T00:00:00+00:00');

CREATE TABLE memberships (
    member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    circle_id INTEGER NOT NULL REFERENCES circles(id) ON DELETE CASCADE,
    joined_at TEXT NOT NULL,
    PRIMARY KEY (member_id, circle_id)
);
CREATE INDEX memberships_by_circle ON memberships (circle_id);

-- A Telegram group (or one forum topic of a supergroup) bound to a circle, for one territory or shared (NULL).
CREATE TABLE circle_groups (
    id INTEGER PRIMARY KEY,
    circle_id INTEGER NOT NULL REFERENCES circles(id) ON DELETE CASCADE,
    chat_id INTEGER NOT NULL,
    thread_id INTEGER,
    territory_code TEXT REFERENCES territories(code),
    title TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX circle_groups_one_per_place ON circle_groups (circle_id, ifnull(territory_code, ''));
CREATE INDEX circle_groups_by_chat ON circle_groups (chat_id);

-- Personal join-request links: the bot approves a join request only from the verified member it was made for.
CREATE TABLE group_links (
    id INTEGER PRIMARY KEY,
    member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    circle_group_id INTEGER NOT NULL REFERENCES circle_groups(id) ON DELETE CASCADE,
    invite_link TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    used_at TEXT,
    UNIQUE (member_id, circle_group_id)
);

CREATE TABLE invite_codes (
    code TEXT PRIMARY KEY,
    circle_id INTEGER REFERENCES circles(id) ON DELETE CASCADE,   -- pre-selected circle, optional
    territory_code TEXT REFERENCES territories(code),             -- only numbers of this territory, optional
    restricted_to_list INTEGER NOT NULL DEFAULT 0,                -- only numbers in invite_phones
    max_uses INTEGER,                                             -- NULL: unlimited
    uses INTEGER NOT NULL DEFAULT 0,
    expires_at TEXT,
    created_by INTEGER REFERENCES members(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE invite_phones (
    code TEXT NOT NULL REFERENCES invite_codes(code) ON DELETE CASCADE,
    phone_e164 TEXT NOT NULL,
    organisation TEXT,
    PRIMARY KEY (code, phone_e164)
);

-- Co-facilitators promoted by a facilitator (those of PASSERELLE_ADMINS need no row).
CREATE TABLE facilitators (
    member_id INTEGER PRIMARY KEY REFERENCES members(id) ON DELETE CASCADE,
    promoted_by INTEGER REFERENCES members(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL
);

-- Every fan-out message is a row first; the sender drains it under Telegram's limits.
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    chat_id INTEGER NOT NULL,
    member_id INTEGER REFERENCES members(id) ON DELETE CASCADE,
    method TEXT NOT NULL,                  -- 'sendMessage', 'copyMessage', 'sendDocument'
    payload TEXT NOT NULL,                 -- JSON parameters, already rendered in the recipient's language
    dedupe_key TEXT UNIQUE,                -- the same logical message is never queued twice
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed', 'dropped')),
    attempts INTEGER NOT NULL DEFAULT 0,
    not_before TEXT NOT NULL,
    last_error TEXT,
    created_at TEXT NOT NULL,
    sent_at TEXT,
    telegram_message_id INTEGER
);
CREATE INDEX outbox_pending ON outbox (status, not_before, id);
