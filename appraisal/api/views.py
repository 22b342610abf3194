"""The appraisal API: periods (opened, changed, synced and closed by the county's organisation
department), appraisals with the three inputs and the grade (each entered by its own people),
the 优秀 quotas per work unit, and commendations.

Reads start from `visible_to(user)` (out of scope is 404); every write is a service of
`appraisal.services`, which says who may make it (403) and checks the rules (400): weights and
thresholds, a closed period, the quota. Nothing is deleted: the rows are history.
"""

from django.db.models import OuterRef
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from appraisal import services
from appraisal.exports import appraisal_workbook
from appraisal.filters import (
    AppraisalFilterSet,
    CommendationFilterSet,
    PeriodFilterSet,
    QuotaFilterSet,
)
from appraisal.models import Appraisal, Commendation, Period, Quota
from appraisal.selectors import appraisals_for_list, with_use
from cadres.api.views import CadresViewSet
from cadres.exports import XLSX_CONTENT_TYPE
from supervision.selectors import row_count

from .serializers import (
    AppraisalDetailSerializer,
    AppraisalSerializer,
    AppraisalUpdateSerializer,
    CommendationSerializer,
    PeriodSerializer,
    PeriodSyncSerializer,
    QuotaChangeSerializer,
    QuotaSerializer,
    QuotaSetSerializer,
)

# The scopes of a workbook, widest last: a township, then a work unit within it.
WORKBOOK_SCOPES = ("township", "work_unit")


class AppraisalApiViewSet(CadresViewSet):
    """Reads and writes as in the cadres API; no PUT, no DELETE."""

    http_method_names = ["get", "post", "patch", "head", "options"]


# --- periods ----------------------------------------------------------------------------------


@extend_schema_view(
    create=extend_schema(summary="Open a period (and appraise the cadres serving in it)"),
    partial_update=extend_schema(summary="Change an open period"),
)
class PeriodViewSet(AppraisalApiViewSet):
    """Appraisal periods of the counties the caller works in."""

    queryset = Period.objects.select_related("county", "closed_by")
    serializer_class = PeriodSerializer
    filterset_class = PeriodFilterSet

    def get_queryset(self):
        appraisals = Appraisal.objects.filter(period=OuterRef("pk"))
        return (
            super()
            .get_queryset()
            .annotate(
                appraisal_count=row_count(appraisals),
                graded_count=row_count(appraisals.exclude(final_grade="")),
            )
        )

    def write(self, instance, **extra):
        return services.period_save(actor=self.request.user, period=instance)

    def perform_content_negotiation(self, request, force=False):
        # A client asking for the workbook by its media type gets it (and errors as JSON),
        # not a 406 for want of an xlsx renderer: the workbook is a plain file response.
        return super().perform_content_negotiation(
            request, force=force or self.action == "workbook"
        )

    @extend_schema(summary="Close a period for good", request=None)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Its appraisals, quotas and commendations are final from now on."""
        period = services.period_close(actor=request.user, period=self.get_object())
        return self.respond(period)

    @extend_schema(
        summary="Appraise the cadres who started serving since",
        request=None,
        responses={200: PeriodSyncSerializer},
    )
    @action(detail=True, methods=["post"])
    def sync(self, request, pk=None):
        """Adds an appraisal for every cadre who served in the period and has none yet."""
        added = services.appraisals_sync(actor=request.user, period=self.get_object())
        return Response(PeriodSyncSerializer({"added": added}).data)

    @extend_schema(
        summary="Download the appraisal sheets (Excel)",
        description="The period's appraisal sheets as an .xlsx workbook, laid out like the "
        "official form: a sheet per work unit (and a summary sheet when there are several). "
        "For a work unit (and the units under it), a township, or — with neither — the whole "
        "county; always only the appraisals the caller sees.",
        parameters=[
            OpenApiParameter("work_unit", OpenApiTypes.INT, description="A work unit's id."),
            OpenApiParameter("township", OpenApiTypes.INT, description="A township's id."),
        ],
        responses={(200, XLSX_CONTENT_TYPE): OpenApiTypes.BINARY},
        filters=False,
    )
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=None)
    def workbook(self, request, pk=None):
        """The appraisal sheets of the period, of the scope asked for, as a download."""
        period = self.get_object()
        scope = {name: request.query_params.get(name, "") for name in WORKBOOK_SCOPES}
        scope = {name: value for name, value in scope.items() if value}
        appraisals = Appraisal.objects.visible_to(request.user).filter(period=period)
        filterset = AppraisalFilterSet(data=scope, queryset=appraisals, request=request)
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        chosen = [filterset.form.cleaned_data[name] for name in WORKBOOK_SCOPES if name in scope]
        label = " · ".join(str(value) for value in chosen) or period.county.name
        return appraisal_workbook(period, filterset.qs, scope_label=label)


# --- appraisals -------------------------------------------------------------------------------


@extend_schema_view(
    retrieve=extend_schema(responses={200: AppraisalDetailSerializer}),
    partial_update=extend_schema(
        summary="Enter inputs, or the final grade and opinion",
        description="Any of the input fields; unchanged values are left alone. Each changed "
        "input needs its people (403 otherwise). A final 优秀 beyond the work unit's quota, and "
        "any change in a closed period, answer 400 with the reason.",
        request=AppraisalUpdateSerializer,
        responses={200: AppraisalDetailSerializer},
    ),
)
class AppraisalViewSet(AppraisalApiViewSet):
    """Appraisals the caller sees, with the facts from the other apps."""

    queryset = Appraisal.objects.all()
    serializer_class = AppraisalSerializer
    filterset_class = AppraisalFilterSet
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self):
        return appraisals_for_list(super().get_queryset()).select_related(
            "inspection_by", "talk_by", "evaluation_by", "graded_by"
        )

    def get_serializer_class(self):
        if self.action == "list":
            return AppraisalSerializer
        return AppraisalDetailSerializer

    def partial_update(self, request, *args, **kwargs):
        appraisal = self.get_object()
        changes = self.validated(AppraisalUpdateSerializer)
        services.appraisal_update(actor=request.user, appraisal=appraisal, changes=changes)
        return self.respond(appraisal)


# --- quotas -----------------------------------------------------------------------------------


@extend_schema_view(
    create=extend_schema(
        summary="Set a work unit's 优秀 places in a period",
        description="Creates the unit's quota, or changes the one it has (200). Never below the "
        "优秀 already given (400 naming them).",
        request=QuotaSetSerializer,
        responses={
            201: QuotaSerializer,
            200: OpenApiResponse(QuotaSerializer, description="The unit's quota, changed."),
        },
    ),
    partial_update=extend_schema(
        summary="Change a quota", request=QuotaChangeSerializer, responses={200: QuotaSerializer}
    ),
)
class QuotaViewSet(AppraisalApiViewSet):
    """The 优秀 quotas (单列核定) with how many are given and to whom."""

    queryset = Quota.objects.all()
    serializer_class = QuotaSerializer
    filterset_class = QuotaFilterSet

    def get_queryset(self):
        quotas = with_use(super().get_queryset()).select_related("period")
        return quotas.order_by("period_id", "work_unit__name", "id")

    def create(self, request, *args, **kwargs):
        data = self.validated(QuotaSetSerializer)
        existed = Quota.objects.filter(period=data["period"], work_unit=data["work_unit"]).exists()
        quota = services.quota_set(actor=request.user, **data)
        return self.respond(quota, status.HTTP_200_OK if existed else status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        quota = self.get_object()
        quota = services.quota_set(
            actor=request.user,
            period=quota.period,
            work_unit=quota.work_unit,
            excellent=self.validated(QuotaChangeSerializer)["excellent"],
        )
        return self.respond(quota)


# --- commendations ----------------------------------------------------------------------------


class CommendationViewSet(AppraisalApiViewSet):
    """Commendations (嘉奖, 记功) of the cadres the caller sees; recorded, never changed."""

    queryset = Commendation.objects.select_related("cadre__work_unit", "period", "recorded_by")
    serializer_class = CommendationSerializer
    filterset_class = CommendationFilterSet
    http_method_names = ["get", "post", "head", "options"]

    def create(self, request, *args, **kwargs):
        data = self.validated(CommendationSerializer)
        commendation = services.commendation_add(actor=request.user, **data)
        return self.respond(commendation, status.HTTP_201_CREATED)
