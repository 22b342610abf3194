"""The supervision API: teams, daily reports (idempotent posts, amendments with history),
the strict-control measures, and problems moved on step by step.

Reads start from `visible_to(user)` (out of scope is 404); every write is a service of
`supervision.services`, which says who may make it (403) and checks the rules (400). A report
posted again answers 200 with the stored one; a clash answers 409 or 422 (below).
"""

import re
from contextlib import contextmanager

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import OuterRef, Prefetch
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings

from cadres.api.views import CadresViewSet
from supervision import services
from supervision.choices import ProblemStatus
from supervision.filters import DailyReportFilterSet, ProblemFilterSet, TeamFilterSet
from supervision.models import (
    DailyReport,
    Measure,
    Problem,
    ProblemStep,
    Team,
    TeamCoverage,
    TeamMember,
)
from supervision.selectors import row_count, x_cadres

from .serializers import (
    ConflictSerializer,
    DailyReportRevisionSerializer,
    DailyReportSerializer,
    MeasureSerializer,
    ProblemCreateSerializer,
    ProblemSerializer,
    ProblemStepInputSerializer,
    ReportAmendSerializer,
    ReportSubmitSerializer,
    TeamSerializer,
    TeamWriteSerializer,
    plain_report_ids,
    plain_report_input,
    report_data,
)

# --- teams ------------------------------------------------------------------------------------


def teams_for_list(queryset):
    """Teams with their 1, 5, coverage and paired units, and the counts of 5 and X: a fixed
    number of queries however many teams."""
    return (
        queryset.select_related("county", "lead_unit", "leader")
        .annotate(
            members_count=row_count(TeamMember.objects.filter(team=OuterRef("pk"))),
            x_count=row_count(x_cadres(OuterRef("pk"))),
        )
        .prefetch_related(
            Prefetch("members", TeamMember.objects.select_related("cadre__work_unit")),
            Prefetch("coverage", TeamCoverage.objects.select_related("area")),
            "paired_units",
        )
    )


class SupervisionViewSet(CadresViewSet):
    """Reads and writes as in the cadres API; nothing is deleted: the rows are history."""

    http_method_names = ["get", "post", "patch", "head", "options"]


@extend_schema_view(
    create=extend_schema(request=TeamWriteSerializer, responses={201: TeamSerializer}),
    partial_update=extend_schema(request=TeamWriteSerializer, responses={200: TeamSerializer}),
)
class TeamViewSet(SupervisionViewSet):
    """The "1+5+X" teams; the county's organisation department creates and changes them."""

    queryset = Team.objects.all()
    serializer_class = TeamSerializer
    filterset_class = TeamFilterSet

    def get_queryset(self):
        return teams_for_list(super().get_queryset())

    def create(self, request, *args, **kwargs):
        team = self._save(Team(), self.validated(TeamWriteSerializer))
        return self.respond(team, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        team = self.get_object()
        serializer = TeamWriteSerializer(
            data=request.data, partial=True, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        return self.respond(self._save(team, dict(serializer.validated_data)))

    def _save(self, team: Team, data: dict) -> Team:
        members = data.pop("members", None)
        coverage = data.pop("coverage", None)
        paired_units = data.pop("paired_units", None)
        for name, value in data.items():
            setattr(team, name, value)
        return services.team_save(
            actor=self.request.user,
            team=team,
            members=members,
            coverage=coverage,
            paired_units=paired_units,
        )


# --- measures ---------------------------------------------------------------------------------


class MeasureViewSet(viewsets.ReadOnlyModelViewSet):
    """The strict-control measures (严查严控措施); changed in the admin only."""

    queryset = Measure.objects.all()
    serializer_class = MeasureSerializer
    filterset_class = None


# --- daily reports ----------------------------------------------------------------------------

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="A key the client makes for this report (a UUID); a retry with the same key and "
    "body answers 200 with the stored report, the same key with another body 422.",
)
# The fields a PATCH may not touch, and why.
FIXED_ON_AMEND = ("team", "date", "problems")


@contextmanager
def errors_at_rows(data: services.ReportInput):
    """Shows the service's errors of one row of `measures` or `problems` at that row, as DRF
    nests the errors of a list: {"problems": [{}, {"community": ["…"]}]}."""
    try:
        yield
    except DjangoValidationError as error:
        sizes = {"measures": len(data.measures), "problems": len(data.problems)}
        nested = {}
        for name, errors in getattr(error, "error_dict", {}).items():
            if name in sizes and all(e.params and "row" in e.params for e in errors):
                rows = [{} for _ in range(sizes[name])]
                for e in errors:
                    rows[e.params["row"]].setdefault(e.params["field"], []).extend(e.messages)
                nested[name] = rows
        if not nested:
            raise
        detail = as_serializer_error(error)
        if NON_FIELD_ERRORS in detail:
            detail[api_settings.NON_FIELD_ERRORS_KEY] = detail.pop(NON_FIELD_ERRORS)
        raise ValidationError({**detail, **nested}) from error


@extend_schema_view(
    create=extend_schema(
        summary="Post a day's report (idempotent)",
        description="One report per team per day. A retry (the same Idempotency-Key, or the same "
        "team, day and body) answers 200 with the stored report and stores nothing; the same "
        "key with another body answers 422; another body for a day already reported answers "
        "409 — amend that report with PATCH. Bad input answers 400 with field errors and "
        "stores nothing; a team the caller does not post for reads as unknown (400 on `team`).",
        parameters=[IDEMPOTENCY_KEY],
        request=ReportSubmitSerializer,
        responses={
            201: DailyReportSerializer,
            200: OpenApiResponse(DailyReportSerializer, description="A retry: the stored report."),
            409: OpenApiResponse(ConflictSerializer, description="Already reported that day."),
            422: OpenApiResponse(ConflictSerializer, description="Key reused, other body."),
        },
    ),
    partial_update=extend_schema(
        summary="Amend a report",
        description="Replaces the fields given (texts and figures key by key); the report as it "
        "was is kept as a revision. Team, date and problems do not change here.",
        request=ReportAmendSerializer,
        responses={200: DailyReportSerializer},
    ),
)
class DailyReportViewSet(SupervisionViewSet):
    """Daily reports (每天上报工作情况) of the teams the caller sees."""

    queryset = DailyReport.objects.select_related("team")
    serializer_class = DailyReportSerializer
    filterset_class = DailyReportFilterSet

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .prefetch_related(
                "communities",
                "checks",
                Prefetch("problems", Problem.objects.order_by("id")),
            )
        )

    def create(self, request, *args, **kwargs):
        key = request.headers.get("Idempotency-Key", "").strip()
        if key and not re.fullmatch(r"[\x21-\x7e]{1,255}", key):
            raise ValidationError(
                {
                    "Idempotency-Key": [
                        gettext("Use a key of at most 255 printable ASCII characters.")
                    ]
                }
            )
        # A plainly right new report is written at once, in one guarded statement that reads
        # nothing first; if anything is amiss (nothing is written then), the post is read again
        # to say what: a plainly right one in one query, anything else by the serializer, which
        # answers its field errors (or reads the same report, and the service the access).
        ids_only = plain_report_ids(request.data)
        if ids_only is not None:
            report = services.daily_report_submit_at_once(
                actor=request.user, data=ids_only, idempotency_key=key
            )
            if report is not None:
                return Response(report_data(report), status=status.HTTP_201_CREATED)
        plain = plain_report_input(request.data, request.user)
        if plain is None:
            submitted = ReportSubmitSerializer(
                data=request.data, context=self.get_serializer_context()
            )
            submitted.is_valid(raise_exception=True)
            data, access = submitted.to_input(), None
        else:
            data, access = plain
        try:
            with errors_at_rows(data):
                report, created = services.daily_report_submit(
                    actor=request.user, data=data, idempotency_key=key, access=access
                )
        except services.ReportConflict as conflict:
            return Response(
                {"detail": str(conflict), "report": conflict.report.pk},
                status=status.HTTP_409_CONFLICT,
            )
        except services.IdempotencyKeyReused as reused:
            return Response({"detail": str(reused)}, status=status.HTTP_422_UNPROCESSABLE_ENTITY)
        if created:
            # The service handed the new report its communities, checks and problems: answered
            # from memory, not read back (the hottest path of the API).
            return Response(report_data(report), status=status.HTTP_201_CREATED)
        return self.respond(report)

    def partial_update(self, request, *args, **kwargs):
        report = self.get_object()
        body = request.data
        if not isinstance(body, dict):
            raise ValidationError({"non_field_errors": [gettext("Send the fields to change.")]})
        fixed = [name for name in FIXED_ON_AMEND if name in body]
        if fixed:
            raise ValidationError(
                {
                    name: [
                        gettext("This cannot change on a report; problems have their own steps.")
                    ]
                    for name in fixed
                }
            )
        amended = ReportAmendSerializer(
            data=self._merged(report, body), context=self.get_serializer_context()
        )
        amended.is_valid(raise_exception=True)
        data = amended.report_input(team=report.team, day=report.date)
        with errors_at_rows(data):
            report = services.daily_report_amend(actor=request.user, report=report, data=data)
        return self.respond(report)

    @staticmethod
    def _merged(report: DailyReport, body: dict) -> dict:
        """The stored report with the fields of `body` in place of its own."""
        stored = services.report_body(report)
        stored["measures"] = [
            {"measure": measure, "community": community, "status": state}
            for measure, community, state in stored["measures"]
        ]
        merged = {name: body.get(name, value) for name, value in stored.items()}
        for name in ("texts", "figures"):
            if isinstance(body.get(name), dict):
                merged[name] = {**stored[name], **body[name]}
        return merged

    @extend_schema(responses={200: DailyReportRevisionSerializer(many=True)}, filters=False)
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def revisions(self, request, pk=None):
        """The report as it was before each amendment, newest first."""
        report = self.get_object()
        revisions = report.revisions.select_related("changed_by").order_by("-changed_at", "-id")
        return Response(DailyReportRevisionSerializer(revisions, many=True).data)


# --- problems ---------------------------------------------------------------------------------

STEP_REQUEST = {
    "multipart/form-data": ProblemStepInputSerializer,
    "application/json": ProblemStepInputSerializer,
}


def _step_schema(summary: str):
    return extend_schema(summary=summary, request=STEP_REQUEST, responses={200: ProblemSerializer})


@extend_schema_view(
    create=extend_schema(request=ProblemCreateSerializer, responses={201: ProblemSerializer})
)
class ProblemViewSet(SupervisionViewSet):
    """Problems (闭环管理): found → rectifying → resolved → verified, each step stamped with who,
    when and a note, with evidence; reopened from resolved when a check fails."""

    queryset = Problem.objects.select_related("team", "community")
    serializer_class = ProblemSerializer
    filterset_class = ProblemFilterSet
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        steps = ProblemStep.objects.select_related("actor").prefetch_related("evidence")
        return super().get_queryset().prefetch_related(Prefetch("steps", steps))

    def create(self, request, *args, **kwargs):
        found = ProblemCreateSerializer(data=request.data, context=self.get_serializer_context())
        found.is_valid(raise_exception=True)
        problem = services.problem_create(
            actor=request.user, team=found.validated_data["team"], data=found.to_input()
        )
        return self.respond(problem, status.HTTP_201_CREATED)

    def step(self, to_status: str, *, from_status: str | None = None) -> Response:
        problem = self.get_object()
        data = self.validated(ProblemStepInputSerializer)
        if from_status is not None and problem.status != from_status:
            raise ValidationError(
                {
                    "status": [
                        gettext("Only a problem that is “%(status)s” can take this step.")
                        % {"status": ProblemStatus(from_status).label}
                    ]
                }
            )
        problem = services.problem_advance(
            actor=self.request.user,
            problem=problem,
            to_status=to_status,
            note=data["note"],
            files=data["files"],
        )
        return self.respond(problem)

    @_step_schema("Start rectifying a problem just found")
    @action(detail=True, methods=["post"])
    def rectify(self, request, pk=None):
        return self.step(ProblemStatus.RECTIFYING, from_status=ProblemStatus.FOUND)

    @_step_schema("Mark a problem resolved")
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        return self.step(ProblemStatus.RESOLVED)

    @_step_schema("Verify a resolution (not by whoever resolved it)")
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        return self.step(ProblemStatus.VERIFIED)

    @_step_schema("Reopen a resolved problem whose check failed (a note says why)")
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        return self.step(ProblemStatus.RECTIFYING, from_status=ProblemStatus.RESOLVED)
