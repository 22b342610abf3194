"""The supervision pages: who sees what, the county overview, the problems board and moving a
problem on in the browser; query counts pinned at two sizes."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from communities.choices import Role
from supervision.choices import FocusArea, ProblemStatus
from supervision.models import Problem, ProblemEvidence, Team
from tests.factories import CommunityFactory, TeamFactory, TownshipFactory, UserFactory
from tests.supervision.test_selectors import (
    add_known_problems,
    complete_team,
    make_problem,
    make_report,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client, settings):
    """Pages and files in English, whatever the Chinese catalogue holds."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def far_secretary(far_community):
    """A secretary of another county: sees none of this county's supervision."""
    return UserFactory(username="far", role=Role.SECRETARY, area=far_community)


@pytest.fixture
def known_problems(team, community, other_community):
    return add_known_problems(team, community, other_community)


@pytest.fixture
def report(team, community):
    report = make_report(team, households_visited=120, people_screened=300)
    report.communities.add(community)
    make_problem(team, community, report=report, description="卡点无人值守")
    return report


@pytest.fixture
def problem(team, community):
    return make_problem(team, community, description="消毒记录不全")


def pages(team, report, problem, community):
    return [
        reverse("supervision:teams"),
        reverse("supervision:team-detail", args=[team.pk]),
        reverse("supervision:reports"),
        reverse("supervision:report-detail", args=[report.pk]),
        reverse("supervision:problems"),
        reverse("supervision:problem-detail", args=[problem.pk]),
        reverse("supervision:overview"),
        reverse("supervision:community-measures", args=[community.pk]),
    ]


# --- the triads -------------------------------------------------------------------------------


def test_every_page_needs_login(client, team, report, problem, community):
    for url in pages(team, report, problem, community):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("login"))


def test_county_staff_sees_every_page(client_for, county_staff, team, report, problem, community):
    client = client_for(county_staff)
    for url in pages(team, report, problem, community):
        assert client.get(url).status_code == 200, url


def test_team_member_sees_their_team_but_not_the_county_overview(
    client_for, team_member, team, report, problem, community
):
    client = client_for(team_member)
    for url in pages(team, report, problem, community):
        if url == reverse("supervision:overview"):
            continue
        assert client.get(url).status_code == 200, url
    assert client.get(reverse("supervision:overview")).status_code == 404


def test_out_of_scope_pages_answer_404(client_for, far_secretary, team, report, problem, community):
    client = client_for(far_secretary)
    for url in [
        reverse("supervision:team-detail", args=[team.pk]),
        reverse("supervision:report-detail", args=[report.pk]),
        reverse("supervision:problem-detail", args=[problem.pk]),
        reverse("supervision:overview"),
        reverse("supervision:community-measures", args=[community.pk]),
    ]:
        assert client.get(url).status_code == 404, url
    assert (
        client.post(
            reverse("supervision:problem-detail", args=[problem.pk]), {"to_status": "rectifying"}
        ).status_code
        == 404
    )
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.FOUND


def test_out_of_scope_lists_are_empty(client_for, far_secretary, team, report, problem):
    client = client_for(far_secretary)
    assert list(client.get(reverse("supervision:teams")).context["teams"]) == []
    assert list(client.get(reverse("supervision:reports")).context["reports"]) == []
    assert list(client.get(reverse("supervision:problems")).context["problems"]) == []


def test_secretary_of_the_community_sees_the_team_but_not_the_overview(
    client_for, secretary, team, problem
):
    client = client_for(secretary)
    assert client.get(reverse("supervision:team-detail", args=[team.pk])).status_code == 200
    assert client.get(reverse("supervision:overview")).status_code == 404


# --- team, report -----------------------------------------------------------------------------


def test_team_page_shows_one_five_and_x_with_counts(
    client_for, county_staff, team, work_unit, confirmed_registration, report
):
    complete_team(team, work_unit, members=4)
    response = client_for(county_staff).get(reverse("supervision:team-detail", args=[team.pk]))
    composition = response.context["composition"]
    assert (composition.member_count, composition.x_count) == (4, 1)
    body = response.content.decode()
    assert team.leader.name in body
    assert "孙守超" in body
    assert "莲花湖街道" in body  # what it covers
    assert "卡点无人值守" in body  # an open problem
    assert reverse("supervision:report-detail", args=[report.pk]) in body


def test_report_page_reads_the_day(client_for, county_staff, report):
    response = client_for(county_staff).get(reverse("supervision:report-detail", args=[report.pk]))
    body = response.content.decode()
    assert str(FocusArea.SCREENING.label) in body
    assert "300" in body
    assert "水木华园社区" in body
    assert "卡点无人值守" in body


# --- the county overview ----------------------------------------------------------------------


@pytest.fixture
def county_picture(county, township, team, work_unit):
    """Three teams: one reported on time today, one late, one not at all; a township nobody
    covers."""
    complete_team(team, work_unit)
    late = complete_team(TeamFactory(county=county, name="县纪委监委督导小分队"), work_unit)
    silent = TeamFactory(county=county, name="县政法委督导小分队")
    for other in (late, silent):
        other.coverage.create(area=township)
    make_report(team, hour=8)
    make_report(late, hour=21)
    TownshipFactory(parent=county, name="横道镇")
    return {"on_time": team, "late": late, "silent": silent}


def test_overview_shows_who_has_not_reported_and_who_was_late(
    client_for, county_staff, county_picture
):
    response = client_for(county_staff).get(reverse("supervision:overview"))
    assert response.status_code == 200
    today = response.context["today"]
    assert [row.team for row in today.missing] == [county_picture["silent"]]
    assert [row.team for row in today.late] == [county_picture["late"]]
    assert len(today.reported) == 2
    body = response.content.decode()
    assert "not reported" in body
    assert "late" in body


def test_overview_lists_coverage_gaps(client_for, county_staff, county_picture):
    response = client_for(county_staff).get(reverse("supervision:overview"))
    gaps = response.context["gaps"]
    assert [place.name for place in gaps.townships] == ["横道镇"]
    assert gaps.teams_short == [county_picture["silent"]]
    assert gaps.teams_without_lead == [county_picture["silent"]]
    assert "横道镇" in response.content.decode()


def test_overview_totals_and_chart_match_a_known_set(
    client_for, county_staff, known_problems, team
):
    response = client_for(county_staff).get(reverse("supervision:overview"))
    (line,) = response.context["totals"]
    assert (line.found, line.resolved, line.verified, line.overdue, line.rate) == (
        6,
        3,
        1,
        2,
        50.0,
    )
    assert response.context["problem_counts"] == {"open": 5, "overdue": 2}
    (bar,) = response.context["chart"].bars
    assert bar.resolved_width * 2 == bar.found_width
    body = response.content.decode()
    assert "<svg" in body and "<script" not in body
    assert "50.0%" in body


def test_overview_totals_by_focus_area(client_for, county_staff, known_problems):
    response = client_for(county_staff).get(reverse("supervision:overview") + "?by=focus_area")
    found = {line.label: line.found for line in response.context["totals"]}
    assert found == {str(FocusArea.PUBLICITY.label): 4, str(FocusArea.SUPPLIES.label): 2}


def test_township_staff_sees_their_township_only(
    client_for, township_staff, county, county_picture
):
    elsewhere = TownshipFactory(parent=county, name="李千户镇")
    other_team = TeamFactory(county=county, name="别处小分队")
    other_team.coverage.create(area=CommunityFactory(parent=elsewhere))
    response = client_for(township_staff).get(reverse("supervision:overview"))
    assert response.status_code == 200
    teams = {row.team for row in response.context["today"].rows}
    assert other_team not in teams
    assert county_picture["silent"] in teams
    assert response.context["gaps"].townships == []


def test_admin_chooses_the_county(client_for, admin_user, county, county_picture, far_community):
    client = client_for(admin_user)
    response = client.get(reverse("supervision:overview") + f"?county={county.pk}")
    assert response.context["area"] == county
    assert len(response.context["today"].rows) == 3


# --- the problems board -----------------------------------------------------------------------


def test_board_filters_by_status_team_community_focus_area_and_overdue(
    client_for, county_staff, known_problems, team, community, county
):
    client = client_for(county_staff)
    other_team = TeamFactory(county=county)
    other_team.coverage.create(area=community.parent)
    make_problem(other_team, community, description="别队的问题")

    def shown(query: str) -> set[str]:
        response = client.get(reverse("supervision:problems") + query)
        assert response.status_code == 200, query
        return {p.pk for p in response.context["problems"]}

    problems = Problem.objects.all()
    assert shown("?status=verified") == set(
        problems.filter(status="verified").values_list("pk", flat=True)
    )
    assert shown(f"?team={other_team.pk}") == set(
        problems.filter(team=other_team).values_list("pk", flat=True)
    )
    assert shown(f"?community={community.pk}") == set(
        problems.filter(community=community).values_list("pk", flat=True)
    )
    assert shown("?focus_area=supplies") == set(
        problems.filter(focus_area="supplies").values_list("pk", flat=True)
    )
    assert shown("?overdue=true") == set(problems.overdue().values_list("pk", flat=True))
    assert len(shown("?overdue=true")) == 2


def test_board_with_a_bad_filter_answers_400(client_for, county_staff, known_problems):
    response = client_for(county_staff).get(reverse("supervision:problems") + "?team=abc")
    assert response.status_code == 400


# --- moving a problem on ----------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32


def test_problem_moves_on_through_the_page_with_evidence(client_for, team_member, problem, media):
    client = client_for(team_member)
    url = reverse("supervision:problem-detail", args=[problem.pk])
    photo = SimpleUploadedFile("整改照片.png", PNG, content_type="image/png")
    response = client.post(url, {"to_status": "rectifying", "note": "已安排清运", "files": [photo]})
    assert response.status_code == 302
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.RECTIFYING
    step = problem.steps.get(to_status=ProblemStatus.RECTIFYING)
    assert (step.actor, step.note) == (team_member, "已安排清运")
    evidence = ProblemEvidence.objects.get(step=step)

    page = client.get(url).content.decode()
    assert "已安排清运" in page
    evidence_url = reverse("supervision:evidence", args=[evidence.pk])
    assert evidence_url in page
    download = client.get(evidence_url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PNG


def test_a_skipped_step_is_refused_on_the_form(client_for, team_member, problem):
    response = client_for(team_member).post(
        reverse("supervision:problem-detail", args=[problem.pk]), {"to_status": "verified"}
    )
    assert response.status_code == 400
    assert "cannot go from" in response.content.decode()
    assert response.context["form"].errors
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.FOUND
    assert not problem.steps.exists()


def test_whoever_resolved_cannot_verify_on_the_page(client_for, team_member, problem):
    client = client_for(team_member)
    url = reverse("supervision:problem-detail", args=[problem.pk])
    for status in ("rectifying", "resolved"):
        assert client.post(url, {"to_status": status}).status_code == 302
    response = client.post(url, {"to_status": "verified"})
    assert response.status_code == 400
    assert "cannot also verify" in response.content.decode()


def test_a_wrong_file_type_is_shown_on_the_form(client_for, team_member, problem, media):
    text = SimpleUploadedFile("说明.exe", b"MZ", content_type="application/x-msdownload")
    response = client_for(team_member).post(
        reverse("supervision:problem-detail", args=[problem.pk]),
        {"to_status": "rectifying", "files": [text]},
    )
    assert response.status_code == 400
    assert "说明.exe" in response.content.decode()
    assert ProblemEvidence.objects.count() == 0


def test_evidence_is_404_out_of_scope(client_for, team_member, far_secretary, problem, media):
    client = client_for(team_member)
    photo = SimpleUploadedFile("a.png", PNG, content_type="image/png")
    client.post(
        reverse("supervision:problem-detail", args=[problem.pk]),
        {"to_status": "rectifying", "files": [photo]},
    )
    evidence = ProblemEvidence.objects.get()
    far = client_for(far_secretary)
    assert far.get(reverse("supervision:evidence", args=[evidence.pk])).status_code == 404


def test_staff_of_another_place_the_team_covers_do_not_see_this_problem(
    client_for, county, problem
):
    # Staff of another township the same team covers see the team, not this problem's place.
    other = UserFactory(role=Role.TOWNSHIP_STAFF, area=TownshipFactory(parent=county))
    problem.team.coverage.create(area=other.area)
    client = client_for(other)
    url = reverse("supervision:problem-detail", args=[problem.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"to_status": "rectifying"}).status_code == 404
    assert client.get(reverse("supervision:team-detail", args=[problem.team_id])).status_code == 200


def test_unit_staff_do_not_see_problems(client_for, unit_staff, problem):
    client = client_for(unit_staff)
    url = reverse("supervision:problem-detail", args=[problem.pk])
    assert client.get(url).status_code == 404


# --- query counts -----------------------------------------------------------------------------

# Every count starts with the session and the user of a logged-in request.
QUERIES = {
    # session, user, the user's area, the teams and the reports of the week, totals by group,
    # open and overdue, the grand total, uncovered areas, incomplete teams.
    "overview": 10,
    # session, user, area, COUNT, the page, the team filter's choices, the communities and
    # townships filters, the totals.
    "problems": 9,
    # session, user, area, COUNT, the page, the team, community and township filters.
    "reports": 8,
    # session, user, area, COUNT, the page, the community and township filters.
    "teams": 7,
}


@pytest.mark.parametrize("days", [3, 30])
def test_overview_query_count_does_not_grow_with_the_days(
    days, client_for, county_staff, county_picture, community, django_assert_num_queries
):
    today = timezone.localdate()
    for team in county_picture.values():
        for offset in range(1, days):
            report = make_report(team, today - timedelta(days=offset))
            make_problem(team, community, report=report)
    client = client_for(county_staff)
    with django_assert_num_queries(QUERIES["overview"]):
        response = client.get(reverse("supervision:overview"))
    assert response.status_code == 200


@pytest.mark.parametrize("size", [2, 20])
def test_board_query_counts_do_not_grow_with_the_rows(
    size, client_for, county_staff, county, township, community, django_assert_num_queries
):
    for _ in range(size):
        team = TeamFactory(county=county)
        team.coverage.create(area=township)
        report = make_report(team)
        report.communities.add(community)
        make_problem(team, community, report=report)
    client = client_for(county_staff)
    for name in ("problems", "reports", "teams"):
        with django_assert_num_queries(QUERIES[name]):
            response = client.get(reverse(f"supervision:{name}"))
        assert response.status_code == 200
    assert Team.objects.count() == size
