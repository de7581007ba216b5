-- The directory of practices (issue 12): what a member's organisation can share and would like to learn, in their
-- own words, with practice tags. One row per member, erased with them (ON DELETE CASCADE): /forget leaves nothing.
CREATE TABLE directory_cards (
    member_id INTEGER PRIMARY KEY REFERENCES members(id) ON DELETE CASCADE,
    shares TEXT,                             -- NULL: not said (skipped)
    shares_language TEXT,
    shares_tags TEXT NOT NULL DEFAULT '[]',  -- JSON list of tag keys (bot.domain.directory.PRACTICE_TAGS)
    learns TEXT,
    learns_language TEXT,
    learns_tags TEXT NOT NULL DEFAULT '[]',
    hidden INTEGER NOT NULL DEFAULT 0,       -- 1: the member hid their card (not listed, not used for pairing)
    -- The side whose tag picker is open ('s' or 'l'), cleared by its Done: a second Done (a double tap, an old
    -- picker) finds it cleared and is refused, instead of editing the message again.
    tagging TEXT CHECK (tagging IN ('s', 'l')),
    translations TEXT NOT NULL DEFAULT '{}', -- JSON {"<side>:<locale>": text}: machine translations readers got
    updated_at TEXT NOT NULL
);
