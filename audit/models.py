"""The audit trail: one pghistory event model per tracked model, all living in this app, a view
that lists them together, and the access log of personal data shown in full.

Every event table is append-only: a trigger of ours refuses UPDATE, DELETE and TRUNCATE. The
one exception is `anonymise_emergency`, which sets `app.anonymising` for its transaction; the
trigger then accepts an UPDATE that changes nothing but the personal columns named here.
"""

import pghistory
import pgtrigger
from django.db import models
from django.utils.translation import gettext_lazy as _

from appraisal.models import Appraisal, Commendation, Period, Quota
from audit.tracking import trackers
from cadres.models import Branch, BranchMember, Cadre, Post, Registration
from supervision.models import DailyReport, Problem, ProblemStep, Team, TeamMember
from supplies.models import LedgerEntry

ANONYMISING_SETTING = "app.anonymising"
ALLOW_TRUNCATE_SETTING = "app.allow_truncate"


class AuditQuerySet(models.QuerySet):
    """Scope by the area path stored on the row itself: the organisation department sees its
    county's rows, administrators all, everyone else nothing."""

    def visible_to(self, user) -> "AuditQuerySet":
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.sees_everything:
            return self
        if user.is_county_staff and user.area_id is not None:
            return self.filter(area_path__startswith=user.area.path)
        return self.none()


class AuditEventBase(pghistory.models.Event):
    """What every event row holds besides the tracked row's own columns."""

    # NULL when the row leads to no area (the trigger found none): such events are for admins.
    pgh_area_path = models.CharField(_("area"), max_length=255, null=True, db_index=True)  # noqa: DJ001
    pgh_diff = models.JSONField(_("changes"), null=True)

    class Meta:
        abstract = True


def append_only_triggers(personal_columns: tuple[str, ...]) -> list[pgtrigger.Trigger]:
    """UPDATE and DELETE refused row by row, TRUNCATE by statement; while anonymising, an UPDATE
    that changes only `personal_columns` (and the diff, which may copy them) is let through."""
    allowed = ", ".join(f"'{column}'" for column in (*personal_columns, "pgh_diff"))
    return [
        pgtrigger.Trigger(
            name="append_only",
            when=pgtrigger.Before,
            operation=pgtrigger.Update | pgtrigger.Delete,
            func=(
                f"IF TG_OP = 'UPDATE' AND current_setting('{ANONYMISING_SETTING}', true) = 'on' "
                f"AND (to_jsonb(NEW) - ARRAY[{allowed}]::text[]) "
                f"= (to_jsonb(OLD) - ARRAY[{allowed}]::text[]) THEN RETURN NEW; END IF; "
                "RAISE EXCEPTION 'audit events are append-only: % on % refused', "
                "TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';"
            ),
        ),
        pgtrigger.Trigger(
            name="no_truncate",
            when=pgtrigger.Before,
            operation=pgtrigger.Truncate,
            level=pgtrigger.Statement,
            # The test suite's flush between transactional tests truncates every table: its
            # connections set ALLOW_TRUNCATE_SETTING (config/settings/test.py), production's never.
            func=(
                f"IF current_setting('{ALLOW_TRUNCATE_SETTING}', true) = 'on' THEN RETURN NULL; "
                "END IF; "
                "RAISE EXCEPTION 'audit events are append-only: TRUNCATE of % refused', "
                "TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';"
            ),
        ),
    ]


# The personal columns of each tracked model: blanked by `anonymise_emergency`, masked on the
# audit pages by the rule in `cadres.personal_data`.
PERSONAL_COLUMNS: dict[type[models.Model], tuple[str, ...]] = {
    Cadre: ("name", "phone", "id_number", "name_initials"),
    Registration: ("room", "return_reason"),
}

# Each tracked model, the foreign keys from its row to the area it belongs to, and its event
# model's name.
TRACKED: list[tuple[type[models.Model], tuple[str, ...], str]] = [
    (Cadre, ("work_unit", "county"), "CadreEvent"),
    (Registration, ("community",), "RegistrationEvent"),
    (Post, ("community",), "PostEvent"),
    (Branch, ("area",), "BranchEvent"),
    (BranchMember, ("branch", "area"), "BranchMemberEvent"),
    (Team, ("county",), "TeamEvent"),
    (TeamMember, ("team", "county"), "TeamMemberEvent"),
    (DailyReport, ("team", "county"), "DailyReportEvent"),
    (Problem, ("community",), "ProblemEvent"),
    (ProblemStep, ("problem", "community"), "ProblemStepEvent"),
    (Period, ("county",), "PeriodEvent"),
    (Appraisal, ("period", "county"), "AppraisalEvent"),
    (Quota, ("period", "county"), "QuotaEvent"),
    (Commendation, ("cadre", "work_unit", "county"), "CommendationEvent"),
    (LedgerEntry, ("county",), "LedgerEntryEvent"),
]


def _event_model(model, chain, name):
    return pghistory.create_event_model(
        model,
        *trackers(chain),
        base_model=AuditEventBase,
        context_field=pghistory.ContextJSONField(),
        append_only=False,  # ours below, with the anonymising exception
        model_name=name,
        app_label="audit",
        abstract=False,
        meta={
            "verbose_name": model._meta.verbose_name,
            "ordering": ["-pgh_created_at", "-pgh_id"],
            "indexes": [models.Index(fields=["pgh_created_at"], name=f"audit_{name.lower()}_at")],
            "triggers": append_only_triggers(PERSONAL_COLUMNS.get(model, ())),
        },
    )


EVENT_MODELS: dict[type[models.Model], type[AuditEventBase]] = {
    model: _event_model(model, chain, name) for model, chain, name in TRACKED
}
# The module-level names makemigrations and imports look for.
globals().update({event._meta.object_name: event for event in EVENT_MODELS.values()})


class AuditEntry(models.Model):
    """One event of any tracked model: a row of the `audit_entry` view, a UNION ALL of every
    event table (see `audit.views_sql`). Read only."""

    # The view's columns are NULL where the event has no such context (no user, no request).
    id = models.CharField(primary_key=True, max_length=80)
    model = models.CharField(_("record type"), max_length=60)
    event_id = models.IntegerField()
    created_at = models.DateTimeField(_("when"))
    action = models.CharField(_("action"), max_length=10)
    object_id = models.CharField(_("object id"), max_length=40)
    area_path = models.CharField(max_length=255, null=True)  # noqa: DJ001
    user_id = models.IntegerField(_("user id"), null=True)
    username = models.CharField(_("user"), max_length=150, null=True)  # noqa: DJ001
    address = models.CharField(_("IP address"), max_length=64, null=True)  # noqa: DJ001
    method = models.CharField(_("method"), max_length=10, null=True)  # noqa: DJ001
    url = models.CharField(_("URL"), max_length=2000, null=True)  # noqa: DJ001
    command = models.CharField(_("command"), max_length=100, null=True)  # noqa: DJ001
    diff = models.JSONField(null=True)
    data = models.JSONField()

    objects = AuditQuerySet.as_manager()

    class Meta:
        managed = False
        db_table = "audit_entry"
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-created_at", "-event_id"]

    def __str__(self) -> str:
        return f"{self.model} {self.object_id} {self.action}"


class AccessKind(models.TextChoices):
    ID_NUMBER_SHOWN = "id_number_shown", _("Full ID-card number shown")
    UNMASKED_EXPORT = "unmasked_export", _("Unmasked export")


class AccessLog(models.Model):
    """A view of personal data in full: a full ID-card number shown, an export with full phones.
    Written by `audit.access.record` only; append-only like the events."""

    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        "communities.User",
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    username = models.CharField(_("user"), max_length=150, blank=True)
    address = models.CharField(_("IP address"), max_length=64, blank=True)
    kind = models.CharField(_("what"), max_length=20, choices=AccessKind.choices)
    export_name = models.CharField(_("export"), max_length=100, blank=True)
    row_count = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    # No foreign key: the log outlives what it names.
    cadre_id = models.IntegerField(_("cadre id"), null=True, blank=True)
    # Scope: the area of the viewer, so the county that holds it sees it.
    area_path = models.CharField(max_length=255, blank=True, db_index=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data accesses")
        ordering = ["-created_at", "-id"]
        triggers = append_only_triggers(())

    def __str__(self) -> str:
        return f"{self.username} {self.kind} {self.created_at:%Y-%m-%d %H:%M}"
