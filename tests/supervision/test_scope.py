"""Who sees which teams, reports, problems and standing members: the county's organisation
department, the staff of covered areas, the team's own accounts, administrators; nobody else."""

import pytest
from django.utils import timezone

from communities.choices import Role
from supervision.choices import FocusArea
from supervision.models import DailyReport, Problem, Team, TeamMember
from tests.factories import (
    CadreFactory,
    CommunityFactory,
    TeamFactory,
    TownshipFactory,
    UserFactory,
)

TEXTS = {area.value: "done" for area in FocusArea}


@pytest.fixture
def world(team, county, community, far_community, work_unit):
    """Our team with a report, a problem and a standing member; a second team of the county
    covering another township; a team of another county."""
    other_township = TownshipFactory(parent=county, name="李千户镇")
    other_team = TeamFactory(county=county, name="县纪委监委督导小分队")
    other_team.coverage.create(area=other_township)
    far_team = TeamFactory(county=far_community.parent.parent, name="北票市督导小分队")
    far_team.coverage.create(area=far_community)
    for each, place in ((team, community), (other_team, None), (far_team, far_community)):
        report = DailyReport.objects.create(team=each, date=timezone.localdate(), **TEXTS)
        place = place or CommunityFactory(parent=other_township)
        Problem.objects.create(
            team=each,
            report=report,
            community=place,
            focus_area=FocusArea.SCREENING,
            description=f"{each.name} found",
            found_on=report.date,
        )
        TeamMember.objects.create(team=each, cadre=CadreFactory(work_unit=work_unit))
    return {"team": team, "other_team": other_team, "far_team": far_team}


MODELS = {
    Team: lambda t: t,
    DailyReport: lambda t: t.reports.get(),
    Problem: lambda t: t.problems.get(),
    TeamMember: lambda t: t.members.get(),
}


def visible(user, world) -> dict[str, set[str]]:
    """For each model, the names of the teams whose rows `user` sees."""
    seen = {}
    for model, row_of in MODELS.items():
        rows = set(model.objects.visible_to(user))
        seen[model.__name__] = {name for name, team in world.items() if row_of(team) in rows}
        assert model.objects.visible_to(user).count() == len(rows), "no duplicate rows"
    return seen


def assert_sees(user, world, *names) -> None:
    expected = {model.__name__: set(names) for model in MODELS}
    assert visible(user, world) == expected


def test_county_staff_see_the_teams_of_their_county(world, county_staff):
    assert_sees(county_staff, world, "team", "other_team")


def test_township_staff_of_a_covered_township_see_its_teams(world, township_staff):
    assert_sees(township_staff, world, "team")


def test_secretary_of_a_covered_community_sees_the_teams_covering_it(world, secretary):
    assert_sees(secretary, world, "team")


def test_secretary_of_a_community_covered_directly_sees_that_team_but_not_others_problems(
    world, county
):
    lone = CommunityFactory(parent__parent=county)
    world["team"].coverage.create(area=lone)
    seen = visible(UserFactory(role=Role.SECRETARY, area=lone), world)
    assert seen == {
        "Team": {"team"},
        "DailyReport": {"team"},
        "Problem": set(),
        "TeamMember": {"team"},
    }


def test_staff_of_an_uncovered_area_see_nothing(world, county):
    uncovered_township = TownshipFactory(parent=county, name="横道镇")
    uncovered_community = CommunityFactory(parent=uncovered_township)
    for user in (
        UserFactory(role=Role.TOWNSHIP_STAFF, area=uncovered_township),
        UserFactory(role=Role.SECRETARY, area=uncovered_community),
    ):
        assert_sees(user, world)


def test_team_account_sees_its_own_team_only(world, team_member):
    assert_sees(team_member, world, "team")


def test_team_account_does_not_see_another_team_covering_the_same_township(
    world, team_member, county, township
):
    neighbour = TeamFactory(county=county, name="县委组织部督导小分队")
    neighbour.coverage.create(area=township)
    assert list(Team.objects.visible_to(team_member)) == [world["team"]]


def test_team_account_bound_to_no_area_sees_its_team(world):
    account = UserFactory(role=Role.TEAM_MEMBER, area=None)
    world["other_team"].accounts.add(account)
    assert_sees(account, world, "other_team")


def test_unit_staff_see_no_teams(world, unit_staff):
    assert_sees(unit_staff, world)


def test_admin_sees_every_team(world, admin_user):
    assert_sees(admin_user, world, "team", "other_team", "far_team")


def test_inactive_user_sees_nothing(world, county_staff):
    county_staff.is_active = False
    assert_sees(county_staff, world)


# --- who may move a problem on ----------------------------------------------------------------


def editable(user, world) -> set[str]:
    rows = set(Problem.objects.editable_by(user))
    return {name for name, team in world.items() if team.problems.get() in rows}


def test_problems_are_editable_by_county_staff_of_their_county(world, county_staff):
    assert editable(county_staff, world) == {"team", "other_team"}


def test_problems_are_editable_by_staff_of_their_place_only(
    world, township_staff, secretary, other_secretary
):
    assert editable(township_staff, world) == {"team"}
    assert editable(secretary, world) == {"team"}
    assert editable(other_secretary, world) == set()


def test_problems_are_editable_by_their_teams_accounts(world, team_member):
    assert editable(team_member, world) == {"team"}


def test_problems_are_not_editable_by_unit_staff(world, unit_staff):
    assert editable(unit_staff, world) == set()


def test_problems_are_editable_by_admin(world, admin_user):
    assert editable(admin_user, world) == {"team", "other_team", "far_team"}
