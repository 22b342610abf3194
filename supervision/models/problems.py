"""Problems found by the teams, driven to closure (闭环管理): found → rectifying → resolved →
verified, each step stamped and kept."""

from typing import ClassVar

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from communities.choices import AreaLevel, Role
from communities.models import Area, TimeStampedModel
from supervision.choices import OPEN_PROBLEM_STATUSES, FocusArea, ProblemStatus

from .reports import DailyReport
from .teams import Team, TeamQuerySet


class ProblemQuerySet(TeamQuerySet):
    team_field = "team"

    def visible_to(self, user) -> "ProblemQuerySet":
        """As its team, narrowed for community and township staff to problems in their own area:
        a team covering two places does not show one place's problems to the other."""
        scoped = super().visible_to(user)
        if (
            user.is_authenticated
            and user.is_active
            and not user.sees_everything
            and user.area_id
            and user.role in (Role.SECRETARY, Role.TOWNSHIP_STAFF)
        ):
            return scoped.filter(community__path__startswith=user.area.path)
        return scoped

    def editable_by(self, user) -> "ProblemQuerySet":
        """Who moves a problem on: the team's own accounts, and the staff of the area it lies in
        (community secretary, township, county); administrators."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.sees_everything:
            return self
        if user.role == Role.TEAM_MEMBER:
            return self.filter(team__accounts=user)
        if user.area_id and user.role in (Role.COUNTY_STAFF, Role.TOWNSHIP_STAFF, Role.SECRETARY):
            return self.filter(community__path__startswith=user.area.path)
        return self.none()

    def overdue(self, today=None) -> "ProblemQuerySet":
        today = today or timezone.localdate()
        return self.filter(status__in=OPEN_PROBLEM_STATUSES, deadline__lt=today)


class Problem(TimeStampedModel):
    """A problem a team found in a community. Its status moves one step at a time (a trigger
    refuses a skipped step), and whoever verifies the fix is not who resolved it (a check)."""

    team = models.ForeignKey(
        Team, verbose_name=_("team"), on_delete=models.PROTECT, related_name="problems"
    )
    report = models.ForeignKey(
        DailyReport,
        verbose_name=_("report"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="problems",
    )
    community = models.ForeignKey(
        Area,
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="problems",
        limit_choices_to={"level": AreaLevel.COMMUNITY},
    )
    focus_area = models.CharField(_("focus area"), max_length=20, choices=FocusArea.choices)
    description = models.TextField(_("description"))
    status = models.CharField(
        _("status"), max_length=16, choices=ProblemStatus.choices, default=ProblemStatus.FOUND
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    found_on = models.DateField(_("found on"))
    found_by = models.ForeignKey(
        "communities.User",
        verbose_name=_("found by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    resolved_by = models.ForeignKey(
        "communities.User",
        verbose_name=_("resolved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        "communities.User",
        verbose_name=_("verified by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)

    objects = ProblemQuerySet.as_manager()
    constraint_error_fields: ClassVar[dict[str, str]] = {"four_eyes": "status"}

    class Meta:
        verbose_name = _("problem")
        verbose_name_plural = _("problems")
        ordering = ["-found_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(verified_by__isnull=True)
                | Q(resolved_by__isnull=True)
                | ~Q(verified_by=models.F("resolved_by")),
                name="supervision_problem_four_eyes",
                violation_error_message=_("Whoever resolved a problem cannot also verify it."),
                violation_error_code="four_eyes",
            ),
            models.CheckConstraint(
                condition=~Q(status=ProblemStatus.VERIFIED)
                | Q(verified_by__isnull=False, resolved_by__isnull=False),
                name="supervision_problem_verified_stamped",
                violation_error_message=_("A verified problem names who resolved and verified it."),
            ),
        ]
        indexes = [
            models.Index(fields=["team", "status"], name="supervision_problem_team"),
            models.Index(fields=["community", "status"], name="supervision_problem_place"),
        ]

    def __str__(self) -> str:
        return self.description[:40]

    @property
    def is_overdue(self) -> bool:
        return (
            self.status in OPEN_PROBLEM_STATUSES
            and self.deadline is not None
            and self.deadline < timezone.localdate()
        )


class ProblemStep(models.Model):
    """One step of a problem: from, to, who, when, a note. The history is never rewritten."""

    problem = models.ForeignKey(
        Problem, verbose_name=_("problem"), on_delete=models.CASCADE, related_name="steps"
    )
    from_status = models.CharField(
        _("from"), max_length=16, choices=ProblemStatus.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=16, choices=ProblemStatus.choices)
    actor = models.ForeignKey(
        "communities.User", verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("problem step")
        verbose_name_plural = _("problem steps")
        ordering = ["problem_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.problem}: {self.from_status or '·'} → {self.to_status}"


class ProblemEvidence(models.Model):
    """A photo or document attached to a step, stored through Django's storage API."""

    step = models.ForeignKey(
        ProblemStep, verbose_name=_("step"), on_delete=models.CASCADE, related_name="evidence"
    )
    file = models.FileField(_("file"), upload_to="problems/%Y/%m/")
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size in bytes"))

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["step_id", "id"]

    def __str__(self) -> str:
        return self.name
