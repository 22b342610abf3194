"""Database-side rules of supervision.

- A team belongs to a county; it covers townships and communities only; a problem lies in a
  community (the cadres app's area-level trigger function).
- A problem is born `found` and moves one step at a time: found → rectifying → resolved →
  verified, or resolved → rectifying when a check fails. Verified is final.
"""

from django.db import migrations

FORWARD = r"""
CREATE TRIGGER supervision_team_area_level
    BEFORE INSERT OR UPDATE OF county_id ON supervision_team
    FOR EACH ROW EXECUTE FUNCTION cadres_require_area_level('county_id', 'county');
CREATE TRIGGER supervision_problem_area_level
    BEFORE INSERT OR UPDATE OF community_id ON supervision_problem
    FOR EACH ROW EXECUTE FUNCTION cadres_require_area_level('community_id', 'community');

CREATE FUNCTION supervision_coverage_area_level() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM communities_area
        WHERE id = NEW.area_id AND level IN ('township', 'community')
    ) THEN
        RAISE EXCEPTION 'a team covers townships and communities only'
            USING ERRCODE = 'foreign_key_violation',
                  CONSTRAINT = 'supervision_teamcoverage_area_level';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER supervision_coverage_area_level
    BEFORE INSERT OR UPDATE OF area_id ON supervision_teamcoverage
    FOR EACH ROW EXECUTE FUNCTION supervision_coverage_area_level();

CREATE FUNCTION supervision_problem_step() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.status <> 'found' THEN
            RAISE EXCEPTION 'a problem starts as found, not %', NEW.status
                USING ERRCODE = 'check_violation', CONSTRAINT = 'supervision_problem_step';
        END IF;
        RETURN NEW;
    END IF;
    IF NEW.status = OLD.status THEN
        RETURN NEW;
    END IF;
    IF (OLD.status, NEW.status) NOT IN (
        ('found', 'rectifying'), ('rectifying', 'resolved'),
        ('resolved', 'verified'), ('resolved', 'rectifying')
    ) THEN
        RAISE EXCEPTION 'a problem cannot go from % to %', OLD.status, NEW.status
            USING ERRCODE = 'check_violation', CONSTRAINT = 'supervision_problem_step';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER supervision_problem_step
    BEFORE INSERT OR UPDATE OF status ON supervision_problem
    FOR EACH ROW EXECUTE FUNCTION supervision_problem_step();
"""

BACKWARD = r"""
DROP TRIGGER supervision_problem_step ON supervision_problem;
DROP FUNCTION supervision_problem_step();
DROP TRIGGER supervision_coverage_area_level ON supervision_teamcoverage;
DROP FUNCTION supervision_coverage_area_level();
DROP TRIGGER supervision_problem_area_level ON supervision_problem;
DROP TRIGGER supervision_team_area_level ON supervision_team;
"""


class Migration(migrations.Migration):
    dependencies = [("supervision", "0001_initial"), ("cadres", "0002_database_rules")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
