"""The one scoping mechanism, `visible_to(user)`, for every role, and the rules of accounts."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from communities.choices import Role
from communities.models import Area, Building, Estate, Grid, Unit
from tests.factories import UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(unit, grid, other_building, far_community):
    far_unit = UnitFactory(building__estate__community=far_community)
    return {"unit": unit, "other_unit": UnitFactory(building=other_building), "far": far_unit}


def visible_units(user):
    return set(Unit.objects.visible_to(user))


def test_secretary_sees_only_their_community(world, secretary):
    assert visible_units(secretary) == {world["unit"]}
    assert set(Area.objects.visible_to(secretary)) == {secretary.area}
    assert Grid.objects.visible_to(secretary).count() == 1


def test_township_staff_see_every_community_of_the_township(world, township_staff):
    assert visible_units(township_staff) == {world["unit"], world["other_unit"]}


def test_county_staff_see_the_county_but_not_another(world, county_staff):
    assert visible_units(county_staff) == {world["unit"], world["other_unit"]}
    assert world["far"].building.community not in Area.objects.visible_to(county_staff)


def test_administrators_see_everything(world, admin_user):
    assert visible_units(admin_user) == {world["unit"], world["other_unit"], world["far"]}


def test_an_account_without_role_or_area_sees_nothing(world):
    nobody = UserFactory(role="", area=None)

    assert not visible_units(nobody)
    assert not Area.objects.visible_to(nobody).exists()


def test_a_deactivated_account_sees_nothing(world, secretary):
    secretary.is_active = False

    assert not visible_units(secretary)


def test_only_admins_and_the_own_secretary_may_edit(
    world, secretary, township_staff, county_staff, admin_user
):
    assert set(Building.objects.editable_by(secretary)) == {world["unit"].building}
    assert not Estate.objects.editable_by(township_staff).exists()
    assert not Unit.objects.editable_by(county_staff).exists()
    assert Unit.objects.editable_by(admin_user).count() == 3


def test_a_secretary_must_be_bound_to_a_community(township):
    user = UserFactory.build(role=Role.SECRETARY, area=township)

    with pytest.raises(ValidationError) as error:
        user.full_clean()
    assert "area" in error.value.message_dict


def test_the_database_refuses_a_staff_role_without_area(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(role=Role.COUNTY_STAFF, area=None)
