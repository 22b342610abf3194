"""Database-side rules of the supplies ledger; whatever writes the rows (services, the admin,
bulk inserts, raw SQL), these hold.

- Every county, township, community, work unit and team has its party (the holder of its stock),
  made when it is made; a moved one takes its county along.
- A ledger entry is never changed or deleted. On insert its voucher gets the next number of its
  county's year from a counter row advanced in the same transaction (a rolled-back entry gives
  the number back: no gaps, no duplicates); the item, the parties, the team and a reversed entry
  are checked against it.
- After insert, each side the entry moves updates that holder's balance (upsert under the row's
  lock; the balance's check constraint refuses to go below zero) and writes the stock card row
  with the balance after it. Balances, stock cards and counters are written by these triggers
  only: a direct write is refused.
"""

from django.db import migrations

FORWARD = r"""
-- Parties of the holders ---------------------------------------------------------------------

CREATE FUNCTION supplies_county_of(area_path varchar) RETURNS bigint
LANGUAGE sql STABLE AS $$
    SELECT id FROM communities_area
    WHERE level = 'county'
      AND id = ANY(string_to_array(trim(trailing '/' FROM area_path), '/')::bigint[])
$$;

CREATE FUNCTION supplies_area_party() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- An area outside any county (a province, a city) holds no stock here.
    IF NEW.level NOT IN ('county', 'township', 'community')
       OR supplies_county_of(NEW.path) IS NULL THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' THEN
        INSERT INTO supplies_party (kind, county_id, area_id, name, anonymous, created_at, updated_at)
        VALUES (NEW.level, supplies_county_of(NEW.path), NEW.id, '', false, now(), now())
        ON CONFLICT (area_id) DO NOTHING;
    ELSE
        UPDATE supplies_party SET county_id = supplies_county_of(NEW.path), updated_at = now()
        WHERE area_id = NEW.id AND county_id IS DISTINCT FROM supplies_county_of(NEW.path);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER supplies_area_party
    AFTER INSERT OR UPDATE OF path ON communities_area
    FOR EACH ROW EXECUTE FUNCTION supplies_area_party();

CREATE FUNCTION supplies_county_party() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- TG_ARGV[0]: the party's kind and its link column ('work_unit' or 'team').
    IF TG_OP = 'INSERT' THEN
        EXECUTE format(
            'INSERT INTO supplies_party (kind, county_id, %I, name, anonymous, created_at, updated_at)
             VALUES ($1, $2, $3, '''', false, now(), now()) ON CONFLICT (%I) DO NOTHING',
            TG_ARGV[0] || '_id', TG_ARGV[0] || '_id'
        ) USING TG_ARGV[0], NEW.county_id, NEW.id;
    ELSIF NEW.county_id IS DISTINCT FROM OLD.county_id THEN
        EXECUTE format(
            'UPDATE supplies_party SET county_id = $1, updated_at = now() WHERE %I = $2',
            TG_ARGV[0] || '_id'
        ) USING NEW.county_id, NEW.id;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER supplies_work_unit_party
    AFTER INSERT OR UPDATE OF county_id ON cadres_workunit
    FOR EACH ROW EXECUTE FUNCTION supplies_county_party('work_unit');
CREATE TRIGGER supplies_team_party
    AFTER INSERT OR UPDATE OF county_id ON supervision_team
    FOR EACH ROW EXECUTE FUNCTION supplies_county_party('team');

INSERT INTO supplies_party (kind, county_id, area_id, name, anonymous, created_at, updated_at)
SELECT level, supplies_county_of(path), id, '', false, now(), now()
FROM communities_area
WHERE level IN ('county', 'township', 'community') AND supplies_county_of(path) IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO supplies_party (kind, county_id, work_unit_id, name, anonymous, created_at, updated_at)
SELECT 'work_unit', county_id, id, '', false, now(), now() FROM cadres_workunit
ON CONFLICT DO NOTHING;
INSERT INTO supplies_party (kind, county_id, team_id, name, anonymous, created_at, updated_at)
SELECT 'team', county_id, id, '', false, now(), now() FROM supervision_team
ON CONFLICT DO NOTHING;

-- Entries: checked, numbered, never changed ----------------------------------------------------

CREATE FUNCTION supplies_refuse(constraint_name text, message text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '%', message USING ERRCODE = 'check_violation', CONSTRAINT = constraint_name;
END $$;

CREATE FUNCTION supplies_entry_before_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    item supplies_item%ROWTYPE;
    giver supplies_party%ROWTYPE;
    receiver supplies_party%ROWTYPE;
    original supplies_ledgerentry%ROWTYPE;
    holder_kinds CONSTANT text[] := ARRAY['county', 'township', 'community', 'work_unit', 'team'];
BEGIN
    SELECT * INTO item FROM supplies_item WHERE id = NEW.item_id;
    IF NOT item.is_money AND NEW.quantity <> trunc(NEW.quantity) THEN
        PERFORM supplies_refuse('supplies_ledgerentry_whole_units',
            format('%s is counted in whole units, not %s', item.name, NEW.quantity));
    END IF;
    IF item.is_money AND (NEW.value IS NOT NULL OR NEW.packs IS NOT NULL) THEN
        PERFORM supplies_refuse('supplies_ledgerentry_money',
            'money has neither an estimated value nor packs');
    END IF;
    IF NEW.packs IS NOT NULL
       AND (item.pack_size IS NULL OR NEW.packs * item.pack_size <> NEW.quantity) THEN
        PERFORM supplies_refuse('supplies_ledgerentry_packs',
            format('%s packs of %s are not %s units', NEW.packs, item.name, NEW.quantity));
    END IF;

    IF NEW.from_party_id IS NOT NULL THEN
        SELECT * INTO giver FROM supplies_party WHERE id = NEW.from_party_id;
        IF giver.county_id <> NEW.county_id THEN
            PERFORM supplies_refuse('supplies_ledgerentry_county', 'the giver is of another county');
        END IF;
        IF NEW.kind IN ('transfer', 'issue') AND NOT giver.kind = ANY(holder_kinds) THEN
            PERFORM supplies_refuse('supplies_ledgerentry_holder', 'only a holder gives out stock');
        END IF;
    END IF;
    IF NEW.to_party_id IS NOT NULL THEN
        SELECT * INTO receiver FROM supplies_party WHERE id = NEW.to_party_id;
        IF receiver.county_id <> NEW.county_id THEN
            PERFORM supplies_refuse('supplies_ledgerentry_county', 'the receiver is of another county');
        END IF;
        IF NEW.kind IN ('donation', 'coordination', 'transfer')
           AND NOT receiver.kind = ANY(holder_kinds) THEN
            PERFORM supplies_refuse('supplies_ledgerentry_holder', 'only a holder receives stock');
        END IF;
    END IF;
    IF NEW.team_id IS NOT NULL
       AND (SELECT county_id FROM supervision_team WHERE id = NEW.team_id) <> NEW.county_id THEN
        PERFORM supplies_refuse('supplies_ledgerentry_county', 'the team is of another county');
    END IF;

    IF NEW.reverses_id IS NOT NULL THEN
        SELECT * INTO original FROM supplies_ledgerentry WHERE id = NEW.reverses_id;
        IF original.reverses_id IS NOT NULL THEN
            PERFORM supplies_refuse('supplies_ledgerentry_reversal', 'a reversal is not reversed');
        END IF;
        IF (original.county_id, original.kind, original.item_id, original.quantity,
            original.from_party_id, original.to_party_id, original.team_id)
           IS DISTINCT FROM
           (NEW.county_id, NEW.kind, NEW.item_id, NEW.quantity,
            NEW.from_party_id, NEW.to_party_id, NEW.team_id) THEN
            PERFORM supplies_refuse('supplies_ledgerentry_reversal',
                'a reversal repeats the entry it reverses');
        END IF;
    END IF;

    NEW.year := extract(year FROM NEW.entry_date);
    INSERT INTO supplies_vouchercounter (county_id, year, last)
    VALUES (NEW.county_id, NEW.year, 1)
    ON CONFLICT (county_id, year) DO UPDATE SET last = supplies_vouchercounter.last + 1
    RETURNING last INTO NEW.number;
    RETURN NEW;
END $$;

CREATE TRIGGER supplies_entry_before_insert
    BEFORE INSERT ON supplies_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION supplies_entry_before_insert();

CREATE FUNCTION supplies_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- TG_ARGV[0]: 'never' (entries, stock cards) or 'direct' (refused unless a trigger writes).
    IF TG_OP IN ('UPDATE', 'DELETE') AND TG_ARGV[0] = 'never' THEN
        PERFORM supplies_refuse(TG_TABLE_NAME || '_append_only',
            format('%s rows are never changed or deleted: record a reversing entry', TG_TABLE_NAME));
    END IF;
    IF pg_trigger_depth() < 2 THEN
        PERFORM supplies_refuse(TG_TABLE_NAME || '_derived',
            format('%s rows are written by the ledger only', TG_TABLE_NAME));
    END IF;
    RETURN COALESCE(NEW, OLD);
END $$;

CREATE TRIGGER supplies_entry_append_only
    BEFORE UPDATE OR DELETE ON supplies_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION supplies_append_only('never');
CREATE TRIGGER supplies_movement_append_only
    BEFORE INSERT OR UPDATE OR DELETE ON supplies_stockmovement
    FOR EACH ROW EXECUTE FUNCTION supplies_append_only('never');
CREATE TRIGGER supplies_balance_derived
    BEFORE INSERT OR UPDATE OR DELETE ON supplies_balance
    FOR EACH ROW EXECUTE FUNCTION supplies_append_only('direct');
CREATE TRIGGER supplies_counter_derived
    BEFORE INSERT OR UPDATE OR DELETE ON supplies_vouchercounter
    FOR EACH ROW EXECUTE FUNCTION supplies_append_only('direct');

-- Balances and stock cards ----------------------------------------------------------------------

CREATE FUNCTION supplies_move(entry bigint, holder bigint, item bigint, change numeric)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    after numeric;
BEGIN
    -- Update first: an upsert would check its proposed row (a negative change) against the
    -- balance's check constraint before finding the row it updates.
    UPDATE supplies_balance SET quantity = quantity + change, updated_at = now()
    WHERE holder_id = holder AND item_id = item
    RETURNING quantity INTO after;
    IF NOT FOUND THEN
        INSERT INTO supplies_balance (holder_id, item_id, quantity, updated_at)
        VALUES (holder, item, change, now())
        ON CONFLICT (holder_id, item_id) DO UPDATE
            SET quantity = supplies_balance.quantity + EXCLUDED.quantity, updated_at = now()
        RETURNING quantity INTO after;
    END IF;
    INSERT INTO supplies_stockmovement (entry_id, holder_id, item_id, quantity, balance_after)
    VALUES (entry, holder, item, change, after);
END $$;

CREATE FUNCTION supplies_entry_after_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    sign CONSTANT integer := CASE WHEN NEW.reverses_id IS NULL THEN 1 ELSE -1 END;
    gains boolean := NEW.kind IN ('donation', 'coordination', 'transfer');
    loses boolean := NEW.kind IN ('transfer', 'issue');
BEGIN
    -- Two holders are locked in the order of their ids, so that opposite transfers at the same
    -- moment wait for each other instead of deadlocking.
    IF gains AND loses AND NEW.from_party_id < NEW.to_party_id THEN
        PERFORM supplies_move(NEW.id, NEW.from_party_id, NEW.item_id, -sign * NEW.quantity);
        loses := false;
    END IF;
    IF gains THEN
        PERFORM supplies_move(NEW.id, NEW.to_party_id, NEW.item_id, sign * NEW.quantity);
    END IF;
    IF loses THEN
        PERFORM supplies_move(NEW.id, NEW.from_party_id, NEW.item_id, -sign * NEW.quantity);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER supplies_entry_after_insert
    AFTER INSERT ON supplies_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION supplies_entry_after_insert();
"""

BACKWARD = r"""
DROP TRIGGER supplies_entry_after_insert ON supplies_ledgerentry;
DROP FUNCTION supplies_entry_after_insert();
DROP FUNCTION supplies_move(bigint, bigint, bigint, numeric);
DROP TRIGGER supplies_counter_derived ON supplies_vouchercounter;
DROP TRIGGER supplies_balance_derived ON supplies_balance;
DROP TRIGGER supplies_movement_append_only ON supplies_stockmovement;
DROP TRIGGER supplies_entry_append_only ON supplies_ledgerentry;
DROP FUNCTION supplies_append_only();
DROP TRIGGER supplies_entry_before_insert ON supplies_ledgerentry;
DROP FUNCTION supplies_entry_before_insert();
DROP FUNCTION supplies_refuse(text, text);
DROP TRIGGER supplies_team_party ON supervision_team;
DROP TRIGGER supplies_work_unit_party ON cadres_workunit;
DROP FUNCTION supplies_county_party();
DROP TRIGGER supplies_area_party ON communities_area;
DROP FUNCTION supplies_area_party();
DROP FUNCTION supplies_county_of(varchar);
"""


class Migration(migrations.Migration):
    dependencies = [("supplies", "0001_ledger")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
