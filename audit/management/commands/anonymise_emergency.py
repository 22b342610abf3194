"""Anonymises, irreversibly, the personal data of the people whose service in a county ended on
or before a date: an emergency that is over.

    python manage.py anonymise_emergency --county 铁岭县 --ended 2020-06-30          # dry run
    python manage.py anonymise_emergency --county 铁岭县 --ended 2020-06-30 --yes    # do it

Who: cadres registered with a community of the county, none of whose registrations (anywhere) is
still open, who neither lead nor sit on a supervision team (still serving), and whose last
registration there ended (or was decided) on or before the date; and
the county's private donors (parties of kind "individual") with no ledger entry after it.

What: a cadre's name becomes 匿名 and seven digits of the row id, the phone a number of the 140
block (reserved for machine-to-machine SIM cards, so it is nobody's phone) built from the id, the
ID-card number is cleared; their registrations' room and reason for returning are blanked (a
returned one keeps a dash: the database requires a reason); a private donor's name becomes
匿名个人 and the id. The audit trail's copies of the same columns are scrubbed through the event
tables' one exception to being append-only (`app.anonymising`, local to this transaction), and
the admin's history entries of the objects that show a cadre's name lose that name too. No
mapping is kept anywhere: nobody can reverse it.

Counts, grades, reports, ledger amounts and history rows all stay. Running it again changes
nothing.
"""

import json
from collections import defaultdict
from datetime import date

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from appraisal.models import Appraisal, Commendation
from audit.models import ANONYMISING_SETTING, CadreEvent, RegistrationEvent
from cadres.choices import OPEN_STATUSES, RegistrationStatus
from cadres.models import Branch, BranchMember, Cadre, Registration
from communities.choices import AreaLevel
from communities.models import Area
from supervision.models import Team, TeamMember
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
        -- Still serving on a supervision team: one of its standing members, or its "1".
        EXCEPT
        SELECT cadre_id FROM {TeamMember._meta.db_table}
        EXCEPT
        SELECT leader_id FROM {Team._meta.db_table} WHERE leader_id IS NOT NULL
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
    donor = "'匿名个人' || lpad({id}::text, 7, '0')"
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
            f"""UPDATE {party} SET name = {donor.format(id="id")}, updated_at = now()
            WHERE id IN ({targets["parties"]}) AND name <> {donor.format(id="id")}""",
        ),
        (
            "private donors' admin history",
            f"""UPDATE {LogEntry._meta.db_table} SET object_repr = {donor.format(id="object_id")}
            WHERE content_type_id = %(party_type)s
            AND object_id IN (SELECT id::text FROM ({targets["parties"]}) AS donors)
            AND object_repr <> {donor.format(id="object_id")}""",
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


def _placeholder(cadre_id: int) -> str:
    """The SQL's `'匿名' || lpad(id::text, 7, '0')`."""
    return "匿名" + str(cadre_id).rjust(7, "0")[:7]


def _scrub_admin_log(cursor, cadres_sql: str, params: dict) -> int:
    """The admin's history names objects by `str()`: a cadre by name, a registration, branch or
    team seat, appraisal or commendation as "name · …", and a page's change message the inline
    rows it added. In the entries of the objects tied to each cadre, every name the cadre ever
    had (the row's and the audit trail's) becomes the placeholder. Runs before the cadres are
    renamed, while their names are still there to find."""
    cursor.execute(
        f"""SELECT id, name FROM {Cadre._meta.db_table} WHERE id IN ({cadres_sql})
        UNION SELECT pgh_obj_id, name FROM {CadreEvent._meta.db_table}
        WHERE pgh_obj_id IN ({cadres_sql})""",
        params,
    )
    names: dict[int, set[str]] = defaultdict(set)
    for cadre_id, name in cursor.fetchall():
        if name and name != _placeholder(cadre_id):
            names[cadre_id].add(name)
    if not names:
        return 0
    # Each object that shows a cadre: (its model, the table that ties it to the cadre, the
    # object's id column there, the cadre's id column there).
    linked = [
        (Cadre, Cadre, "id", "id"),
        (Registration, Registration, "id", "cadre_id"),
        (BranchMember, BranchMember, "id", "cadre_id"),
        (Branch, BranchMember, "branch_id", "cadre_id"),  # members added on the branch's page
        (TeamMember, TeamMember, "id", "cadre_id"),
        (Team, TeamMember, "team_id", "cadre_id"),  # members added on the team's page
        (Team, Team, "id", "leader_id"),
        (Appraisal, Appraisal, "id", "cadre_id"),
        (Commendation, Commendation, "id", "cadre_id"),
    ]
    selects = [
        f"SELECT {ContentType.objects.get_for_model(model).pk} AS content_type_id, "
        f"{object_column}::text AS object_id, {cadre_column} AS cadre_id "
        f"FROM {table._meta.db_table} WHERE {cadre_column} = ANY(%(scrubbed)s)"
        for model, table, object_column, cadre_column in linked
    ]
    cursor.execute(
        f"""SELECT l.id, l.object_repr, l.change_message, array_agg(DISTINCT x.cadre_id)
        FROM {LogEntry._meta.db_table} l
        JOIN ({" UNION ".join(selects)}) x
            ON x.content_type_id = l.content_type_id AND x.object_id = l.object_id
        GROUP BY l.id""",
        {"scrubbed": list(names)},
    )
    changed = 0
    for entry_id, object_repr, change_message, cadre_ids in cursor.fetchall():
        new_repr, new_message = object_repr, change_message
        replacements = sorted(
            ((name, _placeholder(cadre_id)) for cadre_id in cadre_ids for name in names[cadre_id]),
            key=lambda pair: -len(pair[0]),
        )
        for name, placeholder in replacements:
            new_repr = new_repr.replace(name, placeholder)
            # The change message is JSON with non-ASCII letters escaped (and maybe not).
            for old, new in (
                (name, placeholder),
                (json.dumps(name)[1:-1], json.dumps(placeholder)[1:-1]),
            ):
                new_message = new_message.replace(old, new)
        if (new_repr, new_message) != (object_repr, change_message):
            cursor.execute(
                f"UPDATE {LogEntry._meta.db_table} SET object_repr = %s, change_message = %s "
                "WHERE id = %s",
                [new_repr, new_message, entry_id],
            )
            changed += 1
    return changed


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
            "party_type": ContentType.objects.get_for_model(Party).pk,
        }
        targets = _targets(area, ended_on)
        statements = _statements(targets)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL {ANONYMISING_SETTING} = 'on'")
                scrubbed = _scrub_admin_log(cursor, targets["cadres"], params)
                self.stdout.write(f"admin history entries: {scrubbed}")
                for what, sql in statements:
                    cursor.execute(sql, params)
                    self.stdout.write(f"{what}: {cursor.rowcount}")
            if not yes:
                transaction.set_rollback(True)
                self.stdout.write("Dry run: nothing changed. Run again with --yes to do it.")
                return
        self.stdout.write(f"Anonymised in {area.name}, service ended on or before {ended_on}.")
