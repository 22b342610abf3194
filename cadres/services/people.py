"""Writes of work units and cadres."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from cadres.models import Cadre, WorkUnit
from communities.models import User

from .base import locked_for


@transaction.atomic
def work_unit_save(*, actor: User, work_unit: WorkUnit) -> WorkUnit:
    """Creates or changes a work unit of a county the actor runs."""
    message = _("Only the county's organisation department changes its work units.")
    if work_unit.pk is not None:
        locked_for(WorkUnit, actor, work_unit.pk, message)
    if not (
        actor.sees_everything or (actor.is_county_staff and actor.area_id == work_unit.county_id)
    ):
        raise PermissionDenied(message)
    work_unit.full_clean()
    work_unit.save()
    return work_unit


@transaction.atomic
def cadre_save(*, actor: User, cadre: Cadre) -> Cadre:
    """Creates or changes a cadre's own details (not their registrations)."""
    message = _("You may not change this member's details.")
    if cadre.pk is not None:
        locked_for(Cadre, actor, cadre.pk, message)
    elif not WorkUnit.objects.editable_by(actor).filter(pk=cadre.work_unit_id).exists():
        raise PermissionDenied(message)
    cadre.full_clean()
    cadre.save()
    return cadre
