"""Daily reports (每天上报工作情况) and the strict-control measures (严查严控措施) they check."""

from typing import ClassVar

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from communities.choices import AreaLevel
from communities.models import Area, TimeStampedModel
from supervision.choices import FocusArea, MeasureStatus

from .teams import Team, TeamQuerySet

# The report's figures: field name → label. Each is a count, never negative.
FIGURES = {
    "households_visited": _("households visited"),
    "people_screened": _("people screened"),
    "returnees_found": _("returnees found"),
    "checkpoint_vehicles": _("vehicles checked at checkpoints"),
    "checkpoint_people": _("people checked at checkpoints"),
    "leaflets": _("leaflets handed out"),
}


class ReportQuerySet(TeamQuerySet):
    team_field = "team"


def _figure(label):
    return models.PositiveIntegerField(label, default=0)


class DailyReport(TimeStampedModel):
    """One team's work of one day. One per team per day (a unique constraint); a retried post
    finds the stored one by its Idempotency-Key or its body's hash; amendments keep the previous
    body in `DailyReportRevision`."""

    team = models.ForeignKey(
        Team, verbose_name=_("team"), on_delete=models.PROTECT, related_name="reports"
    )
    date = models.DateField(_("date"))
    communities = models.ManyToManyField(
        Area,
        verbose_name=_("communities visited"),
        related_name="daily_reports",
        limit_choices_to={"level": AreaLevel.COMMUNITY},
    )
    responsibility = models.TextField(FocusArea.RESPONSIBILITY.label)
    publicity = models.TextField(FocusArea.PUBLICITY.label)
    mobilisation = models.TextField(FocusArea.MOBILISATION.label)
    screening = models.TextField(FocusArea.SCREENING.label)
    supplies = models.TextField(FocusArea.SUPPLIES.label)
    households_visited = _figure(FIGURES["households_visited"])
    people_screened = _figure(FIGURES["people_screened"])
    returnees_found = _figure(FIGURES["returnees_found"])
    checkpoint_vehicles = _figure(FIGURES["checkpoint_vehicles"])
    checkpoint_people = _figure(FIGURES["checkpoint_people"])
    leaflets = _figure(FIGURES["leaflets"])
    submitted_by = models.ForeignKey(
        "communities.User",
        verbose_name=_("submitted by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    idempotency_key = models.CharField(
        _("idempotency key"), max_length=255, blank=True, default="", editable=False
    )
    body_hash = models.CharField(_("body hash"), max_length=64, editable=False, default="")
    # The hash of the body as first posted: a retry of that post is still a retry after amendments.
    posted_hash = models.CharField(_("hash as posted"), max_length=64, editable=False, default="")

    objects = ReportQuerySet.as_manager()
    constraint_error_fields: ClassVar[dict[str, str]] = {"one_per_day": "date"}

    class Meta:
        verbose_name = _("daily report")
        verbose_name_plural = _("daily reports")
        ordering = ["-date", "team_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "date"],
                name="supervision_dailyreport_one_per_day",
                violation_error_message=_("This team has already reported for this day."),
                violation_error_code="one_per_day",
            ),
            # Target of the composite foreign key that keeps a problem with its report's team.
            models.UniqueConstraint(fields=["id", "team"], name="supervision_dailyreport_id_team"),
            models.UniqueConstraint(
                fields=["team", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="supervision_dailyreport_unique_key",
            ),
        ]
        indexes = [models.Index(fields=["date", "team"], name="supervision_report_date_team")]

    def __str__(self) -> str:
        return f"{self.team} · {self.date:%Y-%m-%d}"


class DailyReportRevision(models.Model):
    """A report as it was before an amendment: who changed it, when, and the previous body."""

    report = models.ForeignKey(
        DailyReport, verbose_name=_("report"), on_delete=models.CASCADE, related_name="revisions"
    )
    changed_by = models.ForeignKey(
        "communities.User", verbose_name=_("changed by"), on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)
    previous = models.JSONField(_("previous body"))

    class Meta:
        verbose_name = _("report revision")
        verbose_name_plural = _("report revisions")
        ordering = ["report_id", "-changed_at"]

    def __str__(self) -> str:
        return f"{self.report} · {self.changed_at:%Y-%m-%d %H:%M}"


class Measure(TimeStampedModel):
    """One of the strict-control measures (严查严控30条措施), numbered."""

    number = models.PositiveSmallIntegerField(_("number"), unique=True)
    title = models.CharField(_("title"), max_length=200)
    is_placeholder = models.BooleanField(
        _("placeholder title"),
        default=False,
        help_text=_("The real wording has not been entered yet."),
    )

    class Meta:
        verbose_name = _("strict-control measure")
        verbose_name_plural = _("strict-control measures")
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class MeasureCheck(models.Model):
    """The status of one measure in one community, as a daily report found it."""

    report = models.ForeignKey(
        DailyReport, verbose_name=_("report"), on_delete=models.CASCADE, related_name="checks"
    )
    measure = models.ForeignKey(
        Measure, verbose_name=_("measure"), on_delete=models.PROTECT, related_name="checks"
    )
    community = models.ForeignKey(
        Area, verbose_name=_("community"), on_delete=models.PROTECT, related_name="measure_checks"
    )
    status = models.CharField(_("status"), max_length=16, choices=MeasureStatus.choices)

    class Meta:
        verbose_name = _("measure check")
        verbose_name_plural = _("measure checks")
        ordering = ["report_id", "measure_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "measure", "community"],
                name="supervision_measurecheck_once",
                violation_error_message=_("This measure is already checked for this community."),
            ),
        ]
        indexes = [
            models.Index(fields=["community", "measure"], name="supervision_check_place"),
        ]

    def __str__(self) -> str:
        return f"{self.measure} · {self.community}: {self.get_status_display()}"
