-- Facilitation (issue 6): co-facilitators per circle and territory, the circle's journal, announcements.
-- Like everywhere else, a reference to a member either cascades or is set NULL, so that /forget leaves no row
-- about the member; the journal keeps what the circle learned, without saying who wrote it.

-- Facilitator rights on one circle, for one territory of it or (territory_code NULL) for all of them.
-- The older `facilitators` table keeps its meaning: facilitators of every circle.
CREATE TABLE circle_facilitators (
    member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    circle_id INTEGER NOT NULL REFERENCES circles(id) ON DELETE CASCADE,
    territory_code TEXT REFERENCES territories(code),
    promoted_by INTEGER REFERENCES members(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX circle_facilitators_once ON circle_facilitators (member_id, circle_id, ifnull(territory_code, ''));
CREATE INDEX circle_facilitators_by_circle ON circle_facilitators (circle_id);

-- Every relayed reply and every practice named after a call, kept per circle. It outlives the reply row
-- (erased by /forget with its author): member_id is set NULL and author_label blanked then.
CREATE TABLE journal_entries (
    id INTEGER PRIMARY KEY,
    circle_id INTEGER NOT NULL REFERENCES circles(id) ON DELETE CASCADE,
    source TEXT NOT NULL CHECK (source IN ('reply', 'call')),
    member_id INTEGER REFERENCES members(id) ON DELETE SET NULL,
    author_label TEXT,                     -- "name, organisation" when it was written; NULL once forgotten
    territory_code TEXT REFERENCES territories(code),
    kind TEXT NOT NULL,                    -- a reply's kind (text, voice, photo…) or 'practice' for a call
    text TEXT,
    language TEXT,
    translations TEXT NOT NULL DEFAULT '{}',   -- JSON {locale: text} of the translations readers were sent
    practice_tags TEXT,                    -- JSON list; NULL: derived from the text when read
    created_at TEXT NOT NULL
);
CREATE INDEX journal_entries_by_circle ON journal_entries (circle_id, created_at);

-- A practice named in a call follow-up enters the journal in the very transaction that records it
-- (call_followups belongs to the calls feature and cascades away with its member on /forget).
CREATE TRIGGER journal_call_practice AFTER UPDATE OF practice ON call_followups
WHEN NEW.practice IS NOT NULL AND OLD.practice IS NULL
BEGIN
    INSERT INTO journal_entries (circle_id, source, member_id, author_label, territory_code, kind, text, language,
                                 created_at)
    SELECT NEW.circle_id, 'call', NEW.member_id,
           trim(m.first_name || ' ' || ifnull(m.last_name, '')) || ifnull(', ' || m.organisation, ''),
           NEW.territory_code, 'practice', NEW.practice, m.locale,
           ifnull(NEW.answered_at, strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now'))
    FROM members m WHERE m.id = NEW.member_id;
END;

-- A facilitator's message to a circle (or one territory of it): a draft until confirmed after the preview.
CREATE TABLE announcements (
    id INTEGER PRIMARY KEY,
    circle_id INTEGER NOT NULL REFERENCES circles(id) ON DELETE CASCADE,
    territory_code TEXT REFERENCES territories(code),   -- NULL: every territory of the circle
    texts TEXT NOT NULL,                   -- JSON {locale: text}
    created_by INTEGER REFERENCES members(id) ON DELETE SET NULL,
    status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'sent', 'cancelled')),
    created_at TEXT NOT NULL,
    sent_at TEXT
);
