"""The one rule for showing phone and ID-card numbers.

Lists and exports show them masked (138****1234, 211221********1234) except to those who need
the phone: the secretary of the community a registration is with, the organisation department
(county staff) and administrators. A full ID-card number is never in a list or an export; those
allowed see it on the cadre's page by asking for it (a deliberate action).
"""

from communities.models import User

from .validators import mask_id_number, mask_phone


def sees_full_phone(user: User, community_id: int | None = None) -> bool:
    if user.sees_everything or user.is_county_staff:
        return True
    return user.is_secretary and community_id is not None and user.area_id == community_id


def may_reveal_id_number(user: User, community_ids: set[int]) -> bool:
    """Whether `user` may ask for a cadre's full ID number; `community_ids` are the communities
    the cadre is actively registered with."""
    return (
        user.sees_everything
        or user.is_county_staff
        or (user.is_secretary and user.area_id in community_ids)
    )


def shown_phone(user: User, phone: str, community_id: int | None = None) -> str:
    return phone if sees_full_phone(user, community_id) else mask_phone(phone)


def shown_id_number(id_number: str | None) -> str:
    return mask_id_number(id_number)
