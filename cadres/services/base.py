"""What the cadres services share: locking the rows the actor may change."""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model
from django.utils.translation import gettext as _

from cadres.models import Registration
from communities.models import User


def locked_for(model: type[Model], actor: User, pk: int, message: str):
    """The row `pk` if `actor` may change it, locked until the transaction ends."""
    row = model.objects.editable_by(actor).select_for_update(of=("self",)).filter(pk=pk).first()
    if row is None:
        raise PermissionDenied(message)
    return row


def lock_registrations(actor: User, registrations: Iterable[Registration]) -> list[Registration]:
    ids = sorted({r.pk for r in registrations})
    if not ids:
        raise ValidationError(_("Choose at least one registration."), code="empty")
    locked = list(
        Registration.objects.editable_by(actor)
        .select_for_update(of=("self",))
        .filter(pk__in=ids)
        .select_related("cadre")
        .order_by("pk")
    )
    if len(locked) != len(ids):
        raise PermissionDenied(_("You may only decide registrations of your own community."))
    return locked
