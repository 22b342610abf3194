"""The one rule for showing phone and ID-card numbers.

Lists and exports show them masked (138****1234, 211221********1234) except to those who need
the phone: the secretary of the community a registration is open with (pending, a transfer
request, or confirmed — not one returned or transferred away), the organisation department
(county staff) and administrators. A full ID-card number is never in a list or an export; those
allowed see it on the cadre's page by asking for it (a deliberate action, logged).

Each full value shown on request, and each export that carries full phones, is recorded through
`record_access`: the audit app registers its access log here (`register_access_recorder`), so
this app does not import it.
"""

import logging
from collections.abc import Callable, Iterable

from cadres.choices import OPEN_STATUSES
from communities.models import User

from .validators import mask_id_number, mask_phone

logger = logging.getLogger("cadres.personal_data")

# What `record_access` records: a full ID-card number shown, an export with full phones.
ID_NUMBER_SHOWN = "id_number_shown"
UNMASKED_EXPORT = "unmasked_export"

_access_recorders: list[Callable] = []


def register_access_recorder(recorder: Callable) -> None:
    """`recorder(request_or_user, kind, *, cadre_id=None, export_name="", row_count=None)`."""
    if recorder not in _access_recorders:
        _access_recorders.append(recorder)


def record_access(request_or_user, kind: str, **details) -> None:
    """Every full-value view and unmasked export: logged, and handed to the access log."""
    user = getattr(request_or_user, "user", request_or_user)
    logger.info(
        "personal data shown in full: user=%s cadre=%s kind=%s export=%s rows=%s",
        user.pk,
        details.get("cadre_id"),
        kind,
        details.get("export_name", ""),
        details.get("row_count"),
    )
    for recorder in _access_recorders:
        recorder(request_or_user, kind, **details)


def sees_every_phone(user: User) -> bool:
    return user.sees_everything or user.is_county_staff


def sees_full_phone(user: User, community_id: int | None = None, status: str | None = None) -> bool:
    """Whether `user` sees the full phone of a registration with `community_id` in `status`."""
    if sees_every_phone(user):
        return True
    return (
        user.is_secretary
        and community_id is not None
        and user.area_id == community_id
        and status in OPEN_STATUSES
    )


def shown_phone(user: User, phone: str, community_id: int | None = None, status=None) -> str:
    return phone if sees_full_phone(user, community_id, status) else mask_phone(phone)


def shown_cadre_phone(user: User, phone: str, open_community_ids: Iterable[int]) -> str:
    """A cadre's phone outside any one registration: full to those who see every phone and to
    the secretary of a community the cadre is open with."""
    if sees_every_phone(user) or (user.is_secretary and user.area_id in set(open_community_ids)):
        return phone
    return mask_phone(phone)


def may_reveal_id_number(user: User, community_ids: Iterable[int]) -> bool:
    """Whether `user` may ask for a cadre's full ID number; `community_ids` are the communities
    the cadre is actively registered with."""
    return sees_every_phone(user) or (user.is_secretary and user.area_id in set(community_ids))


def log_id_number_shown(request_or_user, cadre_id: int) -> None:
    """Every full ID number shown is logged: who, from where, whose."""
    record_access(request_or_user, ID_NUMBER_SHOWN, cadre_id=cadre_id)


def shown_id_number(id_number: str | None) -> str:
    return mask_id_number(id_number)


def shown_personal_value(user: User, column: str, value: str) -> str:
    """A value of a stored column as `user` may see it outside any one registration (the audit
    pages): phones in full to those who see every phone, ID-card numbers always masked."""
    if column == "phone" and not sees_every_phone(user):
        return mask_phone(value)
    if column == "id_number":
        return mask_id_number(value)
    return value
