"""The access log: the one function that records a view of personal data in full."""

from django.http import HttpRequest

from audit.context import client_address
from audit.models import AccessKind, AccessLog


def record(
    request_or_user,
    kind: AccessKind,
    *,
    cadre_id: int | None = None,
    export_name: str = "",
    row_count: int | None = None,
) -> AccessLog:
    """Records that the user of `request_or_user` saw personal data in full: a full ID-card
    number (`cadre_id` whose), or an export with full phones (`export_name`, `row_count`)."""
    if isinstance(request_or_user, HttpRequest) or hasattr(request_or_user, "META"):
        user, address = request_or_user.user, client_address(request_or_user)
    else:
        user, address = request_or_user, ""
    return AccessLog.objects.create(
        user=user if user.is_authenticated else None,
        username=user.get_username() if user.is_authenticated else "",
        address=address,
        kind=kind,
        export_name=str(export_name)[:100],
        row_count=row_count,
        cadre_id=cadre_id,
        area_path=user.area.path if getattr(user, "area_id", None) else "",
    )
