"""The one rule for showing phone and ID-card numbers.

Lists and exports show them masked (138****1234, 211221********1234) except to those who need
the phone: the secretary of the community a registration is open with (pending, a transfer
request, or confirmed — not one returned or transferred away), the organisation department
(county staff) and administrators. A full ID-card number is never in a list or an export; those
allowed see it on the cadre's page by asking for it (a deliberate action, logged).
"""

import logging
from collections.abc import Iterable

from cadres.choices import OPEN_STATUSES
from communities.models import User

from .validators import mask_id_number, mask_phone

logger = logging.getLogger("cadres.personal_data")


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


def log_id_number_shown(user: User, cadre_id: int) -> None:
    """Every full ID number shown is logged: who, whose."""
    logger.info("full ID-card number shown: user=%s cadre=%s", user.pk, cadre_id)


def shown_id_number(id_number: str | None) -> str:
    return mask_id_number(id_number)
