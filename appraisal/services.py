"""Writes of the appraisal. Each input has its own people: the supervision teams the on-site
inspection of the cadres serving where they cover, a community's secretary the talk and the
residents' counts of the cadres serving in their community, the county's organisation department
everything (it consolidates what arrives on paper) and alone the final grade and opinion.

A closed period changes no more (the database refuses too). A final 优秀 beyond the work unit's
quota is refused with the unit, the quota and who holds it, under the quota row's lock (which
the database's trigger takes as well)."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.db.models.lookups import StartsWith
from django.utils import timezone
from django.utils.translation import gettext as _

from cadres.choices import RegistrationStatus
from cadres.models import Cadre, Registration, WorkUnit
from communities.choices import Role
from communities.models import User
from supervision.models import TeamCoverage

from .choices import Grade, Input, PeriodStatus
from .models import Appraisal, Commendation, Period, Quota

INPUT_FIELDS = {
    Input.INSPECTION: ("inspection_score", "inspection_note"),
    Input.TALK: ("talk_score", "talk_note"),
    Input.EVALUATION: ("satisfied", "basically_satisfied", "unsatisfied"),
    Input.GRADE: ("final_grade", "opinion"),
}
STAMPS = {
    Input.INSPECTION: ("inspection_by", "inspection_at"),
    Input.TALK: ("talk_by", "talk_at"),
    Input.EVALUATION: ("evaluation_by", "evaluation_at"),
    Input.GRADE: ("graded_by", "graded_at"),
}
FIELD_INPUT = {field: what for what, fields in INPUT_FIELDS.items() for field in fields}
SERVING = (RegistrationStatus.CONFIRMED, RegistrationStatus.TRANSFERRED)


def ensure_open(period: Period) -> None:
    if period.is_closed:
        raise ValidationError(
            _("The period “%(period)s” is closed: nothing in it can change.") % {"period": period}
        )


def ensure_manages(actor: User, period: Period) -> None:
    if not Period.objects.managed_by(actor).filter(pk=period.pk).exists():
        raise PermissionDenied(_("Only the organisation department of the county runs this."))


def may_enter(actor: User, appraisal: Appraisal, what: str) -> bool:
    """Whether the user may enter this input of this appraisal (they see it, in any case)."""
    if not actor.is_authenticated or not actor.is_active:
        return False
    if actor.sees_everything:
        return True
    if actor.is_county_staff:
        return actor.area_id == appraisal.period.county_id
    if what == Input.INSPECTION and actor.role == Role.TEAM_MEMBER:
        return TeamCoverage.objects.filter(
            StartsWith(Value(appraisal.community.path), F("area__path")), team__accounts=actor
        ).exists()
    if what in (Input.TALK, Input.EVALUATION) and actor.is_secretary:
        return actor.area_id == appraisal.community_id
    return False


def inputs_for(actor: User, appraisal: Appraisal) -> list[str]:
    """The inputs the user may enter on this appraisal, in the order of the form."""
    if appraisal.period.is_closed:
        return []
    return [what for what in Input if may_enter(actor, appraisal, what)]


# --- periods ----------------------------------------------------------------------------------


def serving_registrations(period: Period):
    """Registrations through which a cadre of the county served at some time in the period
    (from when it was confirmed, or made when that is not recorded)."""
    return (
        Registration.objects.annotate(served_from=Coalesce("decided_at", "created_at"))
        .filter(
            cadre__work_unit__county=period.county_id,
            status__in=SERVING,
            served_from__date__lte=period.ends_on,
        )
        .exclude(ended_at__date__lt=period.starts_on)
    )


@transaction.atomic
def period_save(*, actor: User, period: Period) -> Period:
    """Creates a period (and the appraisals of the cadres serving in it) or changes an open
    one: the county's organisation department or an administrator."""
    if not (actor.sees_everything or (actor.is_county_staff and actor.area_id == period.county_id)):
        raise PermissionDenied(_("Only the organisation department of the county runs this."))
    created = period.pk is None
    if not created:
        stored = Period.objects.select_for_update().get(pk=period.pk)
        ensure_open(stored)
        if stored.county_id != period.county_id:
            raise ValidationError({"county": _("A period stays with its county.")})
    period.full_clean()
    period.save()
    if created:
        appraisals_sync(actor=actor, period=period)
    return period


@transaction.atomic
def appraisals_sync(*, actor: User, period: Period) -> int:
    """Adds an appraisal for every cadre who served in the period and has none yet: their work
    unit now, and the community they served in last. Returns how many were added."""
    ensure_manages(actor, period)
    ensure_open(period)
    latest = (
        serving_registrations(period)
        .exclude(cadre__appraisals__period=period)
        .order_by("cadre_id", "-served_from")
        .distinct("cadre_id")
        .values_list("cadre_id", "cadre__work_unit_id", "community_id")
    )
    new = [
        Appraisal(period=period, cadre_id=cadre, work_unit_id=unit, community_id=community)
        for cadre, unit, community in latest.iterator(chunk_size=2000)
    ]
    Appraisal.objects.bulk_create(new, batch_size=2000, ignore_conflicts=True)
    return len(new)


@transaction.atomic
def period_close(*, actor: User, period: Period) -> Period:
    """Closes a period for good: its appraisals, quotas and commendations are final."""
    period = Period.objects.select_for_update().get(pk=period.pk)
    ensure_manages(actor, period)
    ensure_open(period)
    period.status = PeriodStatus.CLOSED
    period.closed_at = timezone.now()
    period.closed_by = actor
    period.save(update_fields=["status", "closed_at", "closed_by", "updated_at"])
    return period


# --- inputs -----------------------------------------------------------------------------------


def excellent_holders(period_id: int, work_unit_id: int, *, but: int | None = None) -> list[str]:
    """The names of the unit's cadres graded 优秀 in the period (but one appraisal)."""
    holders = Appraisal.objects.filter(
        period=period_id, work_unit=work_unit_id, final_grade=Grade.EXCELLENT
    ).exclude(pk=but)
    return list(holders.order_by("cadre__name").values_list("cadre__name", flat=True))


def _check_quota(appraisal: Appraisal) -> None:
    """Refuses a final 优秀 beyond the unit's quota; the quota row stays locked until commit,
    so whoever confirms next waits and counts this one."""
    quota = (
        Quota.objects.select_for_update()
        .filter(period=appraisal.period_id, work_unit=appraisal.work_unit_id)
        .first()
    )
    places = quota.excellent if quota else 0
    holders = excellent_holders(appraisal.period_id, appraisal.work_unit_id, but=appraisal.pk)
    if len(holders) < places:
        return
    values = {
        "unit": appraisal.work_unit.name,
        "period": appraisal.period.name,
        "places": places,
        "holders": "、".join(holders),
    }
    if not places:
        message = _("%(unit)s has no “excellent” quota in %(period)s.") % values
    else:
        message = (
            _("%(unit)s has %(places)s “excellent” places in %(period)s, all taken: %(holders)s.")
            % values
        )
    raise ValidationError({"final_grade": message})


@transaction.atomic
def appraisal_update(*, actor: User, appraisal: Appraisal, changes: dict) -> Appraisal:
    """Enters any of the inputs (fields of INPUT_FIELDS): each changed input needs its people,
    and is stamped with who and when. Unchanged values are left alone (an upload of a sheet
    with a few changed cells changes those)."""
    unknown = set(changes) - set(FIELD_INPUT)
    if unknown:
        raise ValueError(f"not an input: {sorted(unknown)}")
    appraisal = (
        Appraisal.objects.select_for_update(of=("self",))
        .select_related("period", "community", "work_unit", "cadre")
        .get(pk=appraisal.pk)
    )
    ensure_open(appraisal.period)
    changed = {
        field: value for field, value in changes.items() if getattr(appraisal, field) != value
    }
    if not changed:
        return appraisal
    touched = {FIELD_INPUT[field] for field in changed}
    for what in touched:
        if not may_enter(actor, appraisal, what):
            raise PermissionDenied(
                _("You may not enter the %(input)s of this cadre.") % {"input": Input(what).label}
            )
    for field, value in changed.items():
        setattr(appraisal, field, value)
    now = timezone.now()
    stamps = []
    for what in touched:
        by, at = STAMPS[what]
        setattr(appraisal, by, actor)
        setattr(appraisal, at, now)
        stamps += [by, at]
    if changed.get("final_grade") == Grade.EXCELLENT:
        _check_quota(appraisal)
    appraisal.full_clean(exclude=["period", "cadre", "work_unit", "community"])
    appraisal.save(update_fields=[*changed, *stamps, "updated_at"])
    return appraisal


# --- quotas and commendations -------------------------------------------------------------------


@transaction.atomic
def quota_set(*, actor: User, period: Period, work_unit: WorkUnit, excellent: int) -> Quota:
    """Sets a unit's 优秀 places in a period; never below the 优秀 already given."""
    period = Period.objects.get(pk=period.pk)
    ensure_manages(actor, period)
    ensure_open(period)
    if work_unit.county_id != period.county_id:
        raise ValidationError({"work_unit": _("This work unit is of another county.")})
    quota = Quota.objects.select_for_update().filter(period=period, work_unit=work_unit).first()
    quota = quota or Quota(period=period, work_unit=work_unit)
    holders = excellent_holders(period.pk, work_unit.pk)
    if excellent < len(holders):
        raise ValidationError(
            {
                "excellent": _("%(count)s cadres are already graded “excellent”: %(holders)s.")
                % {"count": len(holders), "holders": "、".join(holders)}
            }
        )
    quota.excellent = excellent
    quota.full_clean()
    quota.save()
    return quota


@transaction.atomic
def commendation_add(
    *,
    actor: User,
    cadre: Cadre,
    kind: str,
    awarded_on: date,
    reason: str,
    approver: str,
    period: Period | None = None,
) -> Commendation:
    """Records a commendation (嘉奖, 记功): the organisation department of the cadre's county.
    No ratio limits them."""
    county_id = cadre.work_unit.county_id
    if not (actor.sees_everything or (actor.is_county_staff and actor.area_id == county_id)):
        raise PermissionDenied(_("Only the organisation department of the county runs this."))
    if period is not None:
        ensure_open(period)
        if period.county_id != county_id:
            raise ValidationError({"period": _("This period is of another county.")})
    if awarded_on > timezone.localdate():
        raise ValidationError({"awarded_on": _("The date cannot be in the future.")})
    commendation = Commendation(
        cadre=cadre,
        period=period,
        kind=kind,
        awarded_on=awarded_on,
        reason=reason.strip(),
        approver=approver.strip(),
        recorded_by=actor,
    )
    commendation.full_clean()
    commendation.save()
    return commendation
