-- Full-text search: an FTS5 index over title, description and tags, kept in step with
-- `animations` by triggers. `search_docs` gives each animation a stable integer key
-- (the FTS rowid), since the text primary key of `animations` has none.
CREATE TABLE search_docs (
    doc          INTEGER PRIMARY KEY,
    animation_id TEXT NOT NULL UNIQUE
);
CREATE VIRTUAL TABLE search_fts USING fts5 (
    title, description, tags,
    tokenize = 'unicode61 remove_diacritics 2'
);

-- Autocomplete: lower-case titles and tags of ready animations (weight: how many carry
-- them) and searched queries (weight: how often), looked up by prefix.
CREATE TABLE search_suggestions (
    term   TEXT NOT NULL,
    source TEXT NOT NULL,
    weight INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (term, source)
);

CREATE TRIGGER search_animation_inserted AFTER INSERT ON animations BEGIN
    INSERT INTO search_docs (animation_id) VALUES (new.id);
    INSERT INTO search_fts (rowid, title, description, tags)
        VALUES ((SELECT doc FROM search_docs WHERE animation_id = new.id),
                new.title, new.description, new.tags);
END;

CREATE TRIGGER search_animation_changed AFTER UPDATE OF title, description, tags ON animations
BEGIN
    UPDATE search_fts SET title = new.title, description = new.description, tags = new.tags
        WHERE rowid = (SELECT doc FROM search_docs WHERE animation_id = new.id);
END;

CREATE TRIGGER search_animation_deleted AFTER DELETE ON animations BEGIN
    DELETE FROM search_fts WHERE rowid = (SELECT doc FROM search_docs WHERE animation_id = old.id);
    DELETE FROM search_docs WHERE animation_id = old.id;
END;

-- Suggestions follow the ready animations: added when one is inserted ready or becomes
-- ready, moved when its title or tags change, removed when it leaves `ready`.
CREATE TRIGGER suggest_animation_inserted AFTER INSERT ON animations
WHEN new.status = 'ready' BEGIN
    INSERT INTO search_suggestions (term, source, weight) VALUES (new.title_lower, 'title', 1)
        ON CONFLICT (term, source) DO UPDATE SET weight = weight + 1;
    INSERT INTO search_suggestions (term, source, weight)
        SELECT DISTINCT lower(value), 'tag', 1 FROM json_each(new.tags) WHERE true
        ON CONFLICT (term, source) DO UPDATE SET weight = weight + 1;
END;

CREATE TRIGGER suggest_animation_left AFTER UPDATE OF status, title_lower, tags ON animations
WHEN old.status = 'ready' BEGIN
    UPDATE search_suggestions SET weight = weight - 1
        WHERE source = 'title' AND term = old.title_lower;
    UPDATE search_suggestions SET weight = weight - 1
        WHERE source = 'tag' AND term IN (SELECT lower(value) FROM json_each(old.tags));
END;

CREATE TRIGGER suggest_animation_entered AFTER UPDATE OF status, title_lower, tags ON animations
WHEN new.status = 'ready' BEGIN
    INSERT INTO search_suggestions (term, source, weight) VALUES (new.title_lower, 'title', 1)
        ON CONFLICT (term, source) DO UPDATE SET weight = weight + 1;
    INSERT INTO search_suggestions (term, source, weight)
        SELECT DISTINCT lower(value), 'tag', 1 FROM json_each(new.tags) WHERE true
        ON CONFLICT (term, source) DO UPDATE SET weight = weight + 1;
END;

CREATE TRIGGER suggest_animation_deleted AFTER DELETE ON animations
WHEN old.status = 'ready' BEGIN
    UPDATE search_suggestions SET weight = weight - 1
        WHERE source = 'title' AND term = old.title_lower;
    UPDATE search_suggestions SET weight = weight - 1
        WHERE source = 'tag' AND term IN (SELECT lower(value) FROM json_each(old.tags));
END;

-- Existing animations.
INSERT INTO search_docs (animation_id) SELECT id FROM animations;
INSERT INTO search_fts (rowid, title, description, tags)
    SELECT d.doc, a.title, a.description, a.tags
    FROM search_docs d JOIN animations a ON a.id = d.animation_id;
INSERT INTO search_suggestions (term, source, weight)
    SELECT title_lower, 'title', COUNT(*) FROM animations WHERE status = 'ready'
    GROUP BY title_lower;
INSERT INTO search_suggestions (term, source, weight)
    SELECT lower(j.value), 'tag', COUNT(DISTINCT a.id) FROM animations a, json_each(a.tags) j
    WHERE a.status = 'ready' GROUP BY lower(j.value)
    ON CONFLICT (term, source) DO UPDATE SET weight = weight + excluded.weight;
