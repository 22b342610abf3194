"""Serializers of the supervision API.

Input serializers check shapes and types and turn ids into rows; the rules (coverage, dates,
focus texts, steps) are the services' to check, answering 400 through the one exception handler.
"""

import re
from datetime import date

from django.db import DEFAULT_DB_ALIAS, connection
from django.db.models import Model
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from cadres.api.serializers import VisiblePrimaryKeyRelatedField
from cadres.models import Cadre, WorkUnit
from communities.choices import AreaLevel
from communities.models import Area
from supervision import services
from supervision.choices import STANDING_MEMBERS, FocusArea, MeasureStatus
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


def _name(value) -> str:
    return str(value) if value is not None else ""


# --- teams ------------------------------------------------------------------------------------


class TeamMemberSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="cadre.name", read_only=True)
    work_unit_name = serializers.CharField(source="cadre.work_unit.name", read_only=True)

    class Meta:
        model = TeamMember
        fields = ["cadre", "name", "work_unit_name"]


class TeamCoverageSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="area.name", read_only=True)
    level = serializers.CharField(source="area.level", read_only=True)

    class Meta:
        model = TeamCoverage
        fields = ["area", "name", "level"]


class WorkUnitBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = WorkUnit
        fields = ["id", "name"]


class TeamSerializer(serializers.ModelSerializer):
    """A team with its 1, its 5, what it covers, and X counted (never typed in)."""

    county_name = serializers.CharField(source="county.name", read_only=True)
    lead_unit_name = serializers.SerializerMethodField()
    leader_name = serializers.SerializerMethodField()
    members = TeamMemberSerializer(many=True, read_only=True)
    coverage = TeamCoverageSerializer(many=True, read_only=True)
    paired_units = WorkUnitBriefSerializer(many=True, read_only=True)
    members_count = serializers.IntegerField(label=_("standing members"), read_only=True)
    x_count = serializers.IntegerField(
        label=_("X"),
        read_only=True,
        help_text=_(
            "Confirmed cadres registered in the covered communities and cadres of the paired "
            "work units, each counted once."
        ),
    )
    has_leader = serializers.SerializerMethodField(help_text=_("The team has its “1”."))
    has_lead_unit = serializers.SerializerMethodField(
        help_text=_("The team has a lead department.")
    )
    has_standing_members = serializers.SerializerMethodField(
        help_text=_("The team has exactly five standing members.")
    )

    class Meta:
        model = Team
        fields = [
            "id",
            "name",
            "county",
            "county_name",
            "lead_unit",
            "lead_unit_name",
            "leader",
            "leader_name",
            "members",
            "coverage",
            "paired_units",
            "members_count",
            "x_count",
            "has_leader",
            "has_lead_unit",
            "has_standing_members",
        ]
        read_only_fields = fields

    def get_lead_unit_name(self, team: Team) -> str:
        return _name(team.lead_unit)

    def get_leader_name(self, team: Team) -> str:
        return _name(team.leader)

    def get_has_leader(self, team: Team) -> bool:
        return team.leader_id is not None

    def get_has_lead_unit(self, team: Team) -> bool:
        return team.lead_unit_id is not None

    def get_has_standing_members(self, team: Team) -> bool:
        return team.members_count == STANDING_MEMBERS


class TeamWriteSerializer(serializers.Serializer):
    """A team as the county's organisation department states it: members, coverage and paired
    units are given whole (ids), replacing what was there."""

    name = serializers.CharField(label=_("name"), max_length=100)
    county = VisiblePrimaryKeyRelatedField(queryset=Area.objects.filter(level=AreaLevel.COUNTY))
    lead_unit = VisiblePrimaryKeyRelatedField(
        queryset=WorkUnit.objects.all(), allow_null=True, required=False
    )
    leader = VisiblePrimaryKeyRelatedField(
        queryset=Cadre.objects.all(), allow_null=True, required=False
    )
    members = VisiblePrimaryKeyRelatedField(queryset=Cadre.objects.all(), many=True, required=False)
    coverage = VisiblePrimaryKeyRelatedField(
        queryset=Area.objects.filter(level__in=[AreaLevel.TOWNSHIP, AreaLevel.COMMUNITY]),
        many=True,
        required=False,
    )
    paired_units = VisiblePrimaryKeyRelatedField(
        queryset=WorkUnit.objects.all(), many=True, required=False
    )


# --- measures ---------------------------------------------------------------------------------


class MeasureSerializer(serializers.ModelSerializer):
    class Meta:
        model = Measure
        fields = ["id", "number", "title", "is_placeholder"]


# --- daily reports: input ---------------------------------------------------------------------


class ReportTextsSerializer(serializers.Serializer):
    """What was done for each of the five focus areas; the service names any left empty."""

    responsibility = serializers.CharField(
        label=FocusArea.RESPONSIBILITY.label, allow_blank=True, default="", max_length=4000
    )
    publicity = serializers.CharField(
        label=FocusArea.PUBLICITY.label, allow_blank=True, default="", max_length=4000
    )
    mobilisation = serializers.CharField(
        label=FocusArea.MOBILISATION.label, allow_blank=True, default="", max_length=4000
    )
    screening = serializers.CharField(
        label=FocusArea.SCREENING.label, allow_blank=True, default="", max_length=4000
    )
    supplies = serializers.CharField(
        label=FocusArea.SUPPLIES.label, allow_blank=True, default="", max_length=4000
    )


def _figure() -> serializers.IntegerField:
    return serializers.IntegerField(min_value=0, max_value=2_000_000_000, default=0)


class ReportFiguresSerializer(serializers.Serializer):
    """The day's counts; each is zero or more, and zero when left out."""

    households_visited = _figure()
    people_screened = _figure()
    returnees_found = _figure()
    checkpoint_vehicles = _figure()
    checkpoint_people = _figure()
    leaflets = _figure()

    def get_fields(self):
        fields = super().get_fields()
        for name, label in FIGURES.items():
            fields[name].label = label
        return fields


class IdField(serializers.IntegerField):
    """An id looked up later, in one query for the whole body (`ReportSubmitSerializer`)."""

    def __init__(self, **kwargs):
        super().__init__(min_value=1, **kwargs)


class MeasureCheckInputSerializer(serializers.Serializer):
    measure = IdField(label=_("measure"))
    community = IdField(label=_("community"))
    status = serializers.ChoiceField(label=_("status"), choices=MeasureStatus.choices)


class ProblemInputSerializer(serializers.Serializer):
    community = IdField(label=_("community"))
    focus_area = serializers.ChoiceField(label=_("focus area"), choices=FocusArea.choices)
    description = serializers.CharField(label=_("description"), max_length=4000)
    deadline = serializers.DateField(label=_("deadline"), allow_null=True, default=None)


def postable_teams(user):
    """The teams `user` posts for: their own (administrators: any). Mirrors
    `services.may_post_for`, so another team's id reads as unknown (400 on `team`)."""
    if user.sees_everything:
        return Team.objects.all()
    return Team.objects.filter(accounts=user)


class PostableTeamField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return postable_teams(self.context["request"].user)


def _unknown(pk: int) -> str:
    message = serializers.PrimaryKeyRelatedField.default_error_messages["does_not_exist"]
    return str(message).format(pk_value=pk)


class ReportBodySerializer(serializers.Serializer):
    """The body of a report, shared by POST (with team and date) and PATCH. Every id is looked
    up in one query per kind, so the queries of a post do not grow with its size."""

    communities = serializers.ListField(
        label=_("communities visited"), child=IdField(), allow_empty=False, max_length=200
    )
    texts = ReportTextsSerializer(label=_("what was done"))
    figures = ReportFiguresSerializer(label=_("figures"), required=False)
    measures = MeasureCheckInputSerializer(
        label=_("measures checked"), many=True, required=False, max_length=1000
    )

    def validate(self, attrs: dict) -> dict:
        attrs = super().validate(attrs)
        problems = attrs.get("problems", [])
        measures = attrs.get("measures", [])
        places = self._lookup(
            Area.objects.communities(),
            [*attrs["communities"], *(m["community"] for m in measures)]
            + [p["community"] for p in problems],
        )
        catalogue = self._lookup(Measure.objects.all(), [m["measure"] for m in measures])
        errors = {}
        unknown = [_unknown(pk) for pk in attrs["communities"] if pk not in places]
        if unknown:
            errors["communities"] = unknown
        for name, rows, lookups in [
            ("measures", measures, {"measure": catalogue, "community": places}),
            ("problems", problems, {"community": places}),
        ]:
            row_errors = [
                {
                    field: [_unknown(row[field])]
                    for field, rows_by_id in lookups.items()
                    if row[field] not in rows_by_id
                }
                for row in rows
            ]
            if any(row_errors):
                errors[name] = row_errors
        if errors:
            raise serializers.ValidationError(errors)
        attrs["communities"] = [places[pk] for pk in attrs["communities"]]
        attrs["measures"] = [
            services.MeasureInput(
                measure=catalogue[m["measure"]],
                community=places[m["community"]],
                status=m["status"],
            )
            for m in measures
        ]
        attrs["problems"] = [
            services.ProblemInput(**{**p, "community": places[p["community"]]}) for p in problems
        ]
        return attrs

    @staticmethod
    def _lookup(queryset, ids: list[int]) -> dict[int, Model]:
        return queryset.in_bulk(set(ids)) if ids else {}

    def report_input(self, *, team: Team, day) -> services.ReportInput:
        data = self.validated_data
        return services.ReportInput(
            team=team,
            date=day,
            communities=data["communities"],
            texts=dict(data["texts"]),
            figures=dict(data.get("figures") or {}),
            measures=data["measures"],
            problems=data["problems"],
        )


class ReportSubmitSerializer(ReportBodySerializer):
    """A day's report as a team's client posts it, with the problems found (nested)."""

    team = PostableTeamField(label=_("team"), queryset=Team.objects.none())
    date = serializers.DateField(
        label=_("date"),
        default=timezone.localdate,
        help_text=_("The day reported on; today (Asia/Shanghai) when left out."),
    )
    problems = ProblemInputSerializer(
        label=_("problems found"), many=True, required=False, max_length=200
    )

    field_order = ["team", "date", "communities", "texts", "figures", "measures", "problems"]

    def get_fields(self):
        fields = super().get_fields()
        return {name: fields[name] for name in self.field_order}

    def to_input(self) -> services.ReportInput:
        return self.report_input(team=self.validated_data["team"], day=self.validated_data["date"])


# --- daily reports: the input of a post, read plainly -----------------------------------------
#
# A post as a client's app sends it (JSON of the documented types, every id known, the team the
# caller's own) is read here in plain Python and one query, with exactly the values
# `ReportSubmitSerializer` would give. Anything else — a wrong type, a value out of bounds, an
# unknown id, another team — returns None, and the view hands the body to the serializer, which
# answers with its field errors, unchanged.

TEXT_MAX = 4000
FIGURE_MAX = 2_000_000_000
ID_MAX = 2**63 - 1
FOCUS_VALUES = frozenset(FocusArea.values)
MEASURE_STATUS_VALUES = frozenset(MeasureStatus.values)
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
TEAM_COLUMNS = [f.attname for f in Team._meta.concrete_fields]

# The team (all of it), whether the caller is one of its accounts, the communities named (id,
# name, path, and whether the team covers it, by path: `supervision_covers`, the database's own
# rule) and the measures named that exist.
LOOKUP_SQL = """
SELECT {team_columns},
       EXISTS (
           SELECT 1 FROM supervision_team_accounts a WHERE a.team_id = t.id AND a.user_id = %(user)s
       ),
       places.ids, places.names, places.paths, places.covered,
       ARRAY(SELECT m.id FROM supervision_measure m WHERE m.id = ANY (%(measures)s::bigint[]))
FROM supervision_team t
CROSS JOIN LATERAL (
    SELECT array_agg(c.id ORDER BY c.path), array_agg(c.name ORDER BY c.path),
           array_agg(c.path ORDER BY c.path),
           array_agg(supervision_covers(t.id, c.id) ORDER BY c.path)
    FROM communities_area c
    WHERE c.id = ANY (%(places)s::bigint[]) AND c.level = %(community)s
) AS places (ids, names, paths, covered)
WHERE t.id = %(team)s
""".format(team_columns=", ".join(f"t.{column}" for column in TEAM_COLUMNS))


def _id(value) -> bool:
    return type(value) is int and 1 <= value <= ID_MAX


def _text(value, *, allow_blank: bool) -> str | None:
    """A CharField's value (trimmed; not blank unless allowed; at most TEXT_MAX; no NUL or
    surrogate), or None."""
    if type(value) is not str:
        return None
    text = value.strip()
    if (not text and not allow_blank) or len(text) > TEXT_MAX or "\x00" in text:
        return None
    if not text.isascii():
        try:
            text.encode()
        except UnicodeEncodeError:
            return None
    return text


def _date(value):
    """A DateField's value from "YYYY-MM-DD", or None."""
    if type(value) is not str or not ISO_DATE.fullmatch(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _plain_body(body) -> dict | None:
    """The fields of a post as `ReportSubmitSerializer` validates them, ids still ids; or None
    when it is anything but plainly right."""
    if type(body) is not dict or not _id(body.get("team")):
        return None
    if "date" in body:
        day = _date(body["date"])
        if day is None:
            return None
    else:
        day = timezone.localdate()
    communities = body.get("communities")
    if type(communities) is not list or not 1 <= len(communities) <= 200:
        return None
    if not all(_id(pk) for pk in communities):
        return None
    given = body.get("texts")
    if type(given) is not dict:
        return None
    texts = {}
    for name in services.FOCUS_FIELDS:
        text = _text(given.get(name, ""), allow_blank=True)
        if text is None:
            return None
        texts[name] = text
    figures = {}
    if "figures" in body:
        given = body["figures"]
        if type(given) is not dict:
            return None
        for name in services.FIGURE_FIELDS:
            value = given.get(name, 0)
            if type(value) is not int or not 0 <= value <= FIGURE_MAX:
                return None
            figures[name] = value
    measures = body.get("measures", [])
    if type(measures) is not list or len(measures) > 1000:
        return None
    for row in measures:
        if (
            type(row) is not dict
            or not _id(row.get("measure"))
            or not _id(row.get("community"))
            or type(row.get("status")) is not str
            or row["status"] not in MEASURE_STATUS_VALUES
        ):
            return None
    problems = []
    rows = body.get("problems", [])
    if type(rows) is not list or len(rows) > 200:
        return None
    for row in rows:
        if (
            type(row) is not dict
            or not _id(row.get("community"))
            or type(row.get("focus_area")) is not str
            or row["focus_area"] not in FOCUS_VALUES
        ):
            return None
        description = _text(row.get("description"), allow_blank=False)
        deadline = row.get("deadline")
        if deadline is not None:
            deadline = _date(deadline)
        if description is None or (deadline is None and row.get("deadline") is not None):
            return None
        problems.append((row["community"], row["focus_area"], description, deadline))
    return {
        "team": body["team"],
        "date": day,
        "communities": communities,
        "texts": texts,
        "figures": figures,
        "measures": [(row["measure"], row["community"], row["status"]) for row in measures],
        "problems": problems,
    }


def plain_report_ids(body) -> services.ReportInput | None:
    """A plainly right post as `ReportSubmitSerializer` would read it, its rows by id only
    (nothing read: for `services.daily_report_submit_at_once`, whose statement checks them);
    None for anything else (see above)."""
    plain = _plain_body(body)
    if plain is None:
        return None
    rows = {}

    def row(model, pk):
        found = rows.get((model, pk))
        if found is None:
            found = rows[model, pk] = model.from_db(DEFAULT_DB_ALIAS, ["id"], [pk])
        return found

    return services.ReportInput(
        team=row(Team, plain["team"]),
        date=plain["date"],
        communities=[row(Area, pk) for pk in plain["communities"]],
        texts=plain["texts"],
        figures=plain["figures"],
        measures=[
            services.MeasureInput(measure=row(Measure, m), community=row(Area, c), status=state)
            for m, c, state in plain["measures"]
        ],
        problems=[
            services.ProblemInput(
                community=row(Area, c), focus_area=area, description=text, deadline=deadline
            )
            for c, area, text, deadline in plain["problems"]
        ],
    )


def plain_report_input(body, user) -> tuple[services.ReportInput, services.Access] | None:
    """A plainly right post read in one query: the report as `ReportSubmitSerializer` would give
    it, and what the service asks before it writes (is the caller one of the team's accounts,
    which of the communities named the team covers); None for anything else (see above)."""
    plain = _plain_body(body)
    if plain is None:
        return None
    places = [*plain["communities"], *(m[1] for m in plain["measures"])]
    places += [p[0] for p in plain["problems"]]
    with connection.cursor() as cursor:
        cursor.execute(
            LOOKUP_SQL,
            {
                "team": plain["team"],
                "user": user.pk,
                "places": list(set(places)),
                "measures": list({m[0] for m in plain["measures"]}),
                "community": AreaLevel.COMMUNITY.value,
            },
        )
        row = cursor.fetchone()
    if row is None:
        return None
    width = len(TEAM_COLUMNS)
    is_account, ids, names, paths, covers, measure_ids = row[width:]
    if not (user.sees_everything or is_account):
        return None  # not a team the caller posts for: `postable_teams` answers it
    areas = {
        pk: Area.from_db(DEFAULT_DB_ALIAS, ["id", "name", "path", "level"], [pk, n, p, "community"])
        for pk, n, p in zip(ids or (), names or (), paths or (), strict=True)
    }
    if len(areas) != len(set(places)) or len(measure_ids) != len({m[0] for m in plain["measures"]}):
        return None  # an unknown community or measure: the serializer names it
    catalogue = {pk: Measure.from_db(DEFAULT_DB_ALIAS, ["id"], [pk]) for pk in measure_ids}
    team = Team.from_db(DEFAULT_DB_ALIAS, TEAM_COLUMNS, row[:width])
    data = services.ReportInput(
        team=team,
        date=plain["date"],
        communities=[areas[pk] for pk in plain["communities"]],
        texts=plain["texts"],
        figures=plain["figures"],
        measures=[
            services.MeasureInput(measure=catalogue[m], community=areas[c], status=state)
            for m, c, state in plain["measures"]
        ],
        problems=[
            services.ProblemInput(
                community=areas[c], focus_area=area, description=text, deadline=deadline
            )
            for c, area, text, deadline in plain["problems"]
        ],
    )
    covered = [pk for pk, covers_it in zip(ids or (), covers or (), strict=True) if covers_it]
    return data, (bool(is_account), covered)


class ReportAmendSerializer(ReportBodySerializer):
    """An amendment: the stored report with the fields given replaced (texts and figures key by
    key). Problems are not amended here: they have their own steps."""


# --- daily reports: output --------------------------------------------------------------------


class MeasureCheckSerializer(serializers.ModelSerializer):
    class Meta:
        model = MeasureCheck
        fields = ["measure", "community", "status"]


class ProblemBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Problem
        fields = ["id", "community", "focus_area", "description", "deadline", "status"]


class DailyReportSerializer(serializers.ModelSerializer):
    """A stored report, in the shape it was posted in, with what was stored for it."""

    team_name = serializers.CharField(source="team.name", read_only=True)
    texts = ReportTextsSerializer(source="*", read_only=True)
    figures = ReportFiguresSerializer(source="*", read_only=True)
    measures = MeasureCheckSerializer(source="checks", many=True, read_only=True)
    problems = ProblemBriefSerializer(many=True, read_only=True)

    class Meta:
        model = DailyReport
        fields = [
            "id",
            "team",
            "team_name",
            "date",
            "communities",
            "texts",
            "figures",
            "measures",
            "problems",
            "submitted_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


_DATETIME = serializers.DateTimeField()


def report_data(report: DailyReport) -> dict:
    """`DailyReportSerializer(report).data`, written out by hand for the answer to a post: the
    API's hottest path, where building the serializer's fields took longer than the database
    took to store the report. A test holds the two equal."""
    return {
        "id": report.pk,
        "team": report.team_id,
        "team_name": report.team.name,
        "date": report.date.isoformat(),
        "communities": [area.pk for area in report.communities.all()],
        "texts": {name: getattr(report, name) for name in services.FOCUS_FIELDS},
        "figures": {name: getattr(report, name) for name in services.FIGURE_FIELDS},
        "measures": [
            {"measure": check.measure_id, "community": check.community_id, "status": check.status}
            for check in report.checks.all()
        ],
        "problems": [
            {
                "id": problem.pk,
                "community": problem.community_id,
                "focus_area": problem.focus_area,
                "description": problem.description,
                "deadline": problem.deadline.isoformat() if problem.deadline else None,
                "status": problem.status,
            }
            for problem in report.problems.all()
        ],
        "submitted_by": report.submitted_by_id,
        "created_at": _DATETIME.to_representation(report.created_at),
        "updated_at": _DATETIME.to_representation(report.updated_at),
    }


class DailyReportRevisionSerializer(serializers.ModelSerializer):
    changed_by_name = serializers.CharField(source="changed_by.__str__", read_only=True)

    class Meta:
        model = DailyReportRevision
        fields = ["id", "changed_by", "changed_by_name", "changed_at", "previous"]
        read_only_fields = fields


class ConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    report = serializers.IntegerField(
        required=False, help_text=_("The report already stored for that team and day.")
    )


# --- problems ---------------------------------------------------------------------------------


class ProblemEvidenceSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = ProblemEvidence
        fields = ["id", "name", "content_type", "size", "url"]

    def get_url(self, evidence: ProblemEvidence) -> str:
        """The scoped download view: files are never served from a public media URL."""
        url = reverse("supervision:evidence", args=[evidence.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class ProblemStepSerializer(serializers.ModelSerializer):
    actor_name = serializers.CharField(source="actor.__str__", read_only=True)
    evidence = ProblemEvidenceSerializer(many=True, read_only=True)

    class Meta:
        model = ProblemStep
        fields = ["from_status", "to_status", "actor", "actor_name", "at", "note", "evidence"]


class ProblemSerializer(serializers.ModelSerializer):
    team_name = serializers.CharField(source="team.name", read_only=True)
    community_name = serializers.CharField(source="community.name", read_only=True)
    focus_area_label = serializers.CharField(source="get_focus_area_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    overdue = serializers.BooleanField(source="is_overdue", read_only=True)
    steps = ProblemStepSerializer(many=True, read_only=True)

    class Meta:
        model = Problem
        fields = [
            "id",
            "team",
            "team_name",
            "report",
            "community",
            "community_name",
            "focus_area",
            "focus_area_label",
            "description",
            "status",
            "status_label",
            "deadline",
            "overdue",
            "found_on",
            "found_by",
            "resolved_by",
            "resolved_at",
            "verified_by",
            "verified_at",
            "steps",
        ]
        read_only_fields = fields


class ProblemCreateSerializer(serializers.Serializer):
    """A problem found outside a daily report."""

    team = PostableTeamField(label=_("team"), queryset=Team.objects.none())
    community = serializers.PrimaryKeyRelatedField(
        label=_("community"), queryset=Area.objects.communities()
    )
    focus_area = serializers.ChoiceField(label=_("focus area"), choices=FocusArea.choices)
    description = serializers.CharField(label=_("description"), max_length=4000)
    deadline = serializers.DateField(label=_("deadline"), allow_null=True, default=None)

    def to_input(self) -> services.ProblemInput:
        data = dict(self.validated_data)
        data.pop("team")
        return services.ProblemInput(**data)


class ProblemStepInputSerializer(serializers.Serializer):
    """One step on: a note, and photos or files as evidence (multipart `files`, repeated)."""

    note = serializers.CharField(label=_("note"), allow_blank=True, default="", max_length=4000)
    files = serializers.ListField(
        label=_("evidence"),
        child=serializers.FileField(allow_empty_file=False),
        required=False,
        default=list,
        max_length=20,
        help_text=_("Photos (JPEG, PNG, WebP) or PDF files, at most 10 MB each."),
    )
