"""The audit trail's entry in the navigation bar, registered from `AuditConfig.ready()`."""

from django.utils.translation import gettext_lazy as _

from communities.navigation import NavEntry, register


def sees_audit(user) -> bool:
    """The organisation department (its county) and administrators (everything)."""
    return user.is_authenticated and (user.sees_everything or user.is_county_staff)


def register_navigation() -> None:
    register(NavEntry(_("Audit trail"), "audit:events", shown=sees_audit))
