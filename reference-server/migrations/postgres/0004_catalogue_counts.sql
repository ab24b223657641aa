-- How many animations are in each status, kept by triggers, so the unfiltered
-- catalogue's total does not need COUNT(*) over every row; and an index for the
-- category filter.
CREATE TABLE catalogue_counts (
    status TEXT PRIMARY KEY,
    count  BIGINT NOT NULL
);
INSERT INTO catalogue_counts (status, count)
    SELECT status, COUNT(*) FROM animations GROUP BY status;

CREATE FUNCTION animations_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' OR TG_OP = 'DELETE' THEN
        UPDATE catalogue_counts SET count = count - 1 WHERE status = OLD.status;
    END IF;
    IF TG_OP = 'UPDATE' OR TG_OP = 'INSERT' THEN
        INSERT INTO catalogue_counts (status, count) VALUES (NEW.status, 1)
            ON CONFLICT (status) DO UPDATE SET count = catalogue_counts.count + 1;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER animations_count_insert_delete AFTER INSERT OR DELETE ON animations
    FOR EACH ROW EXECUTE FUNCTION animations_count();
CREATE TRIGGER animations_count_status AFTER UPDATE OF status ON animations
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION animations_count();

CREATE INDEX animations_status_category ON animations (status, category, created_at, id);
