"""The rules of places, as the services keep them and as the database keeps them on its own."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import translation

from communities import services
from communities.models import Area, Building, Estate, Grid, GridBuilding, Unit
from communities.selectors import areas_with_totals
from tests.factories import (
    BuildingFactory,
    EstateFactory,
    GridFactory,
    RegistrationFactory,
    UnitFactory,
)

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
DEPENDENTS = (
    "Other records depend on this as it was (grids, registrations, posts); change or remove "
    "those first."
)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def immediate_constraints(db):
    """Checks the deferred composite foreign keys at each statement, inside the test's
    transaction, instead of at a commit that never comes."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


@pytest.fixture
def other_estate(other_building):
    return other_building.estate


@pytest.fixture
def second_grid(community):
    return GridFactory(community=community, name="第二网格")


# A building's estate lies in the building's community


def test_place_save_refuses_a_building_whose_estate_is_in_another_community(
    secretary, community, other_estate
):
    building = Building(community=community, estate=other_estate, name="错位楼")

    with pytest.raises(ValidationError) as caught:
        services.place_save(actor=secretary, place=building)

    assert caught.value.message_dict == {"estate": ["This estate belongs to another community."]}
    assert not Building.objects.filter(name="错位楼").exists()


def test_place_save_refuses_moving_a_building_to_an_estate_of_another_community(
    admin_user, building, other_estate
):
    building.estate = other_estate

    with pytest.raises(ValidationError) as caught:
        services.place_save(actor=admin_user, place=building)

    assert "estate" in caught.value.message_dict
    building.refresh_from_db()
    assert building.estate.community_id == building.community_id


def test_database_refuses_a_building_whose_estate_is_in_another_community(
    immediate_constraints, community, other_estate
):
    with pytest.raises(IntegrityError), transaction.atomic():
        Building.objects.bulk_create(
            [Building(community=community, estate=other_estate, name="错位楼")]
        )

    assert not Building.objects.filter(name="错位楼").exists()


def test_database_refuses_moving_a_building_away_from_its_estates_community(
    immediate_constraints, building, other_community
):
    building.community = other_community

    with pytest.raises(IntegrityError), transaction.atomic():
        building.save()


# Units: one number per building, never negative households


def test_place_save_refuses_a_repeated_unit_number(secretary, unit):
    repeated = Unit(building=unit.building, number=unit.number, households=3)

    with pytest.raises(ValidationError) as caught:
        services.place_save(actor=secretary, place=repeated)

    assert caught.value.message_dict == {
        "number": ["This building already has a unit with this number."]
    }
    assert Unit.objects.filter(building=unit.building).count() == 1


def test_place_save_refuses_negative_households(secretary, building):
    negative = Unit(building=building, number=2, households=-1)

    with pytest.raises(ValidationError) as caught:
        services.place_save(actor=secretary, place=negative)

    assert caught.value.message_dict == {"households": ["Households cannot be negative."]}
    assert not Unit.objects.filter(building=building, number=2).exists()


def test_place_save_refuses_unit_number_zero(secretary, building):
    with pytest.raises(ValidationError) as caught:
        services.place_save(actor=secretary, place=Unit(building=building, number=0))

    assert "A unit number starts at 1." in caught.value.messages
    assert not Unit.objects.filter(building=building).exists()


def test_database_refuses_a_repeated_unit_number(unit):
    with pytest.raises(IntegrityError), transaction.atomic():
        Unit(building=unit.building, number=unit.number, households=3).save()

    assert Unit.objects.filter(building=unit.building).count() == 1


def test_database_refuses_negative_households(building):
    with pytest.raises(IntegrityError), transaction.atomic():
        Unit.objects.bulk_create([Unit(building=building, number=2, households=-1)])

    assert not Unit.objects.filter(building=building).exists()


def test_database_refuses_changing_households_to_negative(unit):
    with pytest.raises(IntegrityError), transaction.atomic():
        Unit.objects.filter(pk=unit.pk).update(households=-5)

    unit.refresh_from_db()
    assert unit.households == 40


# Grids: buildings of the grid's own community, one grid per building


def test_grid_set_buildings_refuses_a_building_of_another_community_by_name(
    secretary, grid, building, other_building
):
    with pytest.raises(ValidationError) as caught:
        services.grid_set_buildings(
            actor=secretary, grid=grid, buildings=[building, other_building]
        )

    assert list(caught.value.message_dict) == ["buildings"]
    (message,) = caught.value.message_dict["buildings"]
    assert other_building.name in message
    assert building.name not in message
    assert list(grid.buildings.all()) == [building]


def test_grid_set_buildings_refuses_a_building_already_in_another_grid(
    secretary, grid, second_grid, building
):
    with pytest.raises(ValidationError) as caught:
        services.grid_set_buildings(actor=secretary, grid=second_grid, buildings=[building])

    (message,) = caught.value.message_dict["buildings"]
    assert building.name in message
    assert grid.name in message
    assert list(GridBuilding.objects.filter(building=building).values_list("grid", flat=True)) == [
        grid.pk
    ]


def test_grid_set_buildings_makes_the_given_buildings_exactly_the_grids(
    secretary, grid, building, community
):
    newcomer = BuildingFactory(estate=None, community=community, name="新楼")

    services.grid_set_buildings(actor=secretary, grid=grid, buildings=[newcomer])

    assert list(grid.buildings.all()) == [newcomer]
    assert not GridBuilding.objects.filter(building=building).exists()


def test_grid_set_buildings_by_another_communitys_secretary_is_denied(
    other_secretary, second_grid, other_building
):
    with pytest.raises(PermissionDenied):
        services.grid_set_buildings(
            actor=other_secretary, grid=second_grid, buildings=[other_building]
        )

    assert not second_grid.memberships.exists()


def test_database_refuses_a_grid_membership_of_another_communitys_building(
    immediate_constraints, grid, other_building
):
    with pytest.raises(IntegrityError), transaction.atomic():
        GridBuilding.objects.create(
            grid=grid, building=other_building, community_id=grid.community_id
        )

    assert not GridBuilding.objects.filter(building=other_building).exists()


def test_database_refuses_a_grid_membership_claiming_the_buildings_community(
    immediate_constraints, grid, other_building
):
    """Copying the building's community instead of the grid's breaks the other composite key."""
    with pytest.raises(IntegrityError), transaction.atomic():
        GridBuilding.objects.create(
            grid=grid, building=other_building, community_id=other_building.community_id
        )

    assert not GridBuilding.objects.filter(building=other_building).exists()


def test_database_keeps_a_building_in_one_grid_only(second_grid, grid, building):
    with pytest.raises(IntegrityError), transaction.atomic():
        GridBuilding.objects.create(
            grid=second_grid, building=building, community_id=second_grid.community_id
        )

    assert GridBuilding.objects.filter(building=building).count() == 1


def test_grid_membership_clean_names_a_building_of_another_community(grid, other_building):
    membership = GridBuilding(grid=grid, building=other_building)

    with pytest.raises(ValidationError) as caught:
        membership.full_clean()

    assert "building" in caught.value.message_dict


# Estates, buildings and grids hang off a community, never a township


@pytest.mark.parametrize(
    "make",
    [
        lambda area: Estate.objects.create(community=area, name="街道小区"),
        lambda area: Building.objects.create(community=area, estate=None, name="街道楼"),
        lambda area: Grid.objects.create(community=area, name="街道网格"),
    ],
    ids=["estate", "building", "grid"],
)
def test_database_refuses_a_place_attached_to_a_township(make, township):
    with pytest.raises(IntegrityError), transaction.atomic():
        make(township)

    assert not Estate.objects.exists()
    assert not Building.objects.exists()
    assert not Grid.objects.exists()


def test_database_refuses_moving_an_estate_to_a_township(estate, township):
    with pytest.raises(IntegrityError), transaction.atomic():
        Estate.objects.filter(pk=estate.pk).update(community=township)

    estate.refresh_from_db()
    assert estate.community.level == "community"


# Who may write


def test_place_save_by_another_communitys_secretary_is_denied_and_changes_nothing(
    other_secretary, building
):
    building.name = "被改名"

    with pytest.raises(PermissionDenied):
        services.place_save(actor=other_secretary, place=building)

    building.refresh_from_db()
    assert building.name == "1号楼"


def test_place_save_of_a_new_place_in_another_community_is_denied(other_secretary, community):
    with pytest.raises(PermissionDenied):
        services.place_save(actor=other_secretary, place=Estate(community=community, name="偷建"))

    assert not Estate.objects.filter(name="偷建").exists()


def test_secretary_cannot_take_another_communitys_building_into_their_own(
    secretary, community, other_building
):
    """The stored community is checked as well as the new one."""
    other_building.community = community
    other_building.estate = None

    with pytest.raises(PermissionDenied):
        services.place_save(actor=secretary, place=other_building)

    other_building.refresh_from_db()
    assert other_building.community.name == "天嘉苑社区"


@pytest.mark.parametrize("role", ["township_staff", "county_staff", "team_member"])
def test_place_save_by_non_secretary_staff_is_denied(role, request, community):
    user = request.getfixturevalue(role)

    with pytest.raises(PermissionDenied):
        services.place_save(actor=user, place=Estate(community=community, name="上级建"))

    assert not Estate.objects.filter(name="上级建").exists()


def test_place_delete_of_a_building_with_units_is_refused(secretary, unit):
    with pytest.raises(ValidationError) as caught:
        services.place_delete(actor=secretary, place=unit.building)

    assert caught.value.code == "protected"
    assert Building.objects.filter(pk=unit.building_id).exists()


def test_area_save_by_a_secretary_is_denied(secretary, township):
    with pytest.raises(PermissionDenied):
        services.area_save(
            actor=secretary, area=Area(name="新社区", level="community", parent=township)
        )

    assert not Area.objects.filter(name="新社区").exists()


# A place that others depend on cannot move away from them


def move_building(api_for, user, building, estate):
    return api_for(user).patch(
        f"/api/buildings/{building.pk}/",
        {"community": estate.community_id, "estate": estate.pk},
        format="json",
        **EN,
    )


def test_moving_a_building_of_a_grid_to_another_community_is_400_and_changes_nothing(
    api_for, admin_user, grid, building, other_estate
):
    response = move_building(api_for, admin_user, building, other_estate)

    assert response.status_code == 400
    assert response.json() == {"non_field_errors": [DEPENDENTS]}
    building.refresh_from_db()
    assert building.community_id == grid.community_id
    assert list(grid.buildings.all()) == [building]


def test_moving_a_building_members_registered_in_to_another_community_is_400(
    api_for, admin_user, community, building, other_estate
):
    registration = RegistrationFactory(community=community, building=building)

    response = move_building(api_for, admin_user, building, other_estate)

    assert response.status_code == 400
    assert response.json() == {"non_field_errors": [DEPENDENTS]}
    building.refresh_from_db()
    registration.refresh_from_db()
    assert building.community_id == community.pk
    assert registration.building_id == building.pk


def test_place_save_refuses_moving_a_building_of_a_grid_with_a_validation_error(
    admin_user, grid, building, other_estate
):
    building.community, building.estate = other_estate.community, other_estate

    with pytest.raises(ValidationError) as caught:
        services.place_save(actor=admin_user, place=building)

    assert caught.value.code == "dependents"
    assert Building.objects.get(pk=building.pk).community_id == grid.community_id


def immediate_check_passes() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def test_place_save_leaves_the_foreign_keys_deferred_whether_it_refuses_or_saves(
    admin_user, secretary, grid, building, other_estate, other_community, community
):
    """The early check must not leave the rest of the transaction checking every statement: a
    write that is whole only at its end still goes through."""
    building.community, building.estate = other_estate.community, other_estate
    with pytest.raises(ValidationError):
        services.place_save(actor=admin_user, place=building)
    services.place_save(actor=secretary, place=Estate(community=community, name="二生活区"))
    loose = BuildingFactory(community=community, estate=None, name="空楼")

    # Claims the wrong community for a moment (refused if checked at once), then fixes it.
    member = GridBuilding.objects.create(grid=grid, building=loose, community=other_community)
    GridBuilding.objects.filter(pk=member.pk).update(community=community)

    immediate_check_passes()


def test_moving_a_building_nothing_depends_on_to_another_community_passes(
    api_for, admin_user, community, other_estate
):
    loose = BuildingFactory(community=community, estate=None, name="空楼")

    response = move_building(api_for, admin_user, loose, other_estate)

    assert response.status_code == 200
    loose.refresh_from_db()
    assert loose.community_id == other_estate.community_id


def test_moving_a_grid_to_another_community_names_the_buildings_it_would_leave(
    api_for, admin_user, grid, building, other_community
):
    response = api_for(admin_user).patch(
        f"/api/grids/{grid.pk}/", {"community": other_community.pk}, format="json", **EN
    )

    assert response.status_code == 400
    assert response.json() == {"buildings": ["These buildings belong to another community: 1号楼."]}
    grid.refresh_from_db()
    assert grid.community_id == building.community_id


# An area stays above the areas below it


def test_lowering_an_areas_level_to_its_childrens_is_400_naming_the_level(
    api_for, admin_user, township, community
):
    response = api_for(admin_user).patch(
        f"/api/areas/{township.pk}/", {"level": "community"}, format="json", **EN
    )

    assert response.status_code == 400
    assert response.json() == {"level": ["Areas below this one must stay at a lower level."]}
    township.refresh_from_db()
    assert township.level == "township"


def test_area_save_refuses_lowering_a_county_below_its_townships(admin_user, county, township):
    county.level = "township"

    with pytest.raises(ValidationError) as caught:
        services.area_save(actor=admin_user, area=county)

    assert "level" in caught.value.message_dict
    assert Area.objects.get(pk=county.pk).level == "county"


def test_an_area_without_children_may_change_its_level(admin_user, county):
    empty = Area.objects.create(name="空街道", level="township", parent=county)
    empty.level = "community"

    services.area_save(actor=admin_user, area=empty)

    assert Area.objects.get(pk=empty.pk).level == "community"


# Totals roll up the tree


@pytest.fixture
def households_world(community, other_community, far_community, building, unit):
    """community: 40 (fixture unit) + 25; other_community: 10 + 5; far_community: 7."""
    UnitFactory(building=building, number=2, households=25)
    other = BuildingFactory(estate=EstateFactory(community=other_community))
    UnitFactory(building=other, number=1, households=10)
    UnitFactory(building=other, number=2, households=5)
    UnitFactory(building=BuildingFactory(estate=EstateFactory(community=far_community)))
    Unit.objects.filter(building__community=far_community).update(households=7)


def test_area_totals_roll_up_in_one_query(
    households_world,
    county,
    township,
    community,
    other_community,
    far_community,
    grid,
    django_assert_num_queries,
):
    areas = Area.objects.filter(
        pk__in=[county.pk, township.pk, community.pk, other_community.pk, far_community.pk]
    )

    with django_assert_num_queries(1):
        totals = {area.pk: area for area in areas_with_totals(areas)}

    assert totals[community.pk].household_count == 65
    assert totals[other_community.pk].household_count == 15
    assert totals[far_community.pk].household_count == 7
    assert totals[township.pk].household_count == 65 + 15
    assert totals[county.pk].household_count == 65 + 15
    assert totals[community.pk].unit_count == 2
    assert totals[township.pk].unit_count == 4
    assert totals[township.pk].building_count == 2
    assert totals[township.pk].estate_count == 2
    assert totals[township.pk].community_count == 2
    assert totals[community.pk].community_count == 1
    assert totals[community.pk].grid_count == 1
    assert totals[other_community.pk].grid_count == 0


def test_area_without_units_totals_zero_households(township, other_community):
    (total,) = areas_with_totals(Area.objects.filter(pk=other_community.pk))

    assert total.household_count == 0
    assert total.unit_count == 0
