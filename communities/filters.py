"""One FilterSet per list: the browser, the API and exports share them."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from communities.choices import AreaLevel, EstateKind
from communities.models import Area, Building, Estate, Grid, Unit


class SearchFilterSet(django_filters.FilterSet):
    """A FilterSet with a `q` search over `search_fields`."""

    search_fields: tuple[str, ...] = ("name",)
    q = django_filters.CharFilter(label=_("Search"), method="filter_q")

    def filter_q(self, queryset, name, value):
        condition = Q()
        for field in self.search_fields:
            condition |= Q(**{f"{field}__icontains": value})
        return queryset.filter(condition)


class AreaFilterSet(SearchFilterSet):
    level = django_filters.ChoiceFilter(label=_("Level"), choices=AreaLevel.choices)
    parent = django_filters.NumberFilter(label=_("Parent area"), field_name="parent_id")
    under = django_filters.NumberFilter(label=_("Under area"), method="filter_under")

    class Meta:
        model = Area
        fields = ["level", "parent", "under", "q"]

    def filter_under(self, queryset, name, value):
        path = Area.objects.filter(pk=value).values("path")
        return queryset.filter(path__startswith=path[:1])


class EstateFilterSet(SearchFilterSet):
    community = django_filters.NumberFilter(label=_("Community"), field_name="community_id")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=EstateKind.choices)

    class Meta:
        model = Estate
        fields = ["community", "kind", "q"]


class BuildingFilterSet(SearchFilterSet):
    search_fields = ("name", "estate__name")
    community = django_filters.NumberFilter(label=_("Community"), field_name="community_id")
    estate = django_filters.NumberFilter(label=_("Estate"), field_name="estate_id")
    grid = django_filters.NumberFilter(label=_("Grid"), field_name="grids")

    class Meta:
        model = Building
        fields = ["community", "estate", "grid", "q"]


class UnitFilterSet(django_filters.FilterSet):
    community = django_filters.NumberFilter(
        label=_("Community"), field_name="building__community_id"
    )
    estate = django_filters.NumberFilter(label=_("Estate"), field_name="building__estate_id")
    building = django_filters.NumberFilter(label=_("Building"), field_name="building_id")

    class Meta:
        model = Unit
        fields = ["community", "estate", "building"]


class GridFilterSet(SearchFilterSet):
    community = django_filters.NumberFilter(label=_("Community"), field_name="community_id")

    class Meta:
        model = Grid
        fields = ["community", "q"]
