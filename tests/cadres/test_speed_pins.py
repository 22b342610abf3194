"""The SQL queries of the cadres pages, pinned exactly at two sizes (issue 3, "Speed"): a page
whose count grew with its rows fails at the larger size, and one that gained or lost a query
fails at both. How long the pages take is measured in benchmarks/workbench.py, not here.

Every pin starts with the two queries of any logged-in request: the session and its user.
"""

from datetime import date

import pytest
from django.urls import reverse

from cadres.choices import PostKind, RegistrationStatus
from cadres.models import BranchMember, BuildingGroup
from tests.factories import (
    BranchFactory,
    BuildingFactory,
    CadreFactory,
    GridFactory,
    PostFactory,
    RegistrationFactory,
    UnitFactory,
    WorkUnitFactory,
)

pytestmark = pytest.mark.django_db

# Small, and large enough that the workbench (50 a page) has a second page.
SIZES = [2, 20]

QUERIES = {
    # session, user, the user's area (scope path), COUNT, the secretary's community, the choices
    # of the community, estate, building and work unit filters, the page, its posts.
    "workbench_secretary": 11,
    # the same, with the counts per community in place of the secretary's community.
    "workbench_township": 11,
    # session, user, area, the community, its buildings, units, zones and grids with their
    # chiefs, the building groups, whether the user may assign.
    "gaps": 10,
    # session, user, area, COUNT, the page, the county and parent unit filters.
    "work_units": 7,
    # session, user, area, the unit, COUNT, the counts, the work unit filter, the page, its
    # registrations and their posts.
    "work_unit_detail": 10,
    # session, user, area, COUNT, the page.
    "branches": 5,
}


def registered(work_unit, unit, status=RegistrationStatus.CONFIRMED, **fields):
    """A new cadre of `work_unit` registered in `unit`."""
    return RegistrationFactory(
        cadre=CadreFactory(work_unit=work_unit),
        community=unit.building.community,
        building=unit.building,
        unit=unit,
        status=status,
        **fields,
    )


def fill_community(community, work_unit, buildings: int) -> None:
    """`buildings` buildings of two units, each with a building chief who is also a publicist,
    a unit chief in the first unit, a pending registration in the second (a gap), a returned
    one, and a Party group led by the building chief; a zone chief over the estate."""
    for _ in range(buildings):
        building = BuildingFactory(estate__community=community)
        first, second = UnitFactory.create_batch(2, building=building)
        chief = registered(work_unit, first)
        PostFactory(registration=chief, kind=PostKind.BUILDING_CHIEF, building=building)
        PostFactory(registration=chief, kind=PostKind.PUBLICIST)
        PostFactory(
            registration=registered(work_unit, first),
            kind=PostKind.UNIT_CHIEF,
            building=building,
            unit=first,
        )
        registered(work_unit, second, status=RegistrationStatus.PENDING)
        registered(
            work_unit, second, status=RegistrationStatus.RETURNED, return_reason="不在本社区居住"
        )
        BuildingGroup.objects.create(building=building, community=community, leader=chief.cadre)
    PostFactory(registration=chief, kind=PostKind.ZONE_CHIEF, estate=building.estate)


@pytest.mark.parametrize("size", SIZES)
def test_workbench_of_a_secretary_takes_the_same_queries_at_any_size(
    size, client_for, secretary, community, work_unit, django_assert_num_queries
):
    fill_community(community, work_unit, size)
    client = client_for(secretary)

    with django_assert_num_queries(QUERIES["workbench_secretary"]):
        response = client.get(reverse("cadres:workbench"))

    assert len(response.context["registrations"]) == min(size * 4, 50)


@pytest.mark.parametrize("size", SIZES)
def test_workbench_of_township_staff_with_counts_per_community_takes_the_same_queries(
    size,
    client_for,
    township_staff,
    community,
    other_community,
    work_unit,
    django_assert_num_queries,
):
    fill_community(community, work_unit, size)
    fill_community(other_community, work_unit, size)
    client = client_for(township_staff)

    with django_assert_num_queries(QUERIES["workbench_township"]):
        response = client.get(reverse("cadres:workbench"))

    counts = {area.pk: area for area in response.context["community_counts"]}
    assert counts[community.pk].registered_count == size * 3
    assert counts[other_community.pk].covered_unit_count == size
    assert len(response.context["registrations"]) == min(size * 8, 50)


@pytest.mark.parametrize("size", SIZES)
def test_gap_view_takes_the_same_queries_at_any_size(
    size, client_for, secretary, community, work_unit, django_assert_num_queries
):
    fill_community(community, work_unit, size)
    client = client_for(secretary)

    with django_assert_num_queries(QUERIES["gaps"]):
        response = client.get(reverse("cadres:community-gaps", args=[community.pk]))

    gaps = response.context["gaps"]
    assert (gaps.covered_unit_count, gaps.unit_count) == (size, size * 2)
    assert all(row.group.leader for row in gaps.buildings)


def fill_work_units(county, community, units: int):
    """`units` work units under one parent, each with a cadre confirmed in `community` and
    holding a duty role, a pending one, and one registered nowhere."""
    parent = WorkUnitFactory(county=county)
    for _ in range(units):
        work_unit = WorkUnitFactory(county=county, parent=parent)
        confirmed = RegistrationFactory(
            cadre=CadreFactory(work_unit=work_unit), community=community, status="confirmed"
        )
        PostFactory(registration=confirmed, kind=PostKind.SUPPORTER)
        RegistrationFactory(cadre=CadreFactory(work_unit=work_unit), community=community)
        CadreFactory(work_unit=work_unit)
    return parent


@pytest.mark.parametrize("size", SIZES)
def test_work_unit_list_takes_the_same_queries_at_any_size(
    size, client_for, county_staff, county, community, django_assert_num_queries
):
    fill_work_units(county, community, size)
    client = client_for(county_staff)

    with django_assert_num_queries(QUERIES["work_units"]):
        response = client.get(reverse("cadres:work-units"))

    rows = response.context["work_units"]
    assert len(rows) == size + 1
    assert sum(row.unregistered_count for row in rows) == size


@pytest.mark.parametrize("size", SIZES)
def test_work_unit_detail_takes_the_same_queries_at_any_size(
    size, client_for, county_staff, county, community, django_assert_num_queries
):
    parent = fill_work_units(county, community, size)
    client = client_for(county_staff)

    with django_assert_num_queries(QUERIES["work_unit_detail"]):
        response = client.get(reverse("cadres:work-unit-detail", args=[parent.pk]))

    assert response.context["counts"] == {"total": size * 3, "registered": size * 2}
    assert len(response.context["cadres"]) == size * 3


@pytest.mark.parametrize("size", SIZES)
def test_branch_list_takes_the_same_queries_at_any_size(
    size, client_for, county_staff, community, work_unit, django_assert_num_queries
):
    for _ in range(size):
        members = CadreFactory.create_batch(3, work_unit=work_unit)
        branch = BranchFactory(area=community, kind="grid", grid=GridFactory(community=community))
        for cadre in members:
            BranchMember.objects.create(branch=branch, cadre=cadre, joined_on=date(2020, 2, 6))
        branch.secretary = members[0]
        branch.save()
    client = client_for(county_staff)

    with django_assert_num_queries(QUERIES["branches"]):
        response = client.get(reverse("cadres:branches"))

    branches = response.context["branches"]
    assert len(branches) == size
    assert all(branch.member_count == 3 for branch in branches)
