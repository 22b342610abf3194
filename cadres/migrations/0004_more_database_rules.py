"""More rules held by the database, not only by the services:

- the work unit tree has no loops;
- a transfer request points at a registration of the same member (composite foreign key);
- a branch's secretary is one of its current members (while the branch is not dissolved), and
  a member who is its secretary cannot simply leave;
- no one joins a dissolved branch;
- a building group's leader is a confirmed member of the building's community, and a confirmed
  registration through which someone leads a building group cannot end while they do.
"""

from django.db import migrations

FORWARD = r"""
CREATE FUNCTION cadres_workunit_no_cycle() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (
        WITH RECURSIVE up(id, parent_id) AS (
            SELECT id, parent_id FROM cadres_workunit WHERE id = NEW.parent_id
            UNION SELECT w.id, w.parent_id FROM cadres_workunit w JOIN up ON w.id = up.parent_id
        ) SELECT 1 FROM up WHERE id = NEW.id
    ) THEN
        RAISE EXCEPTION 'work unit % cannot lie under itself', NEW.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'cadres_workunit_no_cycle';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER cadres_workunit_no_cycle
    BEFORE INSERT OR UPDATE OF parent_id ON cadres_workunit
    FOR EACH ROW WHEN (NEW.parent_id IS NOT NULL)
    EXECUTE FUNCTION cadres_workunit_no_cycle();

ALTER TABLE cadres_registration
    ADD CONSTRAINT cadres_registration_transfer_same_cadre
    FOREIGN KEY (transferred_from_id, cadre_id) REFERENCES cadres_registration (id, cadre_id)
    DEFERRABLE INITIALLY DEFERRED;

CREATE FUNCTION cadres_branch_secretary_member() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM cadres_branchmember
        WHERE branch_id = NEW.id AND cadre_id = NEW.secretary_id AND left_on IS NULL FOR SHARE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'the secretary of branch % is not one of its members', NEW.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'cadres_branch_secretary_member';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER cadres_branch_secretary_member
    BEFORE INSERT OR UPDATE OF secretary_id, status ON cadres_branch
    FOR EACH ROW WHEN (NEW.secretary_id IS NOT NULL AND NEW.status <> 'dissolved')
    EXECUTE FUNCTION cadres_branch_secretary_member();

CREATE FUNCTION cadres_branchmember_rules() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF EXISTS (SELECT 1 FROM cadres_branch WHERE id = NEW.branch_id AND status = 'dissolved')
        THEN
            RAISE EXCEPTION 'branch % is dissolved', NEW.branch_id
                USING ERRCODE = 'check_violation', CONSTRAINT = 'cadres_branchmember_open_branch';
        END IF;
        RETURN NEW;
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.left_on IS NULL AND NEW.cadre_id = OLD.cadre_id THEN
        RETURN NEW;
    END IF;
    IF OLD.left_on IS NULL AND EXISTS (
        SELECT 1 FROM cadres_branch
        WHERE id = OLD.branch_id AND secretary_id = OLD.cadre_id AND status <> 'dissolved'
    ) THEN
        RAISE EXCEPTION 'the secretary of branch % cannot leave it', OLD.branch_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'cadres_branch_secretary_member';
    END IF;
    RETURN COALESCE(NEW, OLD);
END $$;

CREATE TRIGGER cadres_branchmember_rules
    BEFORE INSERT OR UPDATE OR DELETE ON cadres_branchmember
    FOR EACH ROW EXECUTE FUNCTION cadres_branchmember_rules();

CREATE FUNCTION cadres_buildinggroup_leader_confirmed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM cadres_registration
        WHERE cadre_id = NEW.leader_id AND community_id = NEW.community_id
          AND status = 'confirmed'
        FOR SHARE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'the leader of building group % is not a confirmed member here', NEW.id
            USING ERRCODE = 'check_violation',
                  CONSTRAINT = 'cadres_buildinggroup_leader_confirmed';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER cadres_buildinggroup_leader_confirmed
    BEFORE INSERT OR UPDATE OF leader_id, community_id ON cadres_buildinggroup
    FOR EACH ROW WHEN (NEW.leader_id IS NOT NULL)
    EXECUTE FUNCTION cadres_buildinggroup_leader_confirmed();

CREATE OR REPLACE FUNCTION cadres_registration_keeps_posts() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM cadres_post WHERE registration_id = NEW.id AND ended_at IS NULL) THEN
        RAISE EXCEPTION 'registration % still holds active posts', NEW.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'cadres_registration_posts_ended';
    END IF;
    IF EXISTS (
        SELECT 1 FROM cadres_buildinggroup
        WHERE leader_id = NEW.cadre_id AND community_id = NEW.community_id
    ) THEN
        RAISE EXCEPTION 'registration % still leads a building group', NEW.id
            USING ERRCODE = 'check_violation',
                  CONSTRAINT = 'cadres_buildinggroup_leader_confirmed';
    END IF;
    RETURN NEW;
END $$;
"""

BACKWARD = r"""
CREATE OR REPLACE FUNCTION cadres_registration_keeps_posts() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM cadres_post WHERE registration_id = NEW.id AND ended_at IS NULL) THEN
        RAISE EXCEPTION 'registration % still holds active posts', NEW.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'cadres_registration_posts_ended';
    END IF;
    RETURN NEW;
END $$;
DROP TRIGGER cadres_buildinggroup_leader_confirmed ON cadres_buildinggroup;
DROP FUNCTION cadres_buildinggroup_leader_confirmed();
DROP TRIGGER cadres_branchmember_rules ON cadres_branchmember;
DROP FUNCTION cadres_branchmember_rules();
DROP TRIGGER cadres_branch_secretary_member ON cadres_branch;
DROP FUNCTION cadres_branch_secretary_member();
ALTER TABLE cadres_registration DROP CONSTRAINT cadres_registration_transfer_same_cadre;
DROP TRIGGER cadres_workunit_no_cycle ON cadres_workunit;
DROP FUNCTION cadres_workunit_no_cycle();
"""


class Migration(migrations.Migration):
    dependencies = [("cadres", "0003_registration_id_cadre")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
