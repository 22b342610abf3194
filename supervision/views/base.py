"""What the supervision pages share: the filters, and whose county an overview shows."""

from django.http import Http404

from communities.choices import AreaLevel, Role
from communities.models import Area
from supervision.filters import DailyReportFilterSet, ProblemFilterSet, TeamFilterSet

__all__ = ["DailyReportFilterSet", "ProblemFilterSet", "TeamFilterSet", "overview_area"]


def overview_area(request) -> Area:
    """The area a county overview covers: the organisation department's county, a township's
    staff their township, an administrator the county chosen by `?county=` (or the first one).
    Anyone else gets a 404."""
    user = request.user
    if user.sees_everything:
        counties = Area.objects.filter(level=AreaLevel.COUNTY).order_by("path")
        chosen = request.GET.get("county", "")
        if chosen.isdigit():
            counties = counties.filter(pk=int(chosen))
        area = counties.first()
    elif user.role in (Role.COUNTY_STAFF, Role.TOWNSHIP_STAFF) and user.area_id:
        area = user.area
    else:
        area = None
    if area is None:
        raise Http404
    return area
