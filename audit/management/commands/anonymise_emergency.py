"""Anonymises, irreversibly, the personal data of the people whose service in a county ended on
or before a date: an emergency that is over.

    python manage.py anonymise_emergency --county 铁岭县 --ended 2020-06-30          # dry run
    python manage.py anonymise_emergency --county 铁岭县 --ended 2020-06-30 --yes    # do it

Who: cadres registered with a community of the county, none of whose registrations (anywhere) is
still open, and whose last registration there ended (or was decided) on or before the date; and
the county's private donors (parties of kind "individual") with no ledger entry after it.

What: a cadre's name becomes 匿名 and seven digits of the row id, the phone a number of the 140
block (reserved for machine-to-machine SIM cards, so it is nobody's phone) built from the id, the
ID-card number is cleared; their registrations' room and reason for returning are blanked (a
returned one keeps a dash: the database requires a reason); a private donor's name becomes
匿名个人 and the id. The audit trail's copies of the same columns are scrubbed through the event
tables' one exception to being append-only (`app.anonymising`, local to this transaction). No
mapping is kept anywhere: nobody can reverse it.

Counts, grades, reports, ledger amounts and history rows all stay. Running it again changes
nothing.
"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from audit.models import ANONYMISING_SETTING, CadreEvent, RegistrationEvent
from cadres.choices import OPEN_STATUSES, RegistrationStatus
from cadres.models import Cadre, Registration
from communities.choices import AreaLevel
from communities.models import Area
from supplies.choices import PartyKind
from supplies.models import LedgerEntry, Party

RETURNED_REASON = "-"


def _targets(county: Area, ended: date) -> dict[str, str]:
    """The SQL of the ids to anonymise, as sub-selects; params are bound by `_run`."""
    cadres = f"""
        SELECT r.cadre_id FROM {Registration._meta.db_table} r
        JOIN {Area._meta.db_table} a ON a.id = r.community_id
        WHERE a.path LIKE %(path)s
        GROUP BY r.cadre_id
        HAVING max(COALESCE(r.ended_at, r.decided_at, r.created_at) AT TIME ZONE %(tz)s)::date
            <= %(ended)s
        EXCEPT
        SELECT cadre_id FROM {Registration._meta.db_table} WHERE status = ANY(%(open)s)
    """
    parties = f"""
        SELECT p.id FROM {Party._meta.db_table} p
        WHERE p.county_id = %(county)s AND p.kind = %(individual)s
        AND NOT EXISTS (
            SELECT 1 FROM {LedgerEntry._meta.db_table} e
            WHERE (e.from_party_id = p.id OR e.to_party_id = p.id) AND e.entry_date > %(ended)s
        )
    """
    return {"cadres": cadres, "parties": parties}


def _statements(targets: dict[str, str]) -> list[tuple[str, str]]:
    """(what, SQL) in order: the live rows first, then the trail, which the first statements
    also wrote to. Each changes only rows that still hold something to remove."""
    cadre = Cadre._meta.db_table
    registration = Registration._meta.db_table
    party = Party._meta.db_table
    name = "'匿名' || lpad({id}::text, 7, '0')"
    phone = "'140' || lpad({id}::text, 8, '0')"
    returned = RegistrationStatus.RETURNED
    reason = f"CASE WHEN {{status}} = '{returned}' THEN '{RETURNED_REASON}' ELSE '' END"
    personal = "ARRAY['name', 'phone', 'id_number', 'name_initials', 'room', 'return_reason']"
    return [
        (
            "cadres",
            f"""UPDATE {cadre} SET name = {name.format(id="id")}, phone = {phone.format(id="id")},
                id_number = NULL, name_initials = 'nm', updated_at = now()
            WHERE id IN ({targets["cadres"]})
            AND (name, phone, id_number IS NULL, name_initials)
                IS DISTINCT FROM ({name.format(id="id")}, {phone.format(id="id")}, true, 'nm')""",
        ),
        (
            "registrations",
            f"""UPDATE {registration} SET room = '',
                return_reason = {reason.format(status="status")}, updated_at = now()
            WHERE cadre_id IN ({targets["cadres"]})
            AND (room, return_reason) IS DISTINCT FROM ('', {reason.format(status="status")})""",
        ),
        (
            "private donors",
            f"""UPDATE {party} SET name = '匿名个人' || lpad(id::text, 7, '0'), updated_at = now()
            WHERE id IN ({targets["parties"]}) AND name <> '匿名个人' || lpad(id::text, 7, '0')""",
        ),
        (
            "cadre events",
            f"""UPDATE {CadreEvent._meta.db_table} SET name = {name.format(id="pgh_obj_id")},
                phone = {phone.format(id="pgh_obj_id")}, id_number = NULL, name_initials = 'nm',
                pgh_diff = NULLIF(pgh_diff - {personal}, '{{}}'::jsonb)
            WHERE pgh_obj_id IN ({targets["cadres"]})
            AND ((name, phone, id_number IS NULL, name_initials)
                IS DISTINCT FROM ({name.format(id="pgh_obj_id")},
                    {phone.format(id="pgh_obj_id")}, true, 'nm')
                OR pgh_diff ?| {personal})""",
        ),
        (
            "registration events",
            f"""UPDATE {RegistrationEvent._meta.db_table} SET room = '',
                return_reason = {reason.format(status="status")},
                pgh_diff = NULLIF(pgh_diff - {personal}, '{{}}'::jsonb)
            WHERE cadre_id IN ({targets["cadres"]})
            AND ((room, return_reason) IS DISTINCT FROM ('', {reason.format(status="status")})
                OR pgh_diff ?| {personal})""",
        ),
    ]


class Command(BaseCommand):
    help = (
        "Irreversibly anonymise the personal data of people whose service in a county ended "
        "on or before a date. A dry run unless --yes."
    )

    def add_arguments(self, parser):
        parser.add_argument("--county", required=True, help="the county's id or exact name")
        parser.add_argument("--ended", required=True, help="YYYY-MM-DD")
        parser.add_argument("--yes", action="store_true", help="do it (one transaction)")

    def handle(self, *args, county: str, ended: str, yes: bool, **options):
        try:
            ended_on = date.fromisoformat(ended)
        except ValueError as error:
            raise CommandError(f"--ended: not a date (YYYY-MM-DD): {ended!r}") from error
        counties = Area.objects.filter(level=AreaLevel.COUNTY)
        found = (
            counties.filter(pk=int(county)) if county.isdigit() else counties.filter(name=county)
        )
        if found.count() != 1:
            raise CommandError(f"--county: no single county {county!r}")
        area = found.get()
        params = {
            "path": f"{area.path}%",
            "tz": str(connection.timezone_name),
            "ended": ended_on,
            "open": list(OPEN_STATUSES),
            "county": area.pk,
            "individual": PartyKind.INDIVIDUAL,
        }
        statements = _statements(_targets(area, ended_on))
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL {ANONYMISING_SETTING} = 'on'")
                for what, sql in statements:
                    cursor.execute(sql, params)
                    self.stdout.write(f"{what}: {cursor.rowcount}")
            if not yes:
                transaction.set_rollback(True)
                self.stdout.write("Dry run: nothing changed. Run again with --yes to do it.")
                return
        self.stdout.write(f"Anonymised in {area.name}, service ended on or before {ended_on}.")
