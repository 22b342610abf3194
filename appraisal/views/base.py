"""What the appraisal pages share: whose period it is, who enters inputs, and how a form hands
its data to a service."""

from collections.abc import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from appraisal.models import Period
from cadres.choices import PostKind
from cadres.views.base import add_service_errors, lost_race_message
from communities.choices import Role

# Appraisals with an input still missing.
MISSING = {
    "inspection": Q(inspection_score__isnull=True),
    "talk": Q(talk_score__isnull=True),
    "evaluation": Q(satisfied=0, basically_satisfied=0, unsatisfied=0),
}
ANY_MISSING = MISSING["inspection"] | MISSING["talk"] | MISSING["evaluation"]


def visible_period(user, pk: int) -> Period:
    return get_object_or_404(Period.objects.visible_to(user).select_related("county"), pk=pk)


def manages(user, period: Period) -> bool:
    """Whether the user runs the period (the organisation department of its county, admins)."""
    return Period.objects.managed_by(user).filter(pk=period.pk).exists()


def enters_inputs(user) -> bool:
    """Whether the user's role enters any input at all (which ones, `services.may_enter` says
    per appraisal)."""
    return user.sees_everything or user.role in (
        Role.COUNTY_STAFF,
        Role.SECRETARY,
        Role.TEAM_MEMBER,
    )


def post_labels(kinds: list[str] | None) -> list[str]:
    """The posts a cadre held, from the selector's list of kinds: each named once."""
    return [PostKind(kind).label for kind in dict.fromkeys(kinds or [])]


def call_service(form, action: Callable[[], object]) -> bool:
    """Runs `action()` for a form: a ValidationError goes onto the form (on the field it names),
    a lost race becomes the project's message, a refusal a 404. True when it succeeded."""
    try:
        action()
    except ValidationError as error:
        add_service_errors(form, error)
        return False
    except IntegrityError:
        form.add_error(None, lost_race_message())
        return False
    except PermissionDenied as error:
        raise Http404 from error
    return True
