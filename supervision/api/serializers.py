"""Serializers of the supervision API.

Input serializers check shapes and types and turn ids into rows; the rules (coverage, dates,
focus texts, steps) are the services' to check, answering 400 through the one exception handler.
"""

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
