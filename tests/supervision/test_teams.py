"""Saving a team: only the county's organisation department, within the county, with a
county-level leader and a lead department of the same county."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from communities.choices import Role
from supervision.models import Team, TeamCoverage
from supervision.services import covered_communities, team_save
from tests.factories import (
    CadreFactory,
    CommunityFactory,
    CountyFactory,
    TeamFactory,
    UserFactory,
    WorkUnitFactory,
)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def leader(work_unit):
    return CadreFactory(name="县委副书记", work_unit=work_unit, is_county_leader=True)


def test_county_staff_creates_a_team_with_its_five_and_coverage(
    county_staff, county, township, community, work_unit, leader
):
    five = CadreFactory.create_batch(5, work_unit=work_unit)
    team = team_save(
        actor=county_staff,
        team=Team(county=county, name="县委统战部", lead_unit=work_unit, leader=leader),
        members=five,
        coverage=[township, community],
    )
    assert Team.objects.get() == team
    assert {m.cadre for m in team.members.all()} == set(five)
    assert set(team.coverage.values_list("area", flat=True)) == {township.pk, community.pk}


def test_saving_again_replaces_members_and_coverage(
    county_staff, team, township, community, work_unit
):
    first = CadreFactory.create_batch(2, work_unit=work_unit)
    team_save(actor=county_staff, team=team, members=first, coverage=[township])
    second = [first[1], CadreFactory(work_unit=work_unit)]
    team_save(actor=county_staff, team=team, members=second, coverage=[community])
    assert {m.cadre for m in team.members.all()} == set(second)
    assert list(team.coverage.values_list("area", flat=True)) == [community.pk]


def test_covered_communities_are_those_of_covered_townships_and_communities(
    county_staff, team, community, other_community, county
):
    lone = CommunityFactory(parent__parent=county)
    team_save(actor=county_staff, team=team, coverage=[lone])
    assert list(covered_communities(team)) == [lone]
    team_save(actor=county_staff, team=team, coverage=[community.parent, lone])
    assert set(covered_communities(team)) == {community, other_community, lone}


@pytest.mark.parametrize("role", ["township_staff", "secretary", "team_member", "unit_staff"])
def test_only_county_staff_may_save_a_team(role, request, county):
    user = request.getfixturevalue(role)
    with pytest.raises(PermissionDenied):
        team_save(actor=user, team=Team(county=county, name="小分队"))
    assert not Team.objects.exists()


def test_county_staff_of_another_county_may_not_create_a_team_here(county):
    stranger = UserFactory(role=Role.COUNTY_STAFF, area=CountyFactory())
    with pytest.raises(PermissionDenied):
        team_save(actor=stranger, team=Team(county=county, name="小分队"))


def test_county_staff_of_another_county_may_not_change_or_take_over_a_team(team):
    other_county = CountyFactory()
    stranger = UserFactory(role=Role.COUNTY_STAFF, area=other_county)
    team.name = "Renamed"
    with pytest.raises(PermissionDenied):
        team_save(actor=stranger, team=team)
    team.county = other_county
    with pytest.raises(PermissionDenied):
        team_save(actor=stranger, team=team)
    team.refresh_from_db()
    assert team.name == "县委统战部督导小分队"


def test_county_staff_may_not_move_a_team_to_another_county(county_staff, team):
    team.county = CountyFactory()
    with pytest.raises(PermissionDenied):
        team_save(actor=county_staff, team=team)


def test_admin_may_save_any_team(admin_user, county):
    team = team_save(actor=admin_user, team=Team(county=county, name="小分队"))
    assert team.pk is not None


def test_coverage_outside_the_county_is_refused_and_named(
    county_staff, team, township, far_community
):
    with pytest.raises(ValidationError) as error:
        team_save(actor=county_staff, team=team, coverage=[township, far_community])
    assert error.value.message_dict["coverage"] == [
        f"These areas lie outside the team's county: {far_community.name}."
    ]
    assert list(TeamCoverage.objects.values_list("area", flat=True)) == [township.pk]


def test_leader_who_is_not_county_level_is_refused(county_staff, county, cadre):
    with pytest.raises(ValidationError) as error:
        team_save(actor=county_staff, team=Team(county=county, name="小分队", leader=cadre))
    assert error.value.message_dict["leader"] == ["The team's “1” must be a county-level leader."]


def test_lead_unit_of_another_county_is_refused(county_staff, county):
    foreign_unit = WorkUnitFactory()
    with pytest.raises(ValidationError) as error:
        team_save(
            actor=county_staff, team=Team(county=county, name="小分队", lead_unit=foreign_unit)
        )
    assert error.value.message_dict["lead_unit"] == [
        "The lead department belongs to another county."
    ]


def test_second_team_of_the_same_name_in_the_county_is_refused(county_staff, team, county):
    with pytest.raises(ValidationError) as error:
        team_save(actor=county_staff, team=Team(county=county, name=team.name))
    assert "name" in error.value.message_dict
    TeamFactory(name=team.name)  # another county may use the name


def test_paired_work_units_of_another_county_are_refused(county_staff, team, far_community):
    foreign = WorkUnitFactory(county=far_community.parent.parent)
    with pytest.raises(ValidationError) as caught:
        team_save(actor=county_staff, team=team, paired_units=[foreign])
    assert "paired_units" in caught.value.message_dict
    assert not team.paired_units.exists()
    own = WorkUnitFactory(county=team.county)
    team_save(actor=county_staff, team=team, paired_units=[own])
    assert list(team.paired_units.all()) == [own]


def test_a_team_leader_cannot_stop_being_a_county_level_leader(county_staff, team):
    from cadres import services as cadre_services

    leader = CadreFactory(work_unit=WorkUnitFactory(county=team.county), is_county_leader=True)
    team.leader = leader
    team.save()
    leader.is_county_leader = False
    with pytest.raises(ValidationError) as error:
        cadre_services.cadre_save(actor=county_staff, cadre=leader)
    assert team.name in error.value.message_dict["is_county_leader"][0]
