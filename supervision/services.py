"""Writes of supervision: teams, daily reports (idempotent), problems moving step by step.

Views, serializers, the admin and commands call these; each takes the acting user.
"""

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.lookups import StartsWith
from django.utils import timezone
from django.utils.translation import gettext as _

from cadres.models import Cadre, WorkUnit
from communities.choices import Role
from communities.models import Area, User
from supervision.choices import PROBLEM_TRANSITIONS, FocusArea, ProblemStatus
from supervision.models import (
    DailyReport,
    DailyReportRevision,
    Measure,
    MeasureCheck,
    Problem,
    ProblemEvidence,
    ProblemStep,
    Team,
    TeamCoverage,
    TeamMember,
)
from supervision.models.reports import FIGURES

FOCUS_FIELDS = tuple(area.value for area in FocusArea)
FIGURE_FIELDS = tuple(FIGURES)


class ReportConflict(Exception):
    """A report exists for the team and day with a different body (HTTP 409)."""

    def __init__(self, report: DailyReport):
        self.report = report
        super().__init__(
            _(
                "%(team)s has already reported for %(date)s with different content; amend that "
                "report (PATCH) instead of posting a new one."
            )
            % {"team": report.team.name, "date": report.date.isoformat()}
        )


class IdempotencyKeyReused(Exception):
    """The same Idempotency-Key came with a different body (HTTP 422)."""

    def __init__(self):
        super().__init__(
            _("This Idempotency-Key was already used for a different report; use a new key.")
        )


# --- teams ------------------------------------------------------------------------------------


def _ensure_runs_county(actor: User, county_id: int) -> None:
    if actor.sees_everything:
        return
    if actor.is_county_staff and actor.area_id == county_id:
        return
    raise PermissionDenied(_("Only the county's organisation department changes its teams."))


@transaction.atomic
def team_save(
    *,
    actor: User,
    team: Team,
    members: Iterable[Cadre] | None = None,
    coverage: Iterable[Area] | None = None,
    paired_units: Iterable[WorkUnit] | None = None,
) -> Team:
    """Creates or changes a team and, when given, sets its "5", the areas it covers and the work
    units paired with it (of its own county)."""
    if team.pk is not None:
        stored = Team.objects.select_for_update().get(pk=team.pk)
        _ensure_runs_county(actor, stored.county_id)
    _ensure_runs_county(actor, team.county_id)
    team.full_clean()
    team.save()
    if members is not None:
        members = list(members)
        TeamMember.objects.filter(team=team).exclude(cadre__in=members).delete()
        present = set(team.members.values_list("cadre_id", flat=True))
        for cadre in members:
            if cadre.pk not in present:
                member = TeamMember(team=team, cadre=cadre)
                member.full_clean()
                member.save()
    if paired_units is not None:
        paired_units = list(dict.fromkeys(paired_units))
        foreign = [unit.name for unit in paired_units if unit.county_id != team.county_id]
        if foreign:
            raise ValidationError(
                {
                    "paired_units": _("These work units belong to another county: %(names)s.")
                    % {"names": "、".join(foreign)}
                }
            )
        team.paired_units.set(paired_units)
    if coverage is not None:
        coverage = list(dict.fromkeys(coverage))
        foreign = [a.name for a in coverage if not a.path.startswith(team.county.path)]
        if foreign:
            raise ValidationError(
                {
                    "coverage": _("These areas lie outside the team's county: %(names)s.")
                    % {"names": "、".join(foreign)}
                }
            )
        TeamCoverage.objects.filter(team=team).exclude(area__in=coverage).delete()
        present = set(team.coverage.values_list("area_id", flat=True))
        TeamCoverage.objects.bulk_create(
            TeamCoverage(team=team, area=area) for area in coverage if area.pk not in present
        )
    return team


def covered_communities(team: Team):
    """The communities a team answers for: those it covers, and those of the townships it
    covers."""
    covering = TeamCoverage.objects.filter(StartsWith(OuterRef("path"), F("area__path")), team=team)
    return Area.objects.communities().filter(Exists(covering))


# --- daily reports ----------------------------------------------------------------------------


@dataclass
class MeasureInput:
    measure: Measure
    community: Area
    status: str


@dataclass
class ProblemInput:
    community: Area
    focus_area: str
    description: str
    deadline: date | None = None


@dataclass
class ReportInput:
    """A day's report as a client states it."""

    team: Team
    date: date
    communities: list[Area]
    texts: dict[str, str]
    figures: dict[str, int]
    measures: list[MeasureInput] = field(default_factory=list)
    problems: list[ProblemInput] = field(default_factory=list)

    def canonical(self) -> dict:
        """The body in a fixed form, so the same report hashes the same however it was sent."""
        return {
            "team": self.team.pk,
            "date": self.date.isoformat(),
            "communities": sorted(a.pk for a in self.communities),
            "texts": {name: self.texts.get(name, "") for name in FOCUS_FIELDS},
            "figures": {name: self.figures.get(name, 0) for name in FIGURE_FIELDS},
            "measures": sorted([m.measure.pk, m.community.pk, m.status] for m in self.measures),
            "problems": [
                [p.community.pk, p.focus_area, p.description, p.deadline and p.deadline.isoformat()]
                for p in self.problems
            ],
        }

    def body_hash(self) -> str:
        text = json.dumps(self.canonical(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()


def may_post_for(actor: User, team: Team) -> bool:
    """A team's own member accounts post its reports; administrators may too."""
    if actor.sees_everything:
        return True
    return actor.role == Role.TEAM_MEMBER and team.accounts.filter(pk=actor.pk).exists()


def _places(data: ReportInput) -> dict[int, Area]:
    """Every community a report names: visited, or where a measure was checked or a problem
    found."""
    places = {a.pk: a for a in data.communities}
    places.update({m.community.pk: m.community for m in data.measures})
    places.update({p.community.pk: p.community for p in data.problems})
    return places


# Who posts for the team, and which of the communities a report names it covers, in the order
# the areas list in: one query on the hottest path (raw, as the ORM takes several times as long
# to build it as the database to answer). `supervision_covers` is the database's own rule
# (migration 0005), one probe of the coverage's unique index; `covered_communities` says the
# same for lists of places.
ACCESS_SQL = """
SELECT EXISTS (
           SELECT 1 FROM supervision_team_accounts WHERE team_id = %(team)s AND user_id = %(user)s
       ),
       ARRAY(
           SELECT id FROM communities_area
           WHERE id = ANY (%(places)s::bigint[]) AND supervision_covers(%(team)s, id)
           ORDER BY path
       )
"""


def _access(actor: User, team: Team, place_ids: list[int]) -> tuple[bool, list[int]]:
    """Whether `actor` posts for `team` (as `may_post_for`), and which of `place_ids` the team
    covers (as `covered_communities`), ordered by path."""
    with connection.cursor() as cursor:
        cursor.execute(ACCESS_SQL, {"team": team.pk, "user": actor.pk, "places": place_ids})
        is_account, covered = cursor.fetchone()
    may_post = actor.sees_everything or (actor.role == Role.TEAM_MEMBER and is_account)
    return may_post, covered


def _row_error(message: str, row: int, field: str) -> ValidationError:
    """An error of one row of a report's measures or problems (`params` say which row and
    field: the API shows it there)."""
    return ValidationError(message, code="row", params={"row": row, "field": field})


def _check_report(data: ReportInput, covered: Iterable[int]) -> None:
    """The rules of a report's body; `covered`: the named communities the team covers."""
    errors = {}
    today = timezone.localdate()
    days_back = settings.SUPERVISION_REPORT_DAYS_BACK
    if data.date > today:
        errors["date"] = _("A report cannot be for a day that has not come yet.")
    elif data.date < today - timedelta(days=days_back):
        errors["date"] = _("A report can be at most %(days)s days late.") % {"days": days_back}
    covered = set(covered)
    outside = {a.name for a in data.communities if a.pk not in covered}
    if outside:
        errors["communities"] = _("Outside the team's coverage: %(names)s.") % {
            "names": "、".join(sorted(outside))
        }
    not_covered = _("This community is outside the team's coverage.")
    rows = {"measures": [], "problems": []}
    checked = set()
    for n, check in enumerate(data.measures):
        if check.community.pk not in covered:
            rows["measures"].append(_row_error(not_covered, n, "community"))
        if (check.measure.pk, check.community.pk) in checked:
            twice = _("A measure is listed twice for the same community.")
            rows["measures"].append(_row_error(twice, n, "measure"))
        checked.add((check.measure.pk, check.community.pk))
    for n, problem in enumerate(data.problems):
        if problem.community.pk not in covered:
            rows["problems"].append(_row_error(not_covered, n, "community"))
        if problem.deadline and problem.deadline < data.date:
            early = _("A deadline cannot come before the day the problem was found.")
            rows["problems"].append(_row_error(early, n, "deadline"))
    errors.update((name, found) for name, found in rows.items() if found)
    missing = [
        str(FocusArea(name).label) for name in FOCUS_FIELDS if not data.texts.get(name, "").strip()
    ]
    if missing:
        errors["texts"] = _("Say what was done for: %(areas)s.") % {"areas": "、".join(missing)}
    if errors:
        raise ValidationError(errors)


# The constraints that tell a post repeating a stored one: one report per team and day, and an
# Idempotency-Key used once per team.
REPEATED_POST = {"supervision_dailyreport_one_per_day", "supervision_dailyreport_unique_key"}


def _constraint_of(error: IntegrityError) -> str | None:
    """The constraint PostgreSQL names as refusing a write."""
    return getattr(getattr(error.__cause__, "diag", None), "constraint_name", None)


def _repeated(data: ReportInput, digest: str, key: str, error: IntegrityError) -> DailyReport:
    """The stored report a post repeats, if it is a retry of it (the same key, or the same day,
    and the same body); otherwise IdempotencyKeyReused (422) or ReportConflict (409)."""
    wanted = Q(team=data.team, date=data.date)
    if key:
        wanted |= Q(team=data.team, idempotency_key=key)
    stored = list(DailyReport.objects.filter(wanted))
    for row in stored:
        row.team = data.team
    by_key = next((row for row in stored if key and row.idempotency_key == key), None)
    if by_key is not None:
        if by_key.posted_hash != digest:
            raise IdempotencyKeyReused()
        return by_key
    by_day = next((row for row in stored if row.date == data.date), None)
    if by_day is None:
        raise error
    if digest not in (by_day.body_hash, by_day.posted_hash):
        raise ReportConflict(by_day)
    return by_day


def _remember(instance, **related: list) -> None:
    """Hands the rows just written to `instance`'s related managers, as `prefetch_related` does,
    so that reading them back (the API's answer to a post) costs no query."""
    cache = instance.__dict__.setdefault("_prefetched_objects_cache", {})
    for name, rows in related.items():
        queryset = getattr(instance, name).all()
        queryset._result_cache = rows
        queryset._prefetch_done = True
        cache[name] = queryset


# A new report with all its rows, in one statement (one round trip, atomic by itself): the
# report, the communities visited, the measure checks, the problems and the first step of each.
# The database guards it as it guards the ORM's inserts: the unique constraints (one report per
# team and day, a key used once), the coverage triggers (each row's community lies inside the
# team's coverage: they see the report inserted above them in the same statement), the problem
# step trigger (a problem starts as found) and the foreign keys.
INSERT_REPORT_SQL = """
WITH report AS (
    INSERT INTO supervision_dailyreport (
        created_at, updated_at, team_id, date, responsibility, publicity, mobilisation,
        screening, supplies, households_visited, people_screened, returnees_found,
        checkpoint_vehicles, checkpoint_people, leaflets, submitted_by_id, idempotency_key,
        body_hash, posted_hash
    )
    SELECT %(now)s, %(now)s, %(team)s, %(date)s, %(responsibility)s, %(publicity)s,
           %(mobilisation)s, %(screening)s, %(supplies)s, %(households_visited)s,
           %(people_screened)s, %(returnees_found)s, %(checkpoint_vehicles)s,
           %(checkpoint_people)s, %(leaflets)s, %(actor)s, %(key)s, %(hash)s, %(hash)s
    -- Guarded (nothing read before): only when the actor posts for the team, and every
    -- community named is a community the team covers and every measure named exists.
    WHERE NOT %(guarded)s OR (
        EXISTS (SELECT 1 FROM supervision_team WHERE id = %(team)s)
        AND (%(sees_everything)s OR (%(team_member)s AND EXISTS (
            SELECT 1 FROM supervision_team_accounts
            WHERE team_id = %(team)s AND user_id = %(actor)s
        )))
        AND (
            SELECT count(*) FROM communities_area c
            WHERE c.id = ANY (%(places)s::bigint[]) AND c.level = 'community'
                  AND supervision_covers(%(team)s, c.id)
        ) = cardinality(%(places)s::bigint[])
        AND (
            SELECT count(*) FROM supervision_measure m WHERE m.id = ANY (%(measures)s::bigint[])
        ) = cardinality(%(measures)s::bigint[])
    )
    RETURNING id
), visited AS (
    INSERT INTO supervision_dailyreport_communities (dailyreport_id, area_id)
    SELECT report.id, area
    FROM report, unnest(%(communities)s::bigint[]) WITH ORDINALITY AS v (area, n)
    ORDER BY n
), checked AS (
    INSERT INTO supervision_measurecheck (report_id, measure_id, community_id, status)
    SELECT report.id, measure, community, status
    FROM report, unnest(%(check_measures)s::bigint[], %(check_communities)s::bigint[],
                        %(check_statuses)s::varchar[])
                 WITH ORDINALITY AS c (measure, community, status, n)
    ORDER BY n
), problems AS (
    INSERT INTO supervision_problem (
        created_at, updated_at, team_id, report_id, community_id, focus_area, description,
        status, deadline, found_on, found_by_id
    )
    SELECT %(now)s, %(now)s, %(team)s, report.id, community, focus_area, description,
           'found', deadline, %(date)s, %(actor)s
    FROM report, unnest(%(problem_communities)s::bigint[], %(problem_areas)s::varchar[],
                        %(problem_descriptions)s::text[], %(problem_deadlines)s::date[])
                 WITH ORDINALITY AS p (community, focus_area, description, deadline, n)
    ORDER BY n
    RETURNING id
), steps AS (
    INSERT INTO supervision_problemstep (problem_id, from_status, to_status, actor_id, at, note)
    SELECT id, '', 'found', %(actor)s, %(now)s, '' FROM problems ORDER BY id
)
SELECT (SELECT id FROM report), ARRAY(SELECT id FROM problems ORDER BY id),
       (SELECT name FROM supervision_team WHERE %(guarded)s AND id = %(team)s),
       ARRAY(
           SELECT id FROM communities_area
           WHERE %(guarded)s AND id = ANY (%(communities)s::bigint[]) ORDER BY path
       )
"""

# The largest value of a PositiveIntegerField in PostgreSQL.
FIGURE_MAX = 2_147_483_647


def _check_fields(texts: dict[str, str], figures: dict[str, int], key: str) -> None:
    """What `full_clean` checked of a report's own fields, without building its validators for
    every post: a field out of bounds is cleaned by its model field, for the same message. (The
    texts: `_check_report` names those left empty.)"""
    errors = {}
    for name in FIGURE_FIELDS:
        value = figures.get(name, 0)
        if type(value) is not int or not 0 <= value <= FIGURE_MAX:
            try:
                DailyReport._meta.get_field(name).clean(value, None)
            except ValidationError as error:
                errors[name] = error.error_list
    if len(key) > 255:
        try:
            DailyReport._meta.get_field("idempotency_key").clean(key, None)
        except ValidationError as error:
            errors["idempotency_key"] = error.error_list
    if errors:
        raise ValidationError(errors)


def _insert_report(values: dict) -> tuple[int, list[int]]:
    """Runs INSERT_REPORT_SQL; in a savepoint when inside a transaction (a refused post leaves
    it usable, to read the stored report), else on its own (autocommit: one round trip)."""
    with connection.cursor() as cursor:
        if connection.in_atomic_block:
            with transaction.atomic():
                cursor.execute(INSERT_REPORT_SQL, values)
        else:
            cursor.execute(INSERT_REPORT_SQL, values)
        return cursor.fetchone()


# Who posts for the team (a team account), and which of the communities a report names it
# covers, ordered by path: what `_access` reads, when the caller has read it already.
Access = tuple[bool, list[int]]


def daily_report_submit(
    *,
    actor: User,
    data: ReportInput,
    idempotency_key: str = "",
    access: Access | None = None,
) -> tuple[DailyReport, bool]:
    """Stores a team's report of a day and returns (report, created).

    A retry — the same Idempotency-Key, or the same team, day and body — returns the stored
    report. The same key with another body raises IdempotencyKeyReused; another body for a day
    already reported raises ReportConflict. One report per team and day, and one use of a key,
    are unique constraints, and they decide. A report just created answers its communities,
    checks and problems without a query.

    `access`: whether `actor` is one of the team's accounts and which of the named communities
    the team covers (by path), when the caller read them in its own query (the API's input
    serializer, with the team and the communities); else read here. The rows are written in one
    statement, which the database's constraints and triggers guard.
    """
    if access is None:
        may_post, covered = _access(actor, data.team, list(_places(data)))
    else:
        is_account, covered = access
        may_post = actor.sees_everything or (actor.role == Role.TEAM_MEMBER and is_account)
    if not may_post:
        raise PermissionDenied(_("You may only post reports for your own team."))
    _check_report(data, covered)
    _check_fields(data.texts, data.figures, idempotency_key)
    digest = data.body_hash()
    # In the order the areas list in (by path, as `covered` came), as a prefetch would read them.
    order = {pk: n for n, pk in enumerate(covered)}
    communities = sorted(dict.fromkeys(data.communities), key=lambda area: order[area.pk])
    try:
        # The unique constraints decide whether the team has reported that day, or used this key:
        # a repeated post waits here for the first to commit, then finds it (fifty at once leave
        # one report), and the first post reads nothing before it writes.
        report = _write(actor, data, digest, idempotency_key, communities)
    except IntegrityError as error:
        if _constraint_of(error) not in REPEATED_POST:
            raise
        return _repeated(data, digest, idempotency_key, error), False
    return report, True


def daily_report_submit_at_once(
    *, actor: User, data: ReportInput, idempotency_key: str = ""
) -> DailyReport | None:
    """Stores a new report as `daily_report_submit` would, in one statement and with nothing
    read first, when every rule holds: the actor posts for the team, the communities and
    measures named exist and lie inside the team's coverage (the statement's guard), the body's
    own rules hold (checked here). Otherwise it writes nothing and returns None — a rule broken,
    a post repeated, the day already reported — and `daily_report_submit` says which.

    `data` needs only ids (its team and areas are not read): `data.team.name` is set from the
    database."""
    places = list(_places(data))
    try:
        _check_report(data, places)
        _check_fields(data.texts, data.figures, idempotency_key)
    except ValidationError:
        return None
    try:
        return _write(
            actor,
            data,
            data.body_hash(),
            idempotency_key,
            list(dict.fromkeys(data.communities)),
            guarded=True,
        )
    except IntegrityError:
        return None


def _write(
    actor: User,
    data: ReportInput,
    digest: str,
    key: str,
    communities: list[Area],
    *,
    guarded: bool = False,
) -> DailyReport | None:
    """Writes a report and all its rows in one statement; the report, holding its rows as a
    prefetch would. `guarded`: the statement itself checks who posts and what is named (see
    INSERT_REPORT_SQL), writes nothing if that fails (then None), and reads the team's name and
    the communities' order; else `communities` come ordered by path and the team is whole."""
    texts = {name: data.texts[name].strip() for name in FOCUS_FIELDS}
    figures = {name: data.figures.get(name, 0) for name in FIGURE_FIELDS}
    descriptions = [p.description.strip() for p in data.problems]
    now = timezone.now()
    report_id, problem_ids, team_name, by_path = _insert_report(
        {
            "now": now,
            "team": data.team.pk,
            "date": data.date,
            "actor": actor.pk,
            "key": key,
            "hash": digest,
            **texts,
            **figures,
            "communities": [area.pk for area in communities],
            "check_measures": [m.measure.pk for m in data.measures],
            "check_communities": [m.community.pk for m in data.measures],
            "check_statuses": [str(m.status) for m in data.measures],
            "problem_communities": [p.community.pk for p in data.problems],
            "problem_areas": [str(p.focus_area) for p in data.problems],
            "problem_descriptions": descriptions,
            "problem_deadlines": [p.deadline for p in data.problems],
            "guarded": guarded,
            "sees_everything": actor.sees_everything,
            "team_member": actor.role == Role.TEAM_MEMBER,
            "places": list(_places(data)) if guarded else [],
            "measures": list({m.measure.pk for m in data.measures}) if guarded else [],
        }
    )
    if report_id is None:
        return None
    if guarded:
        data.team.name = team_name
        areas = {area.pk: area for area in communities}
        communities = [areas[pk] for pk in by_path]
    report = _stored(
        DailyReport,
        id=report_id,
        team=data.team,
        date=data.date,
        submitted_by=actor,
        idempotency_key=key,
        body_hash=digest,
        posted_hash=digest,
        created_at=now,
        updated_at=now,
        **texts,
        **figures,
    )
    checks = [
        _stored(
            MeasureCheck,
            report=report,
            measure=m.measure,
            community=m.community,
            status=str(m.status),
        )
        for m in data.measures
    ]
    problems = [
        _stored(
            Problem,
            id=pk,
            team=data.team,
            report=report,
            community=p.community,
            focus_area=str(p.focus_area),
            description=description,
            status=ProblemStatus.FOUND,
            deadline=p.deadline,
            found_on=data.date,
            found_by=actor,
            created_at=now,
            updated_at=now,
        )
        for pk, p, description in zip(problem_ids, data.problems, descriptions, strict=True)
    ]
    _remember(
        report,
        communities=communities,
        checks=sorted(checks, key=lambda check: check.measure_id),
        problems=problems,
    )
    return report


def _stored(model, **values):
    """An instance of `model` as just written to the database (not to be inserted again)."""
    instance = model(**values)
    instance._state.adding = False
    instance._state.db = DEFAULT_DB_ALIAS
    return instance


def _store_checks(report: DailyReport, measures: list[MeasureInput]) -> list[MeasureCheck]:
    return MeasureCheck.objects.bulk_create(
        MeasureCheck(report=report, measure=m.measure, community=m.community, status=m.status)
        for m in measures
    )


@transaction.atomic
def daily_report_amend(*, actor: User, report: DailyReport, data: ReportInput) -> DailyReport:
    """Amends a report (texts, figures, communities, measures); the previous body is kept as a
    revision. Problems are not amended here: they have their own steps."""
    report = DailyReport.objects.select_for_update().get(pk=report.pk)
    data.team, data.date = report.team, report.date
    data.problems = []
    may_post, covered = _access(actor, report.team, list(_places(data)))
    if not may_post:
        raise PermissionDenied(_("You may only amend reports of your own team."))
    _check_report(data, covered)
    DailyReportRevision.objects.create(
        report=report, changed_by=actor, previous=report_body(report)
    )
    for name in FOCUS_FIELDS:
        setattr(report, name, data.texts[name].strip())
    for name in FIGURE_FIELDS:
        setattr(report, name, data.figures.get(name, 0))
    report.body_hash = data.body_hash()
    report.full_clean(exclude=["communities"])
    report.save()
    report.communities.set(data.communities)
    report.checks.all().delete()
    _store_checks(report, data.measures)
    return report


def report_body(report: DailyReport) -> dict:
    """What a revision keeps of a report."""
    return {
        "communities": sorted(report.communities.values_list("pk", flat=True)),
        "texts": {name: getattr(report, name) for name in FOCUS_FIELDS},
        "figures": {name: getattr(report, name) for name in FIGURE_FIELDS},
        "measures": sorted(report.checks.values_list("measure_id", "community_id", "status")),
    }


# --- problems ---------------------------------------------------------------------------------

EVIDENCE_TYPES = {"image/jpeg", "image/png", "image/webp", "application/pdf"}
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024


def _check_evidence(files) -> None:
    for upload in files:
        if upload.size > EVIDENCE_MAX_BYTES:
            raise ValidationError(
                {"files": _("%(name)s is larger than 10 MB.") % {"name": upload.name}}
            )
        if getattr(upload, "content_type", "") not in EVIDENCE_TYPES:
            raise ValidationError(
                {
                    "files": _("%(name)s is not a photo (JPEG, PNG, WebP) or a PDF.")
                    % {"name": upload.name}
                }
            )


@transaction.atomic
def problem_create(
    *, actor: User, team: Team, data: ProblemInput, report: DailyReport | None = None
) -> Problem:
    """A problem found outside a report (or added to one)."""
    if not may_post_for(actor, team):
        raise PermissionDenied(_("You may only record problems for your own team."))
    if not covered_communities(team).filter(pk=data.community.pk).exists():
        raise ValidationError({"community": _("This community is outside the team's coverage.")})
    problem = Problem(
        team=team,
        report=report,
        community=data.community,
        focus_area=data.focus_area,
        description=data.description.strip(),
        deadline=data.deadline,
        found_on=report.date if report else timezone.localdate(),
        found_by=actor,
    )
    problem.full_clean()
    problem.save()
    ProblemStep.objects.create(problem=problem, to_status=ProblemStatus.FOUND, actor=actor)
    return problem


@transaction.atomic
def problem_advance(
    *, actor: User, problem: Problem, to_status: str, note: str = "", files=()
) -> Problem:
    """Moves a problem one step on (or back from resolved when a check fails), stamped with who,
    when and a note, with photos or files as evidence."""
    problem = Problem.objects.editable_by(actor).select_for_update().filter(pk=problem.pk).first()
    if problem is None:
        raise PermissionDenied(_("You may not move this problem on."))
    step = (problem.status, to_status)
    if step not in PROBLEM_TRANSITIONS:
        raise ValidationError(
            {
                "status": _("A problem cannot go from “%(from)s” to “%(to)s”.")
                % {
                    "from": ProblemStatus(problem.status).label,
                    "to": ProblemStatus(to_status).label
                    if to_status in ProblemStatus.values
                    else to_status,
                }
            }
        )
    if to_status == ProblemStatus.VERIFIED and problem.resolved_by_id == actor.pk:
        raise ValidationError({"status": _("Whoever resolved a problem cannot also verify it.")})
    if step == (ProblemStatus.RESOLVED, ProblemStatus.RECTIFYING) and not note.strip():
        raise ValidationError({"note": _("Say why the check failed.")})
    files = list(files)
    _check_evidence(files)
    now = timezone.now()
    if to_status == ProblemStatus.RESOLVED:
        problem.resolved_by, problem.resolved_at = actor, now
    elif to_status == ProblemStatus.VERIFIED:
        problem.verified_by, problem.verified_at = actor, now
    elif step == (ProblemStatus.RESOLVED, ProblemStatus.RECTIFYING):
        problem.resolved_by, problem.resolved_at = None, None
    from_status = problem.status
    problem.status = to_status
    problem.full_clean()
    problem.save()
    record = ProblemStep.objects.create(
        problem=problem, from_status=from_status, to_status=to_status, actor=actor, note=note
    )
    for upload in files:
        ProblemEvidence.objects.create(
            step=record,
            file=upload,
            name=upload.name[:200],
            content_type=upload.content_type,
            size=upload.size,
        )
    return problem
