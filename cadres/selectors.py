"""Reads of the cadres app that pages, the API and exports share. Each takes an already scoped
queryset and adds what its list shows in a fixed number of queries, whatever the row count."""

from dataclasses import dataclass, field

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from cadres.choices import ACTIVE_STATUSES, UNDECIDED_STATUSES, PostKind, RegistrationStatus
from cadres.models import Cadre, Post, Registration
from communities.models import Area, Building, Estate, Grid, Unit

# Pending first, then transfer requests, confirmed, and the closed ones last.
STATUS_ORDER = Case(
    When(status=RegistrationStatus.PENDING, then=Value(0)),
    When(status=RegistrationStatus.TRANSFER_REQUESTED, then=Value(1)),
    When(status=RegistrationStatus.CONFIRMED, then=Value(2)),
    default=Value(3),
    output_field=IntegerField(),
)

PLACE_RELATIONS = ("estate", "grid", "building__estate", "unit__building__estate")


def active_posts() -> QuerySet:
    return Post.objects.active().select_related(*PLACE_RELATIONS).order_by("kind", "id")


def registrations_for_list(queryset: QuerySet) -> QuerySet:
    """Registrations with everything a workbench row shows, pending first."""
    return (
        queryset.select_related(
            "cadre__work_unit", "community", "building__estate", "unit__building__estate"
        )
        .prefetch_related(Prefetch("posts", queryset=active_posts(), to_attr="active_posts"))
        .order_by(STATUS_ORDER, "-created_at", "-id")
    )


def count_of(queryset: QuerySet, group_by: str) -> Coalesce:
    """A correlated COUNT(*) of `queryset` (already filtered on an OuterRef through
    `group_by`), for annotating a list in one query."""
    counted = queryset.order_by().values(group_by).annotate(n=Count("*")).values("n")[:1]
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def communities_with_registration_counts(communities: QuerySet) -> QuerySet:
    """Per community: registered (active), confirmed, undecided, units covered and all units."""
    registrations = Registration.objects.filter(community=OuterRef("pk")).order_by()

    units = Unit.objects.filter(building__community=OuterRef("pk")).order_by()
    covered = Post.objects.active().filter(kind=PostKind.UNIT_CHIEF, unit=OuterRef("pk"))
    return communities.annotate(
        registered_count=count_of(registrations.filter(status__in=ACTIVE_STATUSES), "community"),
        confirmed_count=count_of(
            registrations.filter(status=RegistrationStatus.CONFIRMED), "community"
        ),
        undecided_count=count_of(registrations.filter(status__in=UNDECIDED_STATUSES), "community"),
        unit_count=count_of(units, "building__community"),
        covered_unit_count=count_of(units.filter(Exists(covered)), "building__community"),
    ).order_by("path")


def _with_chief(queryset: QuerySet, kind: str) -> QuerySet:
    """Each place with its active chief, by one LEFT JOIN: the database allows at most one."""
    chief = FilteredRelation("posts", condition=Q(posts__kind=kind, posts__ended_at__isnull=True))
    return queryset.annotate(chief_post=chief).annotate(
        chief_name=F("chief_post__registration__cadre__name"),
        chief_registration_id=F("chief_post__registration_id"),
        chief_post_id=F("chief_post__id"),
    )


@dataclass
class BuildingGaps:
    building: Building
    units: list = field(default_factory=list)
    group: object = None  # the building's Party group, when the page asks for it

    @property
    def covered_units(self) -> int:
        return sum(1 for unit in self.units if unit.chief_name)


@dataclass
class CommunityGaps:
    """Every building and unit of a community with its chief, or nobody yet."""

    community: Area
    buildings: list[BuildingGaps]
    estates: list
    grids: list

    @property
    def unit_count(self) -> int:
        return sum(len(b.units) for b in self.buildings)

    @property
    def covered_unit_count(self) -> int:
        return sum(b.covered_units for b in self.buildings)

    @property
    def building_count(self) -> int:
        return len(self.buildings)

    @property
    def covered_building_count(self) -> int:
        return sum(1 for b in self.buildings if b.building.chief_name)


def community_gaps(community: Area) -> CommunityGaps:
    """The gap view in four queries: zones, grids, buildings and units with their chiefs."""
    buildings = _with_chief(
        Building.objects.filter(community=community).select_related("estate"),
        PostKind.BUILDING_CHIEF,
    )
    rows = {b.pk: BuildingGaps(building=b) for b in buildings}
    units = _with_chief(Unit.objects.filter(building__community=community), PostKind.UNIT_CHIEF)
    for unit in units:
        unit.building = rows[unit.building_id].building
        rows[unit.building_id].units.append(unit)
    return CommunityGaps(
        community=community,
        buildings=list(rows.values()),
        estates=list(_with_chief(Estate.objects.filter(community=community), PostKind.ZONE_CHIEF)),
        grids=list(_with_chief(Grid.objects.filter(community=community), PostKind.ZONE_CHIEF)),
    )


def cadres_with_service(queryset: QuerySet) -> QuerySet:
    """Cadres with their active registration (where, since when, which posts); those registered
    nowhere first — the list a work unit checks its roster against."""
    active = Registration.objects.active().filter(cadre=OuterRef("pk"))
    return (
        queryset.select_related("work_unit")
        .annotate(is_registered=Exists(active))
        .prefetch_related(
            Prefetch(
                "registrations",
                queryset=Registration.objects.active()
                .select_related("community", "building__estate", "unit__building__estate")
                .prefetch_related(
                    Prefetch("posts", queryset=active_posts(), to_attr="active_posts")
                ),
                to_attr="active_registrations",
            )
        )
        .order_by("is_registered", "name_initials", "name", "id")
    )


def work_units_with_counts(units: QuerySet) -> QuerySet:
    """Per work unit: cadres, registered (active), confirmed, and registered nowhere."""
    cadres = Cadre.objects.filter(work_unit=OuterRef("pk")).order_by()

    active = Registration.objects.active().filter(cadre=OuterRef("pk"))
    confirmed = Registration.objects.filter(
        cadre=OuterRef("pk"), status=RegistrationStatus.CONFIRMED
    )
    return units.select_related("parent").annotate(
        cadre_count=count_of(cadres, "work_unit"),
        registered_count=count_of(cadres.filter(Exists(active)), "work_unit"),
        confirmed_count=count_of(cadres.filter(Exists(confirmed)), "work_unit"),
        unregistered_count=count_of(cadres.filter(~Exists(active)), "work_unit"),
    )


def registration_history(cadre: Cadre) -> QuerySet:
    return (
        cadre.registrations.select_related("community", "building__estate", "decided_by")
        .prefetch_related(
            Prefetch(
                "posts", queryset=Post.objects.select_related(*PLACE_RELATIONS).order_by("-id")
            )
        )
        .order_by("-created_at")
    )


__all__ = [
    "STATUS_ORDER",
    "CommunityGaps",
    "cadres_with_service",
    "communities_with_registration_counts",
    "community_gaps",
    "registration_history",
    "registrations_for_list",
    "work_units_with_counts",
]
