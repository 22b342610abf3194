"""More rules of supervision held by the database, not only by the services:

- a team's "1" is a county-level leader, and a cadre who leads a team stays one;
- a team's lead department is a work unit of the team's county (composite foreign key), and so
  is every work unit paired with it; neither the team nor the work unit moves county alone;
- what a report names lies inside its team's coverage (包保): the communities visited, the
  communities of its measure checks and of its problems (a problem found on its own too) — a
  covered community, or a community under a covered township.

`supervision_covers(team, area)` is that last rule, one probe of the coverage's unique index
(team, area) for the area and its ancestors (read from its path); the report service asks it
too, before it writes, to name what lies outside.
"""

from django.db import migrations

FORWARD = r"""
-- plpgsql, not sql: its plan is kept for the session (a sql function's would be made anew for
-- each call of a trigger).
CREATE FUNCTION supervision_covers(covering_team bigint, community bigint) RETURNS boolean
LANGUAGE plpgsql STABLE AS $$
DECLARE
    ancestors bigint[];
BEGIN
    SELECT string_to_array(rtrim(path, '/'), '/')::bigint[] INTO ancestors
        FROM communities_area WHERE id = community AND level = 'community';
    RETURN ancestors IS NOT NULL AND EXISTS (
        SELECT 1 FROM supervision_teamcoverage
        WHERE team_id = covering_team AND area_id = ANY (ancestors)
    );
END $$;

CREATE FUNCTION supervision_within_coverage() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    team bigint;
    community bigint;
BEGIN
    IF TG_TABLE_NAME = 'supervision_problem' THEN
        team := NEW.team_id;
        community := NEW.community_id;
    ELSIF TG_TABLE_NAME = 'supervision_measurecheck' THEN
        SELECT r.team_id INTO team FROM supervision_dailyreport r WHERE r.id = NEW.report_id;
        community := NEW.community_id;
    ELSE
        SELECT r.team_id INTO team FROM supervision_dailyreport r WHERE r.id = NEW.dailyreport_id;
        community := NEW.area_id;
    END IF;
    IF NOT supervision_covers(team, community) THEN
        RAISE EXCEPTION 'community % lies outside the coverage of team %', community, team
            USING ERRCODE = 'check_violation', CONSTRAINT = TG_TABLE_NAME || '_covered';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER supervision_problem_covered
    BEFORE INSERT ON supervision_problem
    FOR EACH ROW EXECUTE FUNCTION supervision_within_coverage();
-- Only when the team or the place changes: a later step of an old problem is not refused because
-- the team's coverage has changed since.
CREATE TRIGGER supervision_problem_covered_moved
    BEFORE UPDATE OF team_id, community_id ON supervision_problem
    FOR EACH ROW WHEN (OLD.team_id <> NEW.team_id OR OLD.community_id <> NEW.community_id)
    EXECUTE FUNCTION supervision_within_coverage();
CREATE TRIGGER supervision_measurecheck_covered
    BEFORE INSERT ON supervision_measurecheck
    FOR EACH ROW EXECUTE FUNCTION supervision_within_coverage();
CREATE TRIGGER supervision_measurecheck_covered_moved
    BEFORE UPDATE OF report_id, community_id ON supervision_measurecheck
    FOR EACH ROW WHEN (OLD.report_id <> NEW.report_id OR OLD.community_id <> NEW.community_id)
    EXECUTE FUNCTION supervision_within_coverage();
CREATE TRIGGER supervision_dailyreport_communities_covered
    BEFORE INSERT ON supervision_dailyreport_communities
    FOR EACH ROW EXECUTE FUNCTION supervision_within_coverage();
CREATE TRIGGER supervision_dailyreport_communities_covered_moved
    BEFORE UPDATE ON supervision_dailyreport_communities
    FOR EACH ROW WHEN (OLD.dailyreport_id <> NEW.dailyreport_id OR OLD.area_id <> NEW.area_id)
    EXECUTE FUNCTION supervision_within_coverage();

CREATE FUNCTION supervision_dailyreport_team_covers() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (
        SELECT 1 FROM supervision_dailyreport_communities v
        WHERE v.dailyreport_id = NEW.id AND NOT supervision_covers(NEW.team_id, v.area_id)
    ) OR EXISTS (
        SELECT 1 FROM supervision_measurecheck m
        WHERE m.report_id = NEW.id AND NOT supervision_covers(NEW.team_id, m.community_id)
    ) THEN
        RAISE EXCEPTION 'report % names communities outside the coverage of team %',
            NEW.id, NEW.team_id
            USING ERRCODE = 'check_violation',
                  CONSTRAINT = 'supervision_dailyreport_communities_covered';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER supervision_dailyreport_team_covers
    BEFORE UPDATE OF team_id ON supervision_dailyreport
    FOR EACH ROW WHEN (OLD.team_id <> NEW.team_id)
    EXECUTE FUNCTION supervision_dailyreport_team_covers();

CREATE FUNCTION supervision_team_leader_county_level() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- FOR SHARE: a concurrent change of the cadre waits for this transaction.
    PERFORM 1 FROM cadres_cadre WHERE id = NEW.leader_id AND is_county_leader FOR SHARE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'the leader of team % (cadre %) is not a county-level leader',
            NEW.id, NEW.leader_id
            USING ERRCODE = 'check_violation',
                  CONSTRAINT = 'supervision_team_leader_county_level';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER supervision_team_leader_county_level
    BEFORE INSERT ON supervision_team
    FOR EACH ROW WHEN (NEW.leader_id IS NOT NULL)
    EXECUTE FUNCTION supervision_team_leader_county_level();
CREATE TRIGGER supervision_team_leader_county_level_changed
    BEFORE UPDATE OF leader_id ON supervision_team
    FOR EACH ROW WHEN (NEW.leader_id IS NOT NULL AND NEW.leader_id IS DISTINCT FROM OLD.leader_id)
    EXECUTE FUNCTION supervision_team_leader_county_level();

CREATE FUNCTION supervision_cadre_keeps_teams() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM supervision_team WHERE leader_id = NEW.id) THEN
        RAISE EXCEPTION 'cadre % leads a supervision team and stays a county-level leader', NEW.id
            USING ERRCODE = 'check_violation',
                  CONSTRAINT = 'supervision_team_leader_county_level';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER supervision_cadre_keeps_teams
    BEFORE UPDATE OF is_county_leader ON cadres_cadre
    FOR EACH ROW WHEN (OLD.is_county_leader AND NOT NEW.is_county_leader)
    EXECUTE FUNCTION supervision_cadre_keeps_teams();

ALTER TABLE supervision_team
    ADD CONSTRAINT supervision_team_lead_unit_same_county
    FOREIGN KEY (lead_unit_id, county_id) REFERENCES cadres_workunit (id, county_id)
    DEFERRABLE INITIALLY DEFERRED;

CREATE FUNCTION supervision_paired_unit_same_county() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM supervision_team t JOIN cadres_workunit w ON w.county_id = t.county_id
        WHERE t.id = NEW.team_id AND w.id = NEW.workunit_id
        FOR SHARE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'work unit % is not of the county of team %', NEW.workunit_id, NEW.team_id
            USING ERRCODE = 'check_violation',
                  CONSTRAINT = 'supervision_team_paired_units_same_county';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER supervision_paired_unit_same_county
    BEFORE INSERT OR UPDATE ON supervision_team_paired_units
    FOR EACH ROW EXECUTE FUNCTION supervision_paired_unit_same_county();

CREATE FUNCTION supervision_paired_units_follow() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'supervision_team' THEN
        PERFORM 1 FROM supervision_team_paired_units p
            JOIN cadres_workunit w ON w.id = p.workunit_id
            WHERE p.team_id = NEW.id AND w.county_id <> NEW.county_id;
    ELSE
        PERFORM 1 FROM supervision_team_paired_units p
            JOIN supervision_team t ON t.id = p.team_id
            WHERE p.workunit_id = NEW.id AND t.county_id <> NEW.county_id;
    END IF;
    IF FOUND THEN
        RAISE EXCEPTION '% % is paired with a team or work unit of its old county',
            TG_TABLE_NAME, NEW.id
            USING ERRCODE = 'check_violation',
                  CONSTRAINT = 'supervision_team_paired_units_same_county';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER supervision_paired_units_follow
    BEFORE UPDATE OF county_id ON supervision_team
    FOR EACH ROW WHEN (OLD.county_id <> NEW.county_id)
    EXECUTE FUNCTION supervision_paired_units_follow();
CREATE TRIGGER supervision_paired_units_follow
    BEFORE UPDATE OF county_id ON cadres_workunit
    FOR EACH ROW WHEN (OLD.county_id <> NEW.county_id)
    EXECUTE FUNCTION supervision_paired_units_follow();
"""

BACKWARD = r"""
DROP TRIGGER supervision_paired_units_follow ON cadres_workunit;
DROP TRIGGER supervision_paired_units_follow ON supervision_team;
DROP FUNCTION supervision_paired_units_follow();
DROP TRIGGER supervision_paired_unit_same_county ON supervision_team_paired_units;
DROP FUNCTION supervision_paired_unit_same_county();
ALTER TABLE supervision_team DROP CONSTRAINT supervision_team_lead_unit_same_county;
DROP TRIGGER supervision_cadre_keeps_teams ON cadres_cadre;
DROP FUNCTION supervision_cadre_keeps_teams();
DROP TRIGGER supervision_team_leader_county_level_changed ON supervision_team;
DROP TRIGGER supervision_team_leader_county_level ON supervision_team;
DROP FUNCTION supervision_team_leader_county_level();
DROP TRIGGER supervision_dailyreport_team_covers ON supervision_dailyreport;
DROP FUNCTION supervision_dailyreport_team_covers();
DROP TRIGGER supervision_dailyreport_communities_covered_moved
    ON supervision_dailyreport_communities;
DROP TRIGGER supervision_dailyreport_communities_covered ON supervision_dailyreport_communities;
DROP TRIGGER supervision_measurecheck_covered_moved ON supervision_measurecheck;
DROP TRIGGER supervision_measurecheck_covered ON supervision_measurecheck;
DROP TRIGGER supervision_problem_covered_moved ON supervision_problem;
DROP TRIGGER supervision_problem_covered ON supervision_problem;
DROP FUNCTION supervision_within_coverage();
DROP FUNCTION supervision_covers(bigint, bigint);
"""


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0004_problem_report_same_team"),
        ("cadres", "0004_more_database_rules"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
