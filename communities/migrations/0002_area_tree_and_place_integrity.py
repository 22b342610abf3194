"""Database-side rules of the area tree and of what lies in a community.

- `communities_area.path` is computed by a trigger from the parent's path and the row's id, on
  insert and whenever `parent_id` or `path` is written; a changed path cascades to the children,
  one level per statement so each child reads its parent's new path. A parent must sit at a higher
  level, and an area cannot move under itself.
- Estates, buildings and grids may only hang off a community-level area.
- A building's estate, and a grid's buildings, belong to the same community: composite foreign
  keys over (id, community_id).
"""

from django.db import migrations

FORWARD = r"""
CREATE FUNCTION communities_area_level_rank(level text) RETURNS int
LANGUAGE sql IMMUTABLE AS $$
    SELECT array_position(
        ARRAY['province', 'city', 'county', 'township', 'community']::text[], level)
$$;

CREATE FUNCTION communities_area_set_path() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    parent communities_area%ROWTYPE;
BEGIN
    IF NEW.parent_id IS NULL THEN
        NEW.path := NEW.id || '/';
        RETURN NEW;
    END IF;
    SELECT * INTO parent FROM communities_area WHERE id = NEW.parent_id;
    IF communities_area_level_rank(parent.level) >= communities_area_level_rank(NEW.level) THEN
        RAISE EXCEPTION 'area % (%) cannot lie under area % (%)',
            NEW.id, NEW.level, parent.id, parent.level
            USING ERRCODE = 'check_violation', CONSTRAINT = 'communities_area_level_order';
    END IF;
    IF TG_OP = 'UPDATE' AND parent.path LIKE OLD.path || '%' THEN
        RAISE EXCEPTION 'area % cannot lie under itself', NEW.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'communities_area_no_cycle';
    END IF;
    NEW.path := parent.path || NEW.id || '/';
    RETURN NEW;
END $$;

CREATE TRIGGER communities_area_set_path
    BEFORE INSERT OR UPDATE OF parent_id, path, level ON communities_area
    FOR EACH ROW EXECUTE FUNCTION communities_area_set_path();

CREATE FUNCTION communities_area_cascade_path() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE communities_area SET path = '' WHERE parent_id = NEW.id;
    RETURN NULL;
END $$;

CREATE TRIGGER communities_area_cascade_path
    AFTER UPDATE OF parent_id, path, level ON communities_area
    FOR EACH ROW WHEN (OLD.path IS DISTINCT FROM NEW.path OR OLD.level IS DISTINCT FROM NEW.level)
    EXECUTE FUNCTION communities_area_cascade_path();

CREATE FUNCTION communities_require_community_area() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM communities_area WHERE id = NEW.community_id AND level = 'community'
    ) THEN
        RAISE EXCEPTION '% must belong to a community-level area', TG_TABLE_NAME
            USING ERRCODE = 'foreign_key_violation',
                  CONSTRAINT = TG_TABLE_NAME || '_community_level';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER communities_estate_community_level
    BEFORE INSERT OR UPDATE OF community_id ON communities_estate
    FOR EACH ROW EXECUTE FUNCTION communities_require_community_area();
CREATE TRIGGER communities_building_community_level
    BEFORE INSERT OR UPDATE OF community_id ON communities_building
    FOR EACH ROW EXECUTE FUNCTION communities_require_community_area();
CREATE TRIGGER communities_grid_community_level
    BEFORE INSERT OR UPDATE OF community_id ON communities_grid
    FOR EACH ROW EXECUTE FUNCTION communities_require_community_area();

ALTER TABLE communities_building
    ADD CONSTRAINT communities_building_estate_same_community
    FOREIGN KEY (estate_id, community_id)
    REFERENCES communities_estate (id, community_id)
    DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE communities_gridbuilding
    ADD CONSTRAINT communities_gridbuilding_grid_same_community
    FOREIGN KEY (grid_id, community_id)
    REFERENCES communities_grid (id, community_id)
    ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE communities_gridbuilding
    ADD CONSTRAINT communities_gridbuilding_building_same_community
    FOREIGN KEY (building_id, community_id)
    REFERENCES communities_building (id, community_id)
    ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED;
"""

BACKWARD = r"""
ALTER TABLE communities_gridbuilding
    DROP CONSTRAINT communities_gridbuilding_building_same_community;
ALTER TABLE communities_gridbuilding DROP CONSTRAINT communities_gridbuilding_grid_same_community;
ALTER TABLE communities_building DROP CONSTRAINT communities_building_estate_same_community;
DROP TRIGGER communities_grid_community_level ON communities_grid;
DROP TRIGGER communities_building_community_level ON communities_building;
DROP TRIGGER communities_estate_community_level ON communities_estate;
DROP FUNCTION communities_require_community_area();
DROP TRIGGER communities_area_cascade_path ON communities_area;
DROP FUNCTION communities_area_cascade_path();
DROP TRIGGER communities_area_set_path ON communities_area;
DROP FUNCTION communities_area_set_path();
DROP FUNCTION communities_area_level_rank(text);
"""


class Migration(migrations.Migration):
    dependencies = [("communities", "0001_initial")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
