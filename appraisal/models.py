"""Appraisal of the cadres serving in the communities (在职党员干部考核).

A county's organisation department opens a period; each cadre serving in it gets an appraisal
with three inputs — on-site inspection (现场实地看) by the supervision teams, the secretary's talk
(社区党组织书记谈) by the secretary of the community where the cadre serves, and the members' and
residents' evaluation (党员群众评) as counts turned into a score by the period's stated rule.
Weighted by the period, they make a composite and a proposed grade; the department sets the
final grade and the opinion. "Excellent" is limited by a quota per work unit (单列核定).

The database holds the rules that matter (migration 0002): a closed period refuses every change
to it and its rows, and a final 优秀 beyond the unit's quota is refused under the quota row's lock.
"""

from decimal import ROUND_HALF_UP, Decimal
from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.lookups import StartsWith
from django.utils.translation import gettext_lazy as _

from cadres.models import Cadre, WorkUnit
from communities.choices import AreaLevel, Role
from communities.models import Area, ScopedQuerySet, TimeStampedModel
from supervision.models import CountyWideQuerySet, TeamCoverage

from .choices import CommendationKind, Grade, PeriodStatus

SCORE = {
    "max_digits": 5,
    "decimal_places": 2,
    "validators": [MinValueValidator(0), MaxValueValidator(100)],
}
HUNDREDTH = Decimal("0.01")


class PeriodQuerySet(CountyWideQuerySet):
    """Everyone working in a county sees its periods (to enter their inputs)."""

    def managed_by(self, user) -> "PeriodQuerySet":
        """Periods the user runs: administrators all, the organisation department its county's."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.sees_everything:
            return self
        if user.is_county_staff and user.area_id:
            return self.filter(county=user.area_id)
        return self.none()


class Period(TimeStampedModel):
    """An appraisal period of a county, with its weights, grade thresholds and the stated rule
    that turns the residents' counts into a score."""

    county = models.ForeignKey(
        Area,
        verbose_name=_("county"),
        on_delete=models.PROTECT,
        related_name="appraisal_periods",
        limit_choices_to={"level": AreaLevel.COUNTY},
    )
    name = models.CharField(_("name"), max_length=100)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    status = models.CharField(
        _("status"), max_length=10, choices=PeriodStatus.choices, default=PeriodStatus.OPEN
    )
    weight_inspection = models.PositiveSmallIntegerField(
        _("weight of on-site inspection"), default=40
    )
    weight_talk = models.PositiveSmallIntegerField(_("weight of the secretary's talk"), default=30)
    weight_evaluation = models.PositiveSmallIntegerField(
        _("weight of members' and residents' evaluation"), default=30
    )
    excellent_from = models.DecimalField(_("excellent from"), **SCORE, default=Decimal(90))
    competent_from = models.DecimalField(_("competent from"), **SCORE, default=Decimal(75))
    basic_from = models.DecimalField(_("basically competent from"), **SCORE, default=Decimal(60))
    points_satisfied = models.PositiveSmallIntegerField(
        _("points for “satisfied”"), default=100, validators=[MaxValueValidator(100)]
    )
    points_basic = models.PositiveSmallIntegerField(
        _("points for “basically satisfied”"), default=60, validators=[MaxValueValidator(100)]
    )
    points_unsatisfied = models.PositiveSmallIntegerField(
        _("points for “unsatisfied”"), default=0, validators=[MaxValueValidator(100)]
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = PeriodQuerySet.as_manager()
    constraint_error_fields: ClassVar[dict[str, str]] = {
        "name_taken": "name",
        "weights_sum": "weight_inspection",
        "thresholds_order": "excellent_from",
        "points_order": "points_satisfied",
        "dates_order": "ends_on",
    }

    class Meta:
        verbose_name = _("appraisal period")
        verbose_name_plural = _("appraisal periods")
        ordering = ["county_id", "-starts_on", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["county", "name"],
                name="appraisal_period_unique_name",
                violation_error_message=_("This county already has a period of this name."),
                violation_error_code="name_taken",
            ),
            models.CheckConstraint(
                condition=Q(weight_inspection=100 - F("weight_talk") - F("weight_evaluation")),
                name="appraisal_period_weights_sum",
                violation_error_message=_("The three weights must add up to 100."),
                violation_error_code="weights_sum",
            ),
            models.CheckConstraint(
                condition=Q(basic_from__gte=0)
                & Q(competent_from__gt=F("basic_from"))
                & Q(excellent_from__gt=F("competent_from"))
                & Q(excellent_from__lte=100),
                name="appraisal_period_thresholds_order",
                violation_error_message=_(
                    "Thresholds go up: basically competent < competent < excellent ≤ 100."
                ),
                violation_error_code="thresholds_order",
            ),
            models.CheckConstraint(
                condition=Q(points_satisfied__lte=100)
                & Q(points_satisfied__gte=F("points_basic"))
                & Q(points_basic__gte=F("points_unsatisfied")),
                name="appraisal_period_points_order",
                violation_error_message=_(
                    "Points go down from “satisfied” to “unsatisfied”, at most 100."
                ),
                violation_error_code="points_order",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="appraisal_period_dates_order",
                violation_error_message=_("The period ends before it starts."),
                violation_error_code="dates_order",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_closed(self) -> bool:
        return self.status == PeriodStatus.CLOSED

    def evaluation_rule(self) -> str:
        """The stated rule, as shown on every page and sheet."""
        return _(
            "Score = (satisfied × %(s)s + basically satisfied × %(b)s + unsatisfied × %(u)s) "
            "÷ number of evaluations"
        ) % {"s": self.points_satisfied, "b": self.points_basic, "u": self.points_unsatisfied}

    def grade_for(self, score: Decimal | None) -> str:
        if score is None:
            return ""
        if score >= self.excellent_from:
            return Grade.EXCELLENT
        if score >= self.competent_from:
            return Grade.COMPETENT
        if score >= self.basic_from:
            return Grade.BASIC
        return Grade.INCOMPETENT


class AppraisalQuerySet(ScopedQuerySet):
    """The organisation department sees its county's appraisals; township staff those of the
    cadres serving in their township; a secretary those serving in their community only; a
    team's account those serving where its team covers; unit staff their units' cadres."""

    area_field = "community"
    work_unit_field = "work_unit"

    def visible_to(self, user) -> "AppraisalQuerySet":
        if not user.is_authenticated or not user.is_active or user.sees_everything:
            return super().visible_to(user)
        if user.is_county_staff and user.area_id:
            return self.filter(period__county__path__startswith=user.area.path)
        if user.role == Role.TEAM_MEMBER:
            covered = TeamCoverage.objects.filter(
                StartsWith(OuterRef("community__path"), F("area__path")), team__accounts=user
            )
            return self.filter(Exists(covered))
        return super().visible_to(user)


class Appraisal(TimeStampedModel):
    """One cadre in one period: the three inputs, and the final grade and opinion. The work unit
    and the community are those of when the period opened (quotas count by that unit)."""

    period = models.ForeignKey(
        Period, verbose_name=_("period"), on_delete=models.PROTECT, related_name="appraisals"
    )
    cadre = models.ForeignKey(
        Cadre, verbose_name=_("cadre"), on_delete=models.PROTECT, related_name="appraisals"
    )
    work_unit = models.ForeignKey(
        WorkUnit, verbose_name=_("work unit"), on_delete=models.PROTECT, related_name="appraisals"
    )
    community = models.ForeignKey(
        Area,
        verbose_name=_("community served"),
        on_delete=models.PROTECT,
        related_name="appraisals",
        limit_choices_to={"level": AreaLevel.COMMUNITY},
    )
    inspection_score = models.DecimalField(
        _("on-site inspection score"), **SCORE, null=True, blank=True
    )
    inspection_note = models.TextField(_("on-site inspection note"), max_length=2000, blank=True)
    inspection_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("inspection entered by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    inspection_at = models.DateTimeField(_("inspection entered at"), null=True, blank=True)
    talk_score = models.DecimalField(_("secretary's talk score"), **SCORE, null=True, blank=True)
    talk_note = models.TextField(_("secretary's talk note"), max_length=2000, blank=True)
    talk_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("talk entered by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    talk_at = models.DateTimeField(_("talk entered at"), null=True, blank=True)
    satisfied = models.PositiveIntegerField(_("satisfied"), default=0)
    basically_satisfied = models.PositiveIntegerField(_("basically satisfied"), default=0)
    unsatisfied = models.PositiveIntegerField(_("unsatisfied"), default=0)
    evaluation_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("evaluation entered by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    evaluation_at = models.DateTimeField(_("evaluation entered at"), null=True, blank=True)
    final_grade = models.CharField(
        _("final grade"), max_length=12, choices=Grade.choices, blank=True
    )
    opinion = models.TextField(_("appraisal opinion"), max_length=2000, blank=True)
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("graded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    graded_at = models.DateTimeField(_("graded at"), null=True, blank=True)

    objects = AppraisalQuerySet.as_manager()
    constraint_error_fields: ClassVar[dict[str, str]] = {"scores_range": "inspection_score"}

    class Meta:
        verbose_name = _("appraisal")
        verbose_name_plural = _("appraisals")
        ordering = ["period_id", "work_unit_id", "cadre__name", "id"]
        indexes = [
            models.Index(
                fields=["period", "work_unit", "final_grade"], name="appraisal_quota_count"
            ),
            models.Index(fields=["period", "community"], name="appraisal_period_community"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["period", "cadre"], name="appraisal_appraisal_once"),
            models.CheckConstraint(
                condition=(Q(inspection_score__isnull=True) | Q(inspection_score__range=(0, 100)))
                & (Q(talk_score__isnull=True) | Q(talk_score__range=(0, 100))),
                name="appraisal_appraisal_scores_range",
                violation_error_message=_("A score is between 0 and 100."),
                violation_error_code="scores_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cadre} · {self.period}"

    @property
    def evaluations(self) -> int:
        return self.satisfied + self.basically_satisfied + self.unsatisfied

    @property
    def evaluation_score(self) -> Decimal | None:
        """The period's stated rule applied to the counts; none before anyone evaluated."""
        if not self.evaluations:
            return None
        period = self.period
        points = (
            self.satisfied * period.points_satisfied
            + self.basically_satisfied * period.points_basic
            + self.unsatisfied * period.points_unsatisfied
        )
        return (Decimal(points) / self.evaluations).quantize(HUNDREDTH, ROUND_HALF_UP)

    @property
    def composite(self) -> Decimal | None:
        """The weighted score, once all three inputs are in."""
        scores = (self.inspection_score, self.talk_score, self.evaluation_score)
        if any(score is None for score in scores):
            return None
        period = self.period
        weights = (period.weight_inspection, period.weight_talk, period.weight_evaluation)
        total = sum(score * weight for score, weight in zip(scores, weights, strict=True))
        return (total / 100).quantize(HUNDREDTH, ROUND_HALF_UP)

    @property
    def proposed_grade(self) -> str:
        return self.period.grade_for(self.composite)

    def get_proposed_grade_display(self) -> str:
        return Grade(self.proposed_grade).label if self.proposed_grade else ""


class QuotaQuerySet(ScopedQuerySet):
    area_field = "period__county"
    work_unit_field = "work_unit"

    def visible_to(self, user) -> "QuotaQuerySet":
        if not user.is_authenticated or not user.is_active or user.is_unit_staff:
            return super().visible_to(user)
        return self.filter(period__in=Period.objects.visible_to(user).values("pk"))


class Quota(TimeStampedModel):
    """How many of a work unit's cadres may be graded 优秀 in a period (单列核定). No quota set
    means none."""

    period = models.ForeignKey(
        Period, verbose_name=_("period"), on_delete=models.PROTECT, related_name="quotas"
    )
    work_unit = models.ForeignKey(
        WorkUnit, verbose_name=_("work unit"), on_delete=models.PROTECT, related_name="quotas"
    )
    excellent = models.PositiveIntegerField(_("excellent places"))

    objects = QuotaQuerySet.as_manager()
    constraint_error_fields: ClassVar[dict[str, str]] = {"once": "work_unit"}

    class Meta:
        verbose_name = _("excellent quota")
        verbose_name_plural = _("excellent quotas")
        ordering = ["period_id", "work_unit__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "work_unit"],
                name="appraisal_quota_once",
                violation_error_message=_("This unit already has a quota in this period."),
                violation_error_code="once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.work_unit} · {self.period} · {self.excellent}"


class CommendationQuerySet(ScopedQuerySet):
    area_field = "cadre__work_unit__county"
    work_unit_field = "cadre__work_unit"

    def visible_to(self, user) -> "CommendationQuerySet":
        if not user.is_authenticated or not user.is_active or user.sees_everything:
            return super().visible_to(user)
        if user.is_county_staff or user.is_unit_staff:
            return super().visible_to(user)
        # Others see the commendations of the cadres whose appraisals they see.
        cadres = Appraisal.objects.visible_to(user).values("cadre")
        return self.filter(cadre__in=cadres)


class Commendation(TimeStampedModel):
    """A commendation (嘉奖, 记功) of a cadre: no ratio limits it."""

    cadre = models.ForeignKey(
        Cadre, verbose_name=_("cadre"), on_delete=models.PROTECT, related_name="commendations"
    )
    period = models.ForeignKey(
        Period,
        verbose_name=_("period"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="commendations",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=CommendationKind.choices)
    awarded_on = models.DateField(_("date"))
    reason = models.TextField(_("reason"), max_length=1000)
    approver = models.CharField(
        _("approved by"), max_length=100, help_text=_("E.g. 中共铁岭县委组织部.")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = CommendationQuerySet.as_manager()

    class Meta:
        verbose_name = _("commendation")
        verbose_name_plural = _("commendations")
        ordering = ["-awarded_on", "-id"]

    def __str__(self) -> str:
        return f"{self.cadre} · {self.get_kind_display()} · {self.awarded_on}"
