-- How many animations are in each status, kept by triggers, so the unfiltered
-- catalogue's total does not need COUNT(*) over every row; and an index for the
-- category filter.
CREATE TABLE catalogue_counts (
    status TEXT PRIMARY KEY,
    count  INTEGER NOT NULL
);
INSERT INTO catalogue_counts (status, count)
    SELECT status, COUNT(*) FROM animations GROUP BY status;

CREATE TRIGGER animations_count_insert AFTER INSERT ON animations
BEGIN
    INSERT INTO catalogue_counts (status, count) VALUES (NEW.status, 1)
        ON CONFLICT (status) DO UPDATE SET count = count + 1;
END;

CREATE TRIGGER animations_count_delete AFTER DELETE ON animations
BEGIN
    UPDATE catalogue_counts SET count = count - 1 WHERE status = OLD.status;
END;

CREATE TRIGGER animations_count_status AFTER UPDATE OF status ON animations
WHEN OLD.status <> NEW.status
BEGIN
    UPDATE catalogue_counts SET count = count - 1 WHERE status = OLD.status;
    INSERT INTO catalogue_counts (status, count) VALUES (NEW.status, 1)
        ON CONFLICT (status) DO UPDATE SET count = count + 1;
END;

CREATE INDEX animations_status_category ON animations (status, category, created_at, id);
