"""Database-side rules of registrations, posts and branches.

- Work units hang off a county, registrations off a community, grid and community branches off a
  community (a trigger reads the area's level).
- Composite foreign keys keep everything inside one community: a registration's building and
  unit, a post's registration and places, a branch's grid, a building group's building; a work
  unit's parent is in the same county.
- An active post needs a confirmed registration, and a confirmed registration with active posts
  cannot leave that status (the service ends the posts first).
- A branch becomes established only with at least three current full Party members.
"""

from django.db import migrations

FORWARD = r"""
CREATE FUNCTION cadres_require_area_level() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    area_id bigint := (to_jsonb(NEW) ->> TG_ARGV[0])::bigint;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM communities_area WHERE id = area_id AND level = TG_ARGV[1]) THEN
        RAISE EXCEPTION '%.% must be a % area', TG_TABLE_NAME, TG_ARGV[0], TG_ARGV[1]
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = TG_TABLE_NAME || '_area_level';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER cadres_workunit_area_level
    BEFORE INSERT OR UPDATE OF county_id ON cadres_workunit
    FOR EACH ROW EXECUTE FUNCTION cadres_require_area_level('county_id', 'county');
CREATE TRIGGER cadres_registration_area_level
    BEFORE INSERT OR UPDATE OF community_id ON cadres_registration
    FOR EACH ROW EXECUTE FUNCTION cadres_require_area_level('community_id', 'community');
CREATE TRIGGER cadres_branch_area_level
    BEFORE INSERT OR UPDATE OF area_id, kind ON cadres_branch
    FOR EACH ROW WHEN (NEW.kind <> 'front_line')
    EXECUTE FUNCTION cadres_require_area_level('area_id', 'community');

ALTER TABLE cadres_workunit
    ADD CONSTRAINT cadres_workunit_parent_same_county
    FOREIGN KEY (parent_id, county_id) REFERENCES cadres_workunit (id, county_id)
    DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE cadres_registration
    ADD CONSTRAINT cadres_registration_building_same_community
    FOREIGN KEY (building_id, community_id) REFERENCES communities_building (id, community_id)
    DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE cadres_registration
    ADD CONSTRAINT cadres_registration_unit_same_building
    FOREIGN KEY (unit_id, building_id) REFERENCES communities_unit (id, building_id)
    DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE cadres_post
    ADD CONSTRAINT cadres_post_registration_same_community
    FOREIGN KEY (registration_id, community_id) REFERENCES cadres_registration (id, community_id)
    DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE cadres_post
    ADD CONSTRAINT cadres_post_estate_same_community
    FOREIGN KEY (estate_id, community_id) REFERENCES communities_estate (id, community_id)
    DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE cadres_post
    ADD CONSTRAINT cadres_post_grid_same_community
    FOREIGN KEY (grid_id, community_id) REFERENCES communities_grid (id, community_id)
    DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE cadres_post
    ADD CONSTRAINT cadres_post_building_same_community
    FOREIGN KEY (building_id, community_id) REFERENCES communities_building (id, community_id)
    DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE cadres_post
    ADD CONSTRAINT cadres_post_unit_same_building
    FOREIGN KEY (unit_id, building_id) REFERENCES communities_unit (id, building_id)
    DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE cadres_branch
    ADD CONSTRAINT cadres_branch_grid_same_community
    FOREIGN KEY (grid_id, area_id) REFERENCES communities_grid (id, community_id)
    DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE cadres_buildinggroup
    ADD CONSTRAINT cadres_buildinggroup_building_same_community
    FOREIGN KEY (building_id, community_id) REFERENCES communities_building (id, community_id)
    DEFERRABLE INITIALLY DEFERRED;

CREATE FUNCTION cadres_post_requires_confirmed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- FOR SHARE: a concurrent status change of the registration waits for this transaction.
    PERFORM 1 FROM cadres_registration
        WHERE id = NEW.registration_id AND status = 'confirmed' FOR SHARE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'an active post needs a confirmed registration (registration %)',
            NEW.registration_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'cadres_post_registration_confirmed';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER cadres_post_requires_confirmed
    BEFORE INSERT OR UPDATE ON cadres_post
    FOR EACH ROW WHEN (NEW.ended_at IS NULL)
    EXECUTE FUNCTION cadres_post_requires_confirmed();

CREATE FUNCTION cadres_registration_keeps_posts() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM cadres_post WHERE registration_id = NEW.id AND ended_at IS NULL) THEN
        RAISE EXCEPTION 'registration % still holds active posts', NEW.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'cadres_registration_posts_ended';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER cadres_registration_keeps_posts
    BEFORE UPDATE OF status ON cadres_registration
    FOR EACH ROW WHEN (OLD.status = 'confirmed' AND NEW.status <> 'confirmed')
    EXECUTE FUNCTION cadres_registration_keeps_posts();

CREATE FUNCTION cadres_branch_ready() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    full_members int;
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.status = 'established' THEN
        RETURN NEW;
    END IF;
    SELECT count(*) INTO full_members
        FROM cadres_branchmember m JOIN cadres_cadre c ON c.id = m.cadre_id
        WHERE m.branch_id = NEW.id AND m.left_on IS NULL AND c.party_standing = 'full';
    IF full_members < 3 THEN
        RAISE EXCEPTION 'branch % has % full members; at least 3 are needed', NEW.id, full_members
            USING ERRCODE = 'check_violation', CONSTRAINT = 'cadres_branch_ready';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER cadres_branch_ready
    BEFORE INSERT OR UPDATE OF status ON cadres_branch
    FOR EACH ROW WHEN (NEW.status = 'established')
    EXECUTE FUNCTION cadres_branch_ready();
"""

BACKWARD = r"""
DROP TRIGGER cadres_branch_ready ON cadres_branch;
DROP FUNCTION cadres_branch_ready();
DROP TRIGGER cadres_registration_keeps_posts ON cadres_registration;
DROP FUNCTION cadres_registration_keeps_posts();
DROP TRIGGER cadres_post_requires_confirmed ON cadres_post;
DROP FUNCTION cadres_post_requires_confirmed();
ALTER TABLE cadres_buildinggroup DROP CONSTRAINT cadres_buildinggroup_building_same_community;
ALTER TABLE cadres_branch DROP CONSTRAINT cadres_branch_grid_same_community;
ALTER TABLE cadres_post DROP CONSTRAINT cadres_post_unit_same_building;
ALTER TABLE cadres_post DROP CONSTRAINT cadres_post_building_same_community;
ALTER TABLE cadres_post DROP CONSTRAINT cadres_post_grid_same_community;
ALTER TABLE cadres_post DROP CONSTRAINT cadres_post_estate_same_community;
ALTER TABLE cadres_post DROP CONSTRAINT cadres_post_registration_same_community;
ALTER TABLE cadres_registration DROP CONSTRAINT cadres_registration_unit_same_building;
ALTER TABLE cadres_registration DROP CONSTRAINT cadres_registration_building_same_community;
ALTER TABLE cadres_workunit DROP CONSTRAINT cadres_workunit_parent_same_county;
DROP TRIGGER cadres_branch_area_level ON cadres_branch;
DROP TRIGGER cadres_registration_area_level ON cadres_registration;
DROP TRIGGER cadres_workunit_area_level ON cadres_workunit;
DROP FUNCTION cadres_require_area_level();
"""


class Migration(migrations.Migration):
    dependencies = [("cadres", "0001_initial"), ("communities", "0005_unit_staff_and_unit_key")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
