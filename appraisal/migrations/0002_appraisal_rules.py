"""Database-side rules of the appraisal; whatever writes the rows, these hold.

- A closed period refuses every change: to itself (no reopening), and to its appraisals, quotas
  and commendations (insert, update, delete).
- A final 优秀 beyond the work unit's quota for the period is refused. The quota row is locked
  first (`FOR UPDATE`), then the unit's 优秀 are counted, so two people confirming the last place
  at the same moment queue on the lock and the second sees the first's. No quota means none.
  A quota cannot drop below, or be removed from under, the 优秀 already given.
- A period belongs to a county; an appraisal's community is a community and its work unit is of
  the period's county.
"""

from django.db import migrations

FORWARD = r"""
CREATE FUNCTION appraisal_refuse(constraint_name text, message text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '%', message USING ERRCODE = 'check_violation', CONSTRAINT = constraint_name;
END $$;

CREATE FUNCTION appraisal_period_closed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status = 'closed' THEN
        PERFORM appraisal_refuse('appraisal_period_closed',
            format('appraisal period %s is closed', OLD.id));
    END IF;
    RETURN COALESCE(NEW, OLD);
END $$;

CREATE TRIGGER appraisal_period_closed
    BEFORE UPDATE OR DELETE ON appraisal_period
    FOR EACH ROW EXECUTE FUNCTION appraisal_period_closed();

CREATE FUNCTION appraisal_row_period_closed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (
        SELECT 1 FROM appraisal_period
        WHERE status = 'closed'
          AND id IN (
              CASE WHEN TG_OP <> 'DELETE' THEN NEW.period_id END,
              CASE WHEN TG_OP <> 'INSERT' THEN OLD.period_id END
          )
    ) THEN
        PERFORM appraisal_refuse('appraisal_period_closed',
            format('%s: the appraisal period is closed', TG_TABLE_NAME));
    END IF;
    RETURN COALESCE(NEW, OLD);
END $$;

CREATE TRIGGER appraisal_appraisal_period_closed
    BEFORE INSERT OR UPDATE OR DELETE ON appraisal_appraisal
    FOR EACH ROW EXECUTE FUNCTION appraisal_row_period_closed();
CREATE TRIGGER appraisal_quota_period_closed
    BEFORE INSERT OR UPDATE OR DELETE ON appraisal_quota
    FOR EACH ROW EXECUTE FUNCTION appraisal_row_period_closed();
CREATE TRIGGER appraisal_commendation_period_closed
    BEFORE INSERT OR UPDATE OR DELETE ON appraisal_commendation
    FOR EACH ROW EXECUTE FUNCTION appraisal_row_period_closed();

CREATE FUNCTION appraisal_excellent_quota() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    places integer;
    taken integer;
BEGIN
    SELECT excellent INTO places FROM appraisal_quota
    WHERE period_id = NEW.period_id AND work_unit_id = NEW.work_unit_id
    FOR UPDATE;
    SELECT count(*) INTO taken FROM appraisal_appraisal
    WHERE period_id = NEW.period_id AND work_unit_id = NEW.work_unit_id
      AND final_grade = 'excellent' AND id <> NEW.id;
    IF taken + 1 > COALESCE(places, 0) THEN
        PERFORM appraisal_refuse('appraisal_appraisal_excellent_quota',
            format('work unit %s has %s excellent places in period %s, all taken',
                   NEW.work_unit_id, COALESCE(places, 0), NEW.period_id));
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER appraisal_excellent_quota
    BEFORE INSERT OR UPDATE OF final_grade, work_unit_id, period_id ON appraisal_appraisal
    FOR EACH ROW WHEN (NEW.final_grade = 'excellent')
    EXECUTE FUNCTION appraisal_excellent_quota();

CREATE FUNCTION appraisal_quota_covers_given() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    taken integer;
    places integer := 0;
BEGIN
    SELECT count(*) INTO taken FROM appraisal_appraisal
    WHERE period_id = OLD.period_id AND work_unit_id = OLD.work_unit_id
      AND final_grade = 'excellent';
    IF TG_OP = 'UPDATE' AND NEW.period_id = OLD.period_id
       AND NEW.work_unit_id = OLD.work_unit_id THEN
        places := NEW.excellent;
    END IF;
    IF taken > places THEN
        PERFORM appraisal_refuse('appraisal_quota_covers_given',
            format('%s excellent grades are given under this quota', taken));
    END IF;
    RETURN COALESCE(NEW, OLD);
END $$;

CREATE TRIGGER appraisal_quota_covers_given
    BEFORE UPDATE OR DELETE ON appraisal_quota
    FOR EACH ROW EXECUTE FUNCTION appraisal_quota_covers_given();

CREATE TRIGGER appraisal_period_area_level
    BEFORE INSERT OR UPDATE OF county_id ON appraisal_period
    FOR EACH ROW EXECUTE FUNCTION cadres_require_area_level('county_id', 'county');
CREATE TRIGGER appraisal_appraisal_area_level
    BEFORE INSERT OR UPDATE OF community_id ON appraisal_appraisal
    FOR EACH ROW EXECUTE FUNCTION cadres_require_area_level('community_id', 'community');

CREATE FUNCTION appraisal_unit_of_county() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF (SELECT county_id FROM cadres_workunit WHERE id = NEW.work_unit_id)
       IS DISTINCT FROM (SELECT county_id FROM appraisal_period WHERE id = NEW.period_id) THEN
        PERFORM appraisal_refuse(TG_TABLE_NAME || '_unit_county',
            'the work unit is of another county than the period');
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER appraisal_appraisal_unit_county
    BEFORE INSERT OR UPDATE OF work_unit_id, period_id ON appraisal_appraisal
    FOR EACH ROW EXECUTE FUNCTION appraisal_unit_of_county();
CREATE TRIGGER appraisal_quota_unit_county
    BEFORE INSERT OR UPDATE OF work_unit_id, period_id ON appraisal_quota
    FOR EACH ROW EXECUTE FUNCTION appraisal_unit_of_county();
"""

BACKWARD = r"""
DROP TRIGGER appraisal_quota_unit_county ON appraisal_quota;
DROP TRIGGER appraisal_appraisal_unit_county ON appraisal_appraisal;
DROP FUNCTION appraisal_unit_of_county();
DROP TRIGGER appraisal_appraisal_area_level ON appraisal_appraisal;
DROP TRIGGER appraisal_period_area_level ON appraisal_period;
DROP TRIGGER appraisal_quota_covers_given ON appraisal_quota;
DROP FUNCTION appraisal_quota_covers_given();
DROP TRIGGER appraisal_excellent_quota ON appraisal_appraisal;
DROP FUNCTION appraisal_excellent_quota();
DROP TRIGGER appraisal_commendation_period_closed ON appraisal_commendation;
DROP TRIGGER appraisal_quota_period_closed ON appraisal_quota;
DROP TRIGGER appraisal_appraisal_period_closed ON appraisal_appraisal;
DROP FUNCTION appraisal_row_period_closed();
DROP TRIGGER appraisal_period_closed ON appraisal_period;
DROP FUNCTION appraisal_period_closed();
DROP FUNCTION appraisal_refuse(text, text);
"""


class Migration(migrations.Migration):
    dependencies = [("appraisal", "0001_appraisal"), ("cadres", "0004_more_database_rules")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
