"""Reads of the communities app that are reused or not trivial."""

from django.db.models import F, Func, IntegerField, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce

from communities.choices import AreaLevel
from communities.models import Area, Building, Estate, Grid, Unit, User


def _rollup(queryset: QuerySet, path_lookup: str, function: str = "COUNT", field: str = "pk"):
    """A correlated subquery totalling rows that lie under the outer area, at any depth."""
    total = (
        queryset.filter(**{path_lookup: OuterRef("path")})
        .order_by()
        .values(total=Func(F(field), function=function, output_field=IntegerField()))
    )
    return Coalesce(Subquery(total, output_field=IntegerField()), 0)


def areas_with_totals(areas: QuerySet[Area]) -> QuerySet[Area]:
    """Each area with what lies under it: communities, estates, buildings, units, households,
    grids. One query, whatever the number of areas."""
    return areas.annotate(
        community_count=_rollup(Area.objects.filter(level=AreaLevel.COMMUNITY), "path__startswith"),
        estate_count=_rollup(Estate.objects.all(), "community__path__startswith"),
        building_count=_rollup(Building.objects.all(), "community__path__startswith"),
        unit_count=_rollup(Unit.objects.all(), "building__community__path__startswith"),
        household_count=_rollup(
            Unit.objects.all(), "building__community__path__startswith", "SUM", "households"
        ),
        grid_count=_rollup(Grid.objects.all(), "community__path__startswith"),
    )


def home_areas_for(user: User) -> QuerySet[Area]:
    """The areas a user's home page starts from: their own, or the roots for administrators."""
    areas = Area.objects.visible_to(user)
    if user.sees_everything:
        return areas.filter(parent__isnull=True)
    return areas.filter(pk=user.area_id)


def community_layout(community: Area) -> dict:
    """A community's estates with their buildings and units, loose buildings, and grids."""
    buildings = Building.objects.select_related("estate").prefetch_related(
        Prefetch("units", queryset=Unit.objects.order_by("number"))
    )
    estates = Estate.objects.filter(community=community).prefetch_related(
        Prefetch("buildings", queryset=buildings)
    )
    grids = Grid.objects.filter(community=community).prefetch_related(
        Prefetch("buildings", queryset=Building.objects.all())
    )
    return {
        "estates": list(estates),
        "loose_buildings": list(buildings.filter(community=community, estate__isnull=True)),
        "grids": list(grids),
    }
