-- Search filters and facets read from `search_docs`, next to the FTS rowid, instead of
-- looking up every hit's `animations` row: status, category, licence, price, duration,
-- lower-case title (exact title matches) and creation time (relevance ties), copied
-- from `animations` and kept in step by triggers.
ALTER TABLE search_docs ADD COLUMN status TEXT NOT NULL DEFAULT '';
ALTER TABLE search_docs ADD COLUMN category TEXT NOT NULL DEFAULT '';
ALTER TABLE search_docs ADD COLUMN license TEXT NOT NULL DEFAULT '';
ALTER TABLE search_docs ADD COLUMN price_cents INTEGER NOT NULL DEFAULT 0;
ALTER TABLE search_docs ADD COLUMN duration REAL;
ALTER TABLE search_docs ADD COLUMN title_lower TEXT NOT NULL DEFAULT '';
ALTER TABLE search_docs ADD COLUMN created_at TEXT NOT NULL DEFAULT '';

UPDATE search_docs SET (status, category, license, price_cents, duration, title_lower, created_at) =
    (SELECT a.status, a.category, a.license, a.price_cents, a.duration, a.title_lower, a.created_at
     FROM animations a WHERE a.id = search_docs.animation_id);

DROP TRIGGER search_animation_inserted;
CREATE TRIGGER search_animation_inserted AFTER INSERT ON animations BEGIN
    INSERT INTO search_docs (animation_id, status, category, license, price_cents, duration,
            title_lower, created_at)
        VALUES (new.id, new.status, new.category, new.license, new.price_cents, new.duration,
            new.title_lower, new.created_at);
    INSERT INTO search_fts (rowid, title, description, tags)
        VALUES ((SELECT doc FROM search_docs WHERE animation_id = new.id),
                new.title, new.description, new.tags);
END;

CREATE TRIGGER search_filters_changed AFTER UPDATE OF status, category, license, price_cents,
    duration, title_lower, created_at ON animations
BEGIN
    UPDATE search_docs SET status = new.status, category = new.category, license = new.license,
        price_cents = new.price_cents, duration = new.duration, title_lower = new.title_lower,
        created_at = new.created_at
        WHERE animation_id = new.id;
END;
