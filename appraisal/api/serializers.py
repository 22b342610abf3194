"""Serializers of the appraisal API.

Output serializers show a row as the lists read it (`appraisals_for_list`, `with_use`); input
serializers check shapes and types and turn ids into rows the caller sees. Who may make a change
and the rules (weights, thresholds, quotas, a closed period) are the services' to say: 403 and
400 through the one exception handler.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from appraisal.choices import CommendationKind, Grade, Input
from appraisal.models import Appraisal, Commendation, Period, Quota
from appraisal.services import inputs_for
from cadres.api.serializers import VisiblePrimaryKeyRelatedField
from cadres.choices import PostKind
from cadres.models import Cadre, WorkUnit
from communities.choices import AreaLevel
from communities.models import Area


def _name(value) -> str:
    return str(value) if value is not None else ""


def _score(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=0, max_value=100, **kwargs
    )


# --- periods ----------------------------------------------------------------------------------


class PeriodSerializer(serializers.ModelSerializer):
    """A period with its weights, thresholds and stated evaluation rule. Written (POST, PATCH)
    through `period_save`: the county's organisation department, while the period is open."""

    county = VisiblePrimaryKeyRelatedField(queryset=Area.objects.filter(level=AreaLevel.COUNTY))
    county_name = serializers.CharField(source="county.name", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    evaluation_rule = serializers.CharField(
        read_only=True, help_text=_("How the residents' counts become a score.")
    )
    appraisal_count = serializers.IntegerField(label=_("appraisals"), read_only=True)
    graded_count = serializers.IntegerField(label=_("graded"), read_only=True)
    closed_by_name = serializers.SerializerMethodField()

    class Meta:
        model = Period
        fields = [
            "id",
            "county",
            "county_name",
            "name",
            "starts_on",
            "ends_on",
            "status",
            "status_label",
            "weight_inspection",
            "weight_talk",
            "weight_evaluation",
            "excellent_from",
            "competent_from",
            "basic_from",
            "points_satisfied",
            "points_basic",
            "points_unsatisfied",
            "evaluation_rule",
            "appraisal_count",
            "graded_count",
            "closed_at",
            "closed_by",
            "closed_by_name",
        ]
        read_only_fields = ["status", "closed_at", "closed_by"]
        # The model's constraints, checked by the service, are the one source of these rules.
        validators = []

    def get_closed_by_name(self, period: Period) -> str:
        return _name(period.closed_by)


class PeriodSyncSerializer(serializers.Serializer):
    added = serializers.IntegerField(
        label=_("appraisals added"),
        help_text=_("Cadres who started serving since the period opened, now appraised."),
    )


# --- appraisals -------------------------------------------------------------------------------


class CommendationBriefSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Commendation
        fields = ["id", "kind", "kind_label", "awarded_on", "reason", "approver", "period"]
        read_only_fields = fields


class AppraisalFactsSerializer(serializers.Serializer):
    """What the other apps know of the cadre in the period: never typed in."""

    post_kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=PostKind.choices),
        read_only=True,
        help_text=_("The posts held in the community during the period."),
    )
    days_registered = serializers.IntegerField(
        read_only=True, help_text=_("Days registered with a community within the period.")
    )
    team_reports = serializers.IntegerField(
        read_only=True,
        help_text=_("Daily reports of the teams covering the community, within the period."),
    )
    team_problems = serializers.IntegerField(
        read_only=True, help_text=_("Problems those teams found there within the period.")
    )
    team_problems_fixed = serializers.IntegerField(
        read_only=True, help_text=_("Of those, the problems resolved or verified.")
    )
    commendations = CommendationBriefSerializer(
        source="cadre.commendations", many=True, read_only=True
    )


class AppraisalSerializer(serializers.ModelSerializer):
    """An appraisal: the three inputs with who entered them and when, the evaluation score by
    the period's rule, the composite and proposed grade, the final grade and opinion, and the
    facts from the other apps."""

    period_name = serializers.CharField(source="period.name", read_only=True)
    cadre_name = serializers.CharField(source="cadre.name", read_only=True)
    position = serializers.CharField(source="cadre.position", read_only=True)
    work_unit_name = serializers.CharField(source="work_unit.name", read_only=True)
    community_name = serializers.CharField(source="community.name", read_only=True)
    township_name = serializers.SerializerMethodField()
    inspection_by_name = serializers.SerializerMethodField()
    talk_by_name = serializers.SerializerMethodField()
    evaluation_by_name = serializers.SerializerMethodField()
    graded_by_name = serializers.SerializerMethodField()
    evaluation_score = _score(
        read_only=True,
        allow_null=True,
        help_text=_("The period's stated rule applied to the counts; null before any."),
    )
    composite = _score(
        read_only=True,
        allow_null=True,
        help_text=_("The weighted score, once all three inputs are in."),
    )
    proposed_grade = serializers.ChoiceField(
        choices=Grade.choices, allow_blank=True, read_only=True
    )
    proposed_grade_label = serializers.CharField(
        source="get_proposed_grade_display", read_only=True
    )
    # Declared, or the schema would not allow the blank of an appraisal not graded yet.
    final_grade = serializers.ChoiceField(choices=Grade.choices, allow_blank=True, read_only=True)
    final_grade_label = serializers.CharField(source="get_final_grade_display", read_only=True)
    facts = AppraisalFactsSerializer(source="*", read_only=True)

    class Meta:
        model = Appraisal
        fields = [
            "id",
            "period",
            "period_name",
            "cadre",
            "cadre_name",
            "position",
            "work_unit",
            "work_unit_name",
            "community",
            "community_name",
            "township_name",
            "inspection_score",
            "inspection_note",
            "inspection_by_name",
            "inspection_at",
            "talk_score",
            "talk_note",
            "talk_by_name",
            "talk_at",
            "satisfied",
            "basically_satisfied",
            "unsatisfied",
            "evaluation_by_name",
            "evaluation_at",
            "evaluation_score",
            "composite",
            "proposed_grade",
            "proposed_grade_label",
            "final_grade",
            "final_grade_label",
            "opinion",
            "graded_by_name",
            "graded_at",
            "facts",
        ]
        read_only_fields = fields

    def get_township_name(self, appraisal: Appraisal) -> str:
        return _name(appraisal.community.parent)

    def get_inspection_by_name(self, appraisal: Appraisal) -> str:
        return _name(appraisal.inspection_by)

    def get_talk_by_name(self, appraisal: Appraisal) -> str:
        return _name(appraisal.talk_by)

    def get_evaluation_by_name(self, appraisal: Appraisal) -> str:
        return _name(appraisal.evaluation_by)

    def get_graded_by_name(self, appraisal: Appraisal) -> str:
        return _name(appraisal.graded_by)


class AppraisalDetailSerializer(AppraisalSerializer):
    """One appraisal, with the inputs the caller may enter on it now."""

    inputs = serializers.SerializerMethodField(
        help_text=_("The inputs the caller may enter now (none once the period is closed).")
    )

    class Meta(AppraisalSerializer.Meta):
        fields = [*AppraisalSerializer.Meta.fields, "inputs"]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(Input.choices)))
    def get_inputs(self, appraisal: Appraisal) -> list[str]:
        return inputs_for(self.context["request"].user, appraisal)


class AppraisalUpdateSerializer(serializers.Serializer):
    """Any of the inputs; each needs its people (403 otherwise): the on-site inspection its
    supervision team, the talk and the counts the community's secretary, the final grade and
    opinion the organisation department (which may enter everything)."""

    inspection_score = _score(required=False, allow_null=True)
    inspection_note = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    talk_score = _score(required=False, allow_null=True)
    talk_note = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    satisfied = serializers.IntegerField(required=False, min_value=0, max_value=2_000_000_000)
    basically_satisfied = serializers.IntegerField(
        required=False, min_value=0, max_value=2_000_000_000
    )
    unsatisfied = serializers.IntegerField(required=False, min_value=0, max_value=2_000_000_000)
    final_grade = serializers.ChoiceField(
        choices=Grade.choices,
        required=False,
        allow_blank=True,
        help_text=_("Empty takes the grade back."),
    )
    opinion = serializers.CharField(required=False, allow_blank=True, max_length=2000)

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {name: [_("This is not an input of an appraisal.")] for name in unknown}
                )
        return super().to_internal_value(data)


# --- quotas -----------------------------------------------------------------------------------


class QuotaSerializer(serializers.ModelSerializer):
    """A work unit's 优秀 places in a period (单列核定), and who holds them."""

    period_name = serializers.CharField(source="period.name", read_only=True)
    work_unit_name = serializers.CharField(source="work_unit.name", read_only=True)
    given = serializers.IntegerField(
        read_only=True, help_text=_("“Excellent” grades given so far.")
    )
    holders = serializers.SerializerMethodField(help_text=_("Who holds them, by name."))

    class Meta:
        model = Quota
        fields = [
            "id",
            "period",
            "period_name",
            "work_unit",
            "work_unit_name",
            "excellent",
            "given",
            "holders",
        ]
        read_only_fields = fields

    def get_holders(self, quota: Quota) -> list[str]:
        return quota.holders.split("、") if quota.holders else []


class QuotaSetSerializer(serializers.Serializer):
    """Sets a unit's places: a new quota, or the one already there changed."""

    period = VisiblePrimaryKeyRelatedField(queryset=Period.objects.all())
    work_unit = VisiblePrimaryKeyRelatedField(queryset=WorkUnit.objects.all())
    excellent = serializers.IntegerField(
        label=_("excellent places"), min_value=0, max_value=100_000
    )


class QuotaChangeSerializer(serializers.Serializer):
    excellent = serializers.IntegerField(
        label=_("excellent places"), min_value=0, max_value=100_000
    )


# --- commendations ----------------------------------------------------------------------------


class CommendationSerializer(serializers.ModelSerializer):
    """A commendation (嘉奖, 记功); no ratio limits them. Recorded through `commendation_add`:
    the organisation department of the cadre's county."""

    cadre = VisiblePrimaryKeyRelatedField(queryset=Cadre.objects.all())
    period = VisiblePrimaryKeyRelatedField(
        queryset=Period.objects.all(), allow_null=True, required=False
    )
    kind = serializers.ChoiceField(choices=CommendationKind.choices)
    cadre_name = serializers.CharField(source="cadre.name", read_only=True)
    work_unit_name = serializers.CharField(source="cadre.work_unit.name", read_only=True)
    period_name = serializers.SerializerMethodField()
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    recorded_by_name = serializers.SerializerMethodField()

    class Meta:
        model = Commendation
        fields = [
            "id",
            "cadre",
            "cadre_name",
            "work_unit_name",
            "period",
            "period_name",
            "kind",
            "kind_label",
            "awarded_on",
            "reason",
            "approver",
            "recorded_by_name",
            "created_at",
        ]
        read_only_fields = ["created_at"]

    def get_period_name(self, commendation: Commendation) -> str:
        return _name(commendation.period)

    def get_recorded_by_name(self, commendation: Commendation) -> str:
        return _name(commendation.recorded_by)
