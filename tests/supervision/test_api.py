"""The REST API of supervision: scope, teams with 1+5+X, daily reports posted idempotently (and
by fifty clients at once), amendments with history, problems moved step by step with evidence,
bad input, documentation and query counts."""

import threading
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from communities.choices import Role
from supervision import services
from supervision.api.serializers import (
    DailyReportSerializer,
    ReportSubmitSerializer,
    plain_report_input,
    report_data,
)
from supervision.models import DailyReport, Problem, ProblemEvidence, ProblemStep, Team
from tests.factories import (
    CadreFactory,
    CommunityFactory,
    MeasureFactory,
    RegistrationFactory,
    TeamFactory,
    TownshipFactory,
    UserFactory,
    WorkUnitFactory,
)

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
REPORTS = "/api/daily-reports/"
PROBLEMS = "/api/problems/"
TEAMS = "/api/teams/"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def today():
    return timezone.localdate()


def report_body(team, community, *, problems: int = 2, **changes) -> dict:
    body = {
        "team": team.pk,
        "date": today().isoformat(),
        "communities": [community.pk],
        "texts": {
            "responsibility": "书记带队检查",
            "publicity": "发放宣传单",
            "mobilisation": "组织志愿者",
            "screening": "逐户排查",
            "supplies": "清点口罩",
        },
        "figures": {"households_visited": 120, "people_screened": 300, "leaflets": 500},
        "problems": [
            {
                "community": community.pk,
                "focus_area": "screening",
                "description": f"3号楼未登记返乡人员 {n}",
                "deadline": (today() + timedelta(days=2)).isoformat(),
            }
            for n in range(problems)
        ],
    }
    body.update(changes)
    return body


def ids_of(response) -> set[int]:
    return {row["id"] for row in response.json()["results"]}


@pytest.fixture
def far_secretary(far_community):
    return UserFactory(username="secretary3", role=Role.SECRETARY, area=far_community)


@pytest.fixture
def member_api(api_for, team_member, team):
    return api_for(team_member)


@pytest.fixture
def stored_report(team, team_member, community, member_api):
    response = member_api.post(REPORTS, report_body(team, community), format="json")
    assert response.status_code == 201, response.content
    return DailyReport.objects.get(pk=response.json()["id"])


@pytest.fixture
def problem(stored_report):
    return stored_report.problems.order_by("id").first()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


# The triad: anonymous refused, an outsider 404, the right user 200

OBJECTS = {"teams": "team", "daily-reports": "stored_report", "problems": "problem"}


@pytest.mark.parametrize("endpoint", OBJECTS)
def test_anonymous_is_refused(endpoint, request, api_client):
    obj = request.getfixturevalue(OBJECTS[endpoint])
    api_client.credentials()

    assert api_client.get(f"/api/{endpoint}/").status_code == 401
    assert api_client.get(f"/api/{endpoint}/{obj.pk}/").status_code == 401


@pytest.mark.parametrize("endpoint", OBJECTS)
def test_outsider_gets_404_and_no_row_in_the_list(endpoint, request, api_for, far_secretary):
    obj = request.getfixturevalue(OBJECTS[endpoint])
    api = api_for(far_secretary)

    response = api.get(f"/api/{endpoint}/{obj.pk}/")

    assert response.status_code == 404
    assert obj.pk not in ids_of(api.get(f"/api/{endpoint}/"))


@pytest.mark.parametrize("endpoint", OBJECTS)
@pytest.mark.parametrize("user", ["team_member", "secretary", "county_staff"])
def test_team_and_staff_of_its_area_read_list_and_detail(endpoint, user, request, api_for):
    obj = request.getfixturevalue(OBJECTS[endpoint])
    api = api_for(request.getfixturevalue(user))

    detail = api.get(f"/api/{endpoint}/{obj.pk}/")

    assert detail.status_code == 200
    assert detail.json()["id"] == obj.pk
    assert obj.pk in ids_of(api.get(f"/api/{endpoint}/"))


def test_measures_are_read_by_anyone_signed_in_only(api_client, api_for, secretary):
    MeasureFactory(title="小区封闭管理")

    assert api_client.get("/api/measures/").status_code == 401
    response = api_for(secretary).get("/api/measures/")
    assert response.status_code == 200
    assert [row["title"] for row in response.json()["results"]] == ["小区封闭管理"]


def test_measures_cannot_be_written_through_the_api(api_for, admin_user):
    response = api_for(admin_user).post("/api/measures/", {"number": 1, "title": "x"})

    assert response.status_code == 405


# --- teams ------------------------------------------------------------------------------------


@pytest.fixture
def county_leader(work_unit):
    return CadreFactory(name="县领导", work_unit=work_unit, is_county_leader=True)


def test_team_shows_its_one_five_and_x_counted(
    api_for, county_staff, team, community, other_community, far_community, work_unit, county_leader
):
    team.leader = county_leader
    team.lead_unit = work_unit
    team.save()
    five = [CadreFactory(work_unit=work_unit) for _ in range(5)]
    for cadre in five:
        team.members.create(cadre=cadre)
    paired = WorkUnitFactory(county=team.county, name="县卫健局")
    team.paired_units.add(paired)
    CadreFactory(work_unit=paired)  # X through the paired unit
    RegistrationFactory(community=community, status="confirmed")  # X by locality
    RegistrationFactory(community=other_community, status="confirmed")  # X by locality
    RegistrationFactory(community=community)  # pending: not X
    RegistrationFactory(community=far_community, status="confirmed")  # elsewhere: not X
    RegistrationFactory(community=community, cadre__work_unit=paired, status="confirmed")

    data = api_for(county_staff).get(f"{TEAMS}{team.pk}/").json()

    assert data["members_count"] == 5
    assert data["x_count"] == 4
    assert data["has_leader"] and data["has_lead_unit"] and data["has_standing_members"]
    assert data["leader_name"] == "县领导"
    assert [row["area"] for row in data["coverage"]] == [team.coverage.get().area_id]
    assert data["paired_units"] == [{"id": paired.pk, "name": "县卫健局"}]


def test_team_without_its_one_five_or_lead_department_shows_the_gaps(api_for, county_staff, team):
    data = api_for(county_staff).get(f"{TEAMS}{team.pk}/").json()

    assert not data["has_leader"]
    assert not data["has_lead_unit"]
    assert not data["has_standing_members"]
    assert data["members_count"] == 0


def test_county_staff_create_a_team_with_members_and_coverage(
    api_for, county_staff, county, township, work_unit, county_leader
):
    members = [CadreFactory(work_unit=work_unit) for _ in range(5)]
    payload = {
        "name": "县纪委监委督导小分队",
        "county": county.pk,
        "lead_unit": work_unit.pk,
        "leader": county_leader.pk,
        "members": [cadre.pk for cadre in members],
        "coverage": [township.pk],
        "paired_units": [work_unit.pk],
    }

    response = api_for(county_staff).post(TEAMS, payload, format="json")

    assert response.status_code == 201, response.content
    team = Team.objects.get(name="县纪委监委督导小分队")
    assert team.members.count() == 5
    assert list(team.coverage.values_list("area_id", flat=True)) == [township.pk]
    assert list(team.paired_units.all()) == [work_unit]
    assert response.json()["members_count"] == 5


def test_county_staff_rename_a_team(api_for, county_staff, team):
    response = api_for(county_staff).patch(f"{TEAMS}{team.pk}/", {"name": "新名称"}, format="json")

    assert response.status_code == 200
    team.refresh_from_db()
    assert team.name == "新名称"


def test_team_member_cannot_change_the_team(member_api, team):
    response = member_api.patch(f"{TEAMS}{team.pk}/", {"name": "改名"}, format="json")

    assert response.status_code == 403
    team.refresh_from_db()
    assert team.name != "改名"


def test_a_leader_who_is_not_county_level_is_refused(api_for, county_staff, team, work_unit):
    cadre = CadreFactory(work_unit=work_unit, is_county_leader=False)

    response = api_for(county_staff).patch(
        f"{TEAMS}{team.pk}/", {"leader": cadre.pk}, format="json", **EN
    )

    assert response.status_code == 400
    assert "leader" in response.json()


# --- daily reports: posting and retrying ------------------------------------------------------


def test_posting_a_report_stores_it_with_its_problems(member_api, team, community, team_member):
    response = member_api.post(REPORTS, report_body(team, community), format="json")

    assert response.status_code == 201
    report = DailyReport.objects.get()
    data = response.json()
    assert data["id"] == report.pk
    assert data["texts"]["screening"] == "逐户排查"
    assert data["figures"]["people_screened"] == 300
    assert data["figures"]["returnees_found"] == 0
    assert report.submitted_by == team_member
    assert list(report.communities.all()) == [community]
    assert report.problems.count() == 2
    assert ProblemStep.objects.filter(problem__report=report, to_status="found").count() == 2


def test_date_defaults_to_today_in_shanghai(member_api, team, community):
    body = report_body(team, community)
    del body["date"]

    response = member_api.post(REPORTS, body, format="json")

    assert response.status_code == 201
    assert response.json()["date"] == timezone.localdate().isoformat()


def test_measures_checked_are_stored(member_api, team, community):
    measure = MeasureFactory()
    body = report_body(
        team,
        community,
        measures=[{"measure": measure.pk, "community": community.pk, "status": "partly"}],
    )

    response = member_api.post(REPORTS, body, format="json")

    assert response.status_code == 201
    assert response.json()["measures"] == [
        {"measure": measure.pk, "community": community.pk, "status": "partly"}
    ]


def test_the_answer_to_a_post_is_the_report_as_read_back(member_api, team, county, community):
    """The answer is built from what was just written, not read back: it must read the same."""
    township = TownshipFactory(parent=county)
    team.coverage.create(area=township)
    elsewhere = CommunityFactory(parent=township)
    measures = MeasureFactory.create_batch(2)
    body = report_body(
        team,
        community,
        problems=3,
        communities=[elsewhere.pk, community.pk, community.pk],
        measures=[
            {"measure": measures[1].pk, "community": community.pk, "status": "partly"},
            {"measure": measures[0].pk, "community": elsewhere.pk, "status": "in_place"},
            {"measure": measures[0].pk, "community": community.pk, "status": "not_in_place"},
        ],
    )
    body["texts"]["publicity"] = "  发放宣传单  "
    body["problems"][1]["deadline"] = None
    body["problems"][2]["community"] = elsewhere.pk

    posted = member_api.post(REPORTS, body, format="json")

    assert posted.status_code == 201, posted.content
    read = member_api.get(f"{REPORTS}{posted.json()['id']}/")
    assert posted.json() == read.json()
    assert posted.json()["texts"]["publicity"] == "发放宣传单"


def test_report_data_is_the_serializers_answer(stored_report):
    report = DailyReport.objects.prefetch_related("communities", "checks", "problems").get()
    assert report_data(report) == DailyReportSerializer(report).data


def _serializer_input(body, user):
    submitted = ReportSubmitSerializer(data=body, context={"request": SimpleNamespace(user=user)})
    return submitted.to_input() if submitted.is_valid() else None


def test_a_plain_post_reads_as_the_serializer_reads_it(
    team, team_member, community, other_community, far_community, django_assert_num_queries
):
    measures = MeasureFactory.create_batch(2)
    full = report_body(
        team,
        community,
        problems=3,
        communities=[other_community.pk, community.pk, community.pk, far_community.pk],
        measures=[
            {"measure": measures[1].pk, "community": community.pk, "status": "partly"},
            {"measure": measures[0].pk, "community": other_community.pk, "status": "in_place"},
        ],
    )
    full["texts"]["publicity"] = "  发放宣传单  "
    full["texts"].pop("supplies")
    full["figures"].pop("leaflets")
    full["problems"][1]["deadline"] = None
    full["problems"][2].pop("deadline")
    bare = report_body(team, community, problems=0)
    for name in ("date", "figures", "problems"):
        bare.pop(name)
    for body in (full, bare):
        with django_assert_num_queries(1):
            data, (is_account, covered) = plain_report_input(body, team_member)
        assert data == _serializer_input(body, team_member)
        assert [a.name for a in data.communities] == [
            a.name for a in _serializer_input(body, team_member).communities
        ]
        assert data.team.name == team.name
        may_post, expected = services._access(team_member, team, list(services._places(data)))
        assert (is_account, covered) == (may_post, expected)
    assert far_community.pk not in covered


@pytest.mark.parametrize(
    "change",
    [
        {"team": "1"},
        {"team": True},
        {"date": "20260101"},
        {"date": None},
        {"communities": []},
        {"communities": ["1"]},
        {"communities": 1},
        {"texts": None},
        {"texts": {"publicity": 5}},
        {"texts": {"publicity": "a\x00b"}},
        {"texts": {"publicity": "x" * 4001}},
        {"figures": {"leaflets": -1}},
        {"figures": {"leaflets": "12"}},
        {"figures": {"leaflets": True}},
        {"figures": {"leaflets": 2_000_000_001}},
        {"measures": [{"measure": 1, "community": 1}]},
        {"measures": [{"measure": 10**6, "community": "community", "status": "partly"}]},
        {"problems": [{"community": "community", "focus_area": "nope", "description": "x"}]},
        {"problems": [{"community": "community", "focus_area": "screening", "description": " "}]},
        {
            "problems": [
                {
                    "community": "community",
                    "focus_area": "screening",
                    "description": "x",
                    "deadline": "soon",
                }
            ]
        },
        {"communities": [10**6]},
        {"team": 10**6},
    ],
)
def test_anything_but_a_plain_post_is_left_to_the_serializer(change, team, team_member, community):
    body = report_body(team, community)
    for name, value in change.items():
        if isinstance(value, dict):
            value = {**body[name], **value}
        body[name] = value
    for row in [*body.get("measures", []), *body.get("problems", [])]:
        if row.get("community") == "community":
            row["community"] = community.pk
    assert plain_report_input(body, team_member) is None


def test_another_teams_post_is_left_to_the_serializer(team, community, county):
    other = TeamFactory(county=county, name="另一小分队")
    member = UserFactory(username="other", role=Role.TEAM_MEMBER)
    other.accounts.add(member)
    assert plain_report_input(report_body(team, community), member) is None


def test_retry_with_the_same_key_returns_the_stored_report(member_api, team, community):
    body = report_body(team, community)
    first = member_api.post(REPORTS, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")

    again = member_api.post(REPORTS, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert DailyReport.objects.count() == 1
    assert Problem.objects.count() == 2


def test_retry_with_the_same_body_and_no_key_returns_the_stored_report(member_api, team, community):
    body = report_body(team, community)
    first = member_api.post(REPORTS, body, format="json")

    again = member_api.post(REPORTS, body, format="json")

    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert DailyReport.objects.count() == 1
    assert Problem.objects.count() == 2


def test_retry_with_a_new_key_and_the_same_body_returns_the_stored_report(
    member_api, team, community
):
    body = report_body(team, community)
    first = member_api.post(REPORTS, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")

    again = member_api.post(REPORTS, body, format="json", HTTP_IDEMPOTENCY_KEY="k-2")

    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]


def test_same_key_with_another_body_is_422_and_changes_nothing(member_api, team, community):
    member_api.post(REPORTS, report_body(team, community), format="json", HTTP_IDEMPOTENCY_KEY="k")
    other = report_body(team, community, figures={"households_visited": 1})

    response = member_api.post(REPORTS, other, format="json", HTTP_IDEMPOTENCY_KEY="k", **EN)

    assert response.status_code == 422
    assert "Idempotency-Key" in response.json()["detail"]
    assert DailyReport.objects.get().households_visited == 120


def test_another_body_for_a_day_already_reported_is_409_that_says_so(member_api, team, community):
    first = member_api.post(REPORTS, report_body(team, community), format="json")
    other = report_body(team, community, figures={"households_visited": 1})

    response = member_api.post(REPORTS, other, format="json", **EN)

    assert response.status_code == 409
    assert "already reported" in response.json()["detail"]
    assert response.json()["report"] == first.json()["id"]
    assert DailyReport.objects.get().households_visited == 120


def test_a_team_member_posting_for_another_team_gets_400_on_team(
    member_api, county, township, community
):
    other_team = TeamFactory(county=county, name="另一小分队")
    other_team.coverage.create(area=township)

    response = member_api.post(REPORTS, report_body(other_team, community), format="json", **EN)

    assert response.status_code == 400
    assert "team" in response.json()
    assert not DailyReport.objects.exists()


def test_staff_who_are_no_team_account_cannot_post(api_for, secretary, team, community):
    response = api_for(secretary).post(REPORTS, report_body(team, community), format="json")

    assert response.status_code == 400
    assert "team" in response.json()


# --- daily reports: bad input -----------------------------------------------------------------


def _negative(body, **_):
    body["figures"]["people_screened"] = -1
    return body


def _missing_text(body, **_):
    body["texts"]["screening"] = "  "
    return body


def _no_texts(body, **_):
    del body["texts"]
    return body


def _unknown_team(body, **_):
    body["team"] = 999999
    return body


def _outside(body, far_community, **_):
    body["communities"] = [far_community.pk]
    return body


def _problem_outside(body, far_community, **_):
    body["problems"][1]["community"] = far_community.pk
    return body


def _unknown_community(body, **_):
    body["communities"] = [999999]
    return body


def _wrong_type(body, **_):
    body["figures"]["leaflets"] = "很多"
    return body


def _bad_date(body, **_):
    body["date"] = "2020-02-31"
    return body


def _future(body, **_):
    body["date"] = (today() + timedelta(days=1)).isoformat()
    return body


def _too_late(body, **_):
    body["date"] = (today() - timedelta(days=30)).isoformat()
    return body


def _bad_focus(body, **_):
    body["problems"][0]["focus_area"] = "weather"
    return body


def _no_description(body, **_):
    body["problems"][0]["description"] = ""
    return body


def _communities_not_a_list(body, **_):
    body["communities"] = "水木华园"
    return body


BAD_INPUT = {
    "negative figure": (_negative, "figures"),
    "missing focus text": (_missing_text, "texts"),
    "no texts at all": (_no_texts, "texts"),
    "unknown team": (_unknown_team, "team"),
    "community outside coverage": (_outside, "communities"),
    "problem outside coverage": (_problem_outside, "problems"),
    "unknown community": (_unknown_community, "communities"),
    "wrong type": (_wrong_type, "figures"),
    "impossible date": (_bad_date, "date"),
    "future date": (_future, "date"),
    "too late": (_too_late, "date"),
    "unknown focus area": (_bad_focus, "problems"),
    "problem without description": (_no_description, "problems"),
    "communities not a list": (_communities_not_a_list, "communities"),
}


@pytest.mark.parametrize("case", BAD_INPUT)
def test_bad_input_is_400_naming_the_field_and_stores_nothing(
    case, member_api, team, community, far_community
):
    spoil, field = BAD_INPUT[case]
    body = spoil(report_body(team, community), far_community=far_community)

    response = member_api.post(REPORTS, body, format="json", **EN)

    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not DailyReport.objects.exists()
    assert not Problem.objects.exists()


def test_unknown_problem_community_is_named_at_its_row(member_api, team, community):
    body = report_body(team, community)
    body["problems"][1]["community"] = 999999

    response = member_api.post(REPORTS, body, format="json", **EN)

    assert response.status_code == 400
    assert response.json()["problems"][0] == {}
    assert "999999" in response.json()["problems"][1]["community"][0]


def test_a_problem_outside_coverage_is_named_at_its_row(member_api, team, community, far_community):
    body = _problem_outside(report_body(team, community, problems=3), far_community=far_community)

    response = member_api.post(REPORTS, body, format="json", **EN)

    assert response.status_code == 400
    assert response.json() == {
        "problems": [{}, {"community": ["This community is outside the team's coverage."]}, {}]
    }


def test_a_measure_outside_coverage_is_named_at_its_row(member_api, team, community, far_community):
    measure = MeasureFactory()
    body = report_body(
        team,
        community,
        measures=[
            {"measure": measure.pk, "community": far_community.pk, "status": "partly"},
            {"measure": measure.pk, "community": community.pk, "status": "partly"},
        ],
    )
    body["communities"] = [community.pk, far_community.pk]

    response = member_api.post(REPORTS, body, format="json", **EN)

    assert response.status_code == 400
    assert response.json() == {
        "communities": [f"Outside the team's coverage: {far_community.name}."],
        "measures": [{"community": ["This community is outside the team's coverage."]}, {}],
    }
    assert not DailyReport.objects.exists()


def test_an_amended_measure_outside_coverage_is_named_at_its_row(
    member_api, stored_report, community, far_community
):
    measure = MeasureFactory()
    checks = [{"measure": measure.pk, "community": far_community.pk, "status": "partly"}]

    response = member_api.patch(
        f"{REPORTS}{stored_report.pk}/", {"measures": checks}, format="json", **EN
    )

    assert response.status_code == 400
    assert response.json() == {
        "measures": [{"community": ["This community is outside the team's coverage."]}]
    }


def test_malformed_json_is_400_and_stores_nothing(member_api):
    response = member_api.post(
        REPORTS, '{"team": 1, "texts": {', content_type="application/json", **EN
    )

    assert response.status_code == 400
    assert "JSON" in response.json()["detail"]
    assert not DailyReport.objects.exists()


def test_errors_come_in_chinese_when_asked(member_api, team, community):
    body = _wrong_type(report_body(team, community))

    chinese = member_api.post(REPORTS, body, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    english = member_api.post(REPORTS, body, format="json", HTTP_ACCEPT_LANGUAGE="en")

    assert chinese.json()["figures"]["leaflets"] == ["请填写合法的整数值。"]
    assert english.json()["figures"]["leaflets"] == ["A valid integer is required."]


def test_too_long_idempotency_key_is_400(member_api, team, community):
    response = member_api.post(
        REPORTS, report_body(team, community), format="json", HTTP_IDEMPOTENCY_KEY="k" * 256
    )

    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()
    assert not DailyReport.objects.exists()


# --- daily reports: amendments ----------------------------------------------------------------


def test_patch_amends_the_report_and_keeps_the_previous_body(member_api, stored_report):
    url = f"{REPORTS}{stored_report.pk}/"

    response = member_api.patch(
        url, {"figures": {"leaflets": 800}, "texts": {"supplies": "补充消毒液"}}, format="json"
    )

    assert response.status_code == 200, response.content
    stored_report.refresh_from_db()
    assert stored_report.leaflets == 800
    assert stored_report.people_screened == 300  # untouched figures stay
    assert stored_report.supplies == "补充消毒液"
    assert stored_report.screening == "逐户排查"
    revisions = member_api.get(f"{url}revisions/").json()
    assert len(revisions) == 1
    assert revisions[0]["previous"]["figures"]["leaflets"] == 500


def test_an_amended_report_retried_as_first_posted_returns_the_stored_report(
    member_api, stored_report, team, community
):
    member_api.patch(f"{REPORTS}{stored_report.pk}/", {"figures": {"leaflets": 1}}, format="json")

    response = member_api.post(REPORTS, report_body(team, community), format="json")

    assert response.status_code == 200
    assert response.json()["id"] == stored_report.pk
    assert response.json()["figures"]["leaflets"] == 1
    assert DailyReport.objects.count() == 1


def test_patch_cannot_change_team_date_or_problems(member_api, stored_report):
    response = member_api.patch(
        f"{REPORTS}{stored_report.pk}/", {"date": "2020-02-01", "problems": []}, format="json"
    )

    assert response.status_code == 400
    assert {"date", "problems"} <= set(response.json())
    assert not stored_report.revisions.exists()


def test_patch_with_bad_input_is_400_and_keeps_the_report(member_api, stored_report):
    response = member_api.patch(
        f"{REPORTS}{stored_report.pk}/", {"figures": {"leaflets": -5}}, format="json"
    )

    assert response.status_code == 400
    assert "figures" in response.json()
    stored_report.refresh_from_db()
    assert stored_report.leaflets == 500
    assert not stored_report.revisions.exists()


def test_staff_who_see_a_report_cannot_amend_it(api_for, secretary, stored_report):
    response = api_for(secretary).patch(
        f"{REPORTS}{stored_report.pk}/", {"figures": {"leaflets": 1}}, format="json"
    )

    assert response.status_code == 403
    stored_report.refresh_from_db()
    assert stored_report.leaflets == 500


def test_reports_filter_by_date_range_and_community(member_api, team, community, other_community):
    member_api.post(REPORTS, report_body(team, community), format="json")
    yesterday = (today() - timedelta(days=1)).isoformat()
    member_api.post(
        REPORTS,
        report_body(team, other_community, date=yesterday, problems=0),
        format="json",
    )

    def dates(**query):
        return [row["date"] for row in member_api.get(REPORTS, query).json()["results"]]

    assert dates(date_after=today().isoformat()) == [today().isoformat()]
    assert dates(date_before=yesterday) == [yesterday]
    assert dates(community=other_community.pk) == [yesterday]
    assert len(dates()) == 2


# --- problems ---------------------------------------------------------------------------------


def _step(api, problem, action, **data):
    return api.post(f"{PROBLEMS}{problem.pk}/{action}/", data, format="multipart", **EN)


def test_a_problem_goes_found_rectifying_resolved_verified_with_evidence(
    member_api, api_for, secretary, problem, media, team_member
):
    photo = SimpleUploadedFile("fixed.png", PNG, content_type="image/png")

    assert _step(member_api, problem, "rectify", note="已通知物业").status_code == 200
    resolved = _step(member_api, problem, "resolve", note="已登记", files=[photo])
    assert resolved.status_code == 200, resolved.content
    verified = _step(api_for(secretary), problem, "verify", note="现场核实")

    assert verified.status_code == 200
    problem.refresh_from_db()
    assert problem.status == "verified"
    assert (problem.resolved_by, problem.verified_by) == (team_member, secretary)
    steps = verified.json()["steps"]
    assert [s["to_status"] for s in steps] == ["found", "rectifying", "resolved", "verified"]
    assert steps[2]["evidence"][0]["name"] == "fixed.png"
    evidence = ProblemEvidence.objects.get()
    assert evidence.content_type == "image/png"
    assert evidence.file.read() == PNG
    # The link is the scoped download, never a public media address.
    url = steps[2]["evidence"][0]["url"]
    assert url.endswith(f"/problems/evidence/{evidence.pk}/")


def test_a_skipped_step_is_400_with_a_clear_error(member_api, problem):
    response = _step(member_api, problem, "resolve")

    assert response.status_code == 400
    assert "cannot go from" in response.json()["status"][0]
    problem.refresh_from_db()
    assert problem.status == "found"


def test_rectify_is_only_for_a_problem_just_found(member_api, problem):
    _step(member_api, problem, "rectify")

    response = _step(member_api, problem, "rectify")

    assert response.status_code == 400
    assert "status" in response.json()


def test_whoever_resolved_cannot_verify(member_api, problem):
    _step(member_api, problem, "rectify")
    _step(member_api, problem, "resolve")

    response = _step(member_api, problem, "verify")

    assert response.status_code == 400
    assert "cannot also verify" in response.json()["status"][0]
    problem.refresh_from_db()
    assert problem.status == "resolved"


def test_reopen_needs_a_note_and_sends_a_resolved_problem_back(
    member_api, api_for, secretary, problem
):
    _step(member_api, problem, "rectify")
    _step(member_api, problem, "resolve")
    checker = api_for(secretary)

    assert _step(checker, problem, "reopen").status_code == 400
    response = _step(checker, problem, "reopen", note="仍有人员未登记")

    assert response.status_code == 200
    problem.refresh_from_db()
    assert problem.status == "rectifying"
    assert problem.resolved_by is None


def test_reopen_is_refused_unless_resolved(member_api, problem):
    response = _step(member_api, problem, "reopen", note="x")

    assert response.status_code == 400
    assert "status" in response.json()


def test_evidence_of_a_refused_type_is_400_and_the_step_is_not_taken(member_api, problem, media):
    script = SimpleUploadedFile("run.exe", b"MZ" * 10, content_type="application/x-msdownload")

    response = _step(member_api, problem, "rectify", files=[script])

    assert response.status_code == 400
    assert "files" in response.json()
    problem.refresh_from_db()
    assert problem.status == "found"
    assert not ProblemEvidence.objects.exists()
    assert problem.steps.count() == 1


def test_steps_take_json_without_files(member_api, problem):
    response = member_api.post(
        f"{PROBLEMS}{problem.pk}/rectify/", {"note": "开始整改"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["steps"][-1]["note"] == "开始整改"


def test_a_neighbouring_secretary_neither_sees_nor_moves_a_problem(
    api_for, other_secretary, problem
):
    api = api_for(other_secretary)

    assert api.get(f"{PROBLEMS}{problem.pk}/").status_code == 404
    assert _step(api, problem, "rectify").status_code == 404
    problem.refresh_from_db()
    assert problem.status == "found"


def test_another_teams_member_neither_sees_nor_moves_a_problem(api_for, problem, county, township):
    other_member = UserFactory(role=Role.TEAM_MEMBER, area=township)
    other_team = TeamFactory(county=county)
    other_team.coverage.create(area=township)
    other_team.accounts.add(other_member)
    api = api_for(other_member)

    assert api.get(f"{PROBLEMS}{problem.pk}/").status_code == 404
    assert _step(api, problem, "rectify").status_code == 404


def test_outsider_cannot_move_a_problem(api_for, far_secretary, problem):
    assert _step(api_for(far_secretary), problem, "rectify").status_code == 404


def test_a_team_records_a_problem_found_outside_a_report(member_api, team, community):
    payload = {
        "team": team.pk,
        "community": community.pk,
        "focus_area": "supplies",
        "description": "消毒液不足",
    }

    response = member_api.post(PROBLEMS, payload, format="json")

    assert response.status_code == 201, response.content
    problem = Problem.objects.get()
    assert problem.report is None
    assert problem.found_on == today()
    assert response.json()["status"] == "found"


def test_a_problem_outside_coverage_is_400(member_api, team, far_community):
    payload = {
        "team": team.pk,
        "community": far_community.pk,
        "focus_area": "supplies",
        "description": "x",
    }

    response = member_api.post(PROBLEMS, payload, format="json")

    assert response.status_code == 400
    assert "community" in response.json()
    assert not Problem.objects.exists()


def test_problems_filter_overdue_status_and_focus_area(member_api, problem, stored_report):
    Problem.objects.filter(pk=problem.pk).update(deadline=today() - timedelta(days=1))

    def ids(**query):
        return ids_of(member_api.get(PROBLEMS, query))

    others = set(stored_report.problems.values_list("pk", flat=True)) - {problem.pk}
    assert ids(overdue="true") == {problem.pk}
    assert ids(overdue="false") == others
    assert ids(status="found", focus_area="screening") == others | {problem.pk}
    assert ids(focus_area="supplies") == set()
    assert member_api.get(f"{PROBLEMS}{problem.pk}/").json()["overdue"] is True


def test_a_bad_filter_value_is_400(member_api):
    assert member_api.get(PROBLEMS, {"overdue": "perhaps", "status": "lost"}).status_code == 400


# --- query counts -----------------------------------------------------------------------------


def _store_old_reports(team, community, count: int, *, offset: int = 0) -> None:
    for n in range(offset, offset + count):
        report = DailyReport.objects.create(
            team=team, date=today() - timedelta(days=100 + n), body_hash=f"h{n}", **_texts()
        )
        report.communities.add(community)
        Problem.objects.create(
            team=team,
            report=report,
            community=community,
            focus_area="screening",
            description="旧问题",
            found_on=report.date,
        )


def _texts() -> dict:
    return {
        name: "x"
        for name in ("responsibility", "publicity", "mobilisation", "screening", "supplies")
    }


# The token; the report with all its rows in one statement guarded by who posts and what it
# names (nothing read first), in a savepoint here (inside the test's transaction; alone under
# autocommit). The answer is built from what was just written.
POST_QUERIES = 4


def test_posting_a_report_with_five_problems_takes_the_same_queries_however_many_are_stored(
    member_api, team, community, django_assert_num_queries
):
    _store_old_reports(team, community, 1)
    yesterday = (today() - timedelta(days=1)).isoformat()
    with django_assert_num_queries(POST_QUERIES):
        response = member_api.post(
            REPORTS, report_body(team, community, problems=5, date=yesterday), format="json"
        )
    assert response.status_code == 201
    _store_old_reports(team, community, 29, offset=1)

    with django_assert_num_queries(POST_QUERIES):
        response = member_api.post(REPORTS, report_body(team, community, problems=5), format="json")

    assert response.status_code == 201
    assert DailyReport.objects.count() == 32


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_a_post_takes_two_queries(member_api, team, community):
    """As served: the token, the one insert statement (no look-up, no BEGIN, no COMMIT)."""
    with CaptureQueriesContext(connection) as queries:
        response = member_api.post(REPORTS, report_body(team, community, problems=5), format="json")
    assert response.status_code == 201
    assert len(queries) == 2
    assert Problem.objects.filter(report_id=response.json()["id"]).count() == 5


LIST_BOUND = {TEAMS: 8, REPORTS: 8, PROBLEMS: 8}


@pytest.mark.parametrize("url", LIST_BOUND)
@pytest.mark.parametrize("size", [1, 12])
def test_list_query_count_does_not_grow_with_rows(
    url, size, api_for, county_staff, county, township, community, django_assert_max_num_queries
):
    for _ in range(size):
        team = TeamFactory(county=county)
        team.coverage.create(area=township)
        team.members.create(cadre=CadreFactory())
        _store_old_reports(team, community, 1)
        problem = Problem.objects.filter(team=team).get()
        ProblemStep.objects.create(problem=problem, to_status="found", actor=county_staff)
    api = api_for(county_staff)

    with django_assert_max_num_queries(LIST_BOUND[url]):
        response = api.get(url)

    assert response.status_code == 200
    assert response.json()["count"] == size


# --- fifty clients at once --------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("with_key", [True, False])
def test_fifty_clients_posting_the_same_report_at_once_leave_one(
    with_key, team, team_member, community
):
    token = Token.objects.create(user=team_member).key
    body = report_body(team, community)
    headers = {"HTTP_IDEMPOTENCY_KEY": "same-report"} if with_key else {}
    clients = 50
    barrier = threading.Barrier(clients)
    outcomes: list[object] = [None] * clients

    def post(index: int) -> None:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        try:
            barrier.wait(timeout=20)
            response = client.post(REPORTS, body, format="json", **headers)
            outcomes[index] = (response.status_code, response.json().get("id"))
        except Exception as error:  # the outcome under test
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not any(thread.is_alive() for thread in threads), "a post hung"
    report = DailyReport.objects.get()
    assert sorted(code for code, _ in outcomes) == [200] * (clients - 1) + [201]
    assert {pk for _, pk in outcomes} == {report.pk}
    assert Problem.objects.count() == 2


# --- documentation ----------------------------------------------------------------------------


def test_schema_documents_every_supervision_endpoint(api_for, secretary):
    response = api_for(secretary).get("/api/schema/", {"format": "json"})

    assert response.status_code == 200
    schema = response.json()
    paths = schema["paths"]
    for endpoint in ["teams", "daily-reports", "measures", "problems"]:
        assert f"/api/{endpoint}/" in paths
        assert f"/api/{endpoint}/{{id}}/" in paths
    for action in ["rectify", "resolve", "verify", "reopen"]:
        assert f"/api/problems/{{id}}/{action}/" in paths
    assert "/api/daily-reports/{id}/revisions/" in paths
    post = paths["/api/daily-reports/"]["post"]
    assert {"200", "201", "409", "422"} <= set(post["responses"])
    assert any(p["name"] == "Idempotency-Key" for p in post["parameters"])
    body = schema["components"]["schemas"]["ReportSubmit"]["properties"]
    assert {"team", "date", "communities", "texts", "figures", "measures", "problems"} <= set(body)


# --- odd input found in review ----------------------------------------------------------------


@pytest.mark.parametrize("key", ["a\x00b", "键", "a b" * 200])
def test_an_idempotency_key_that_is_not_printable_ascii_is_400(member_api, team, community, key):
    response = member_api.post(
        REPORTS, report_body(team, community), format="json", HTTP_IDEMPOTENCY_KEY=key, **EN
    )

    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()
    assert not DailyReport.objects.exists()


def test_a_key_retry_after_an_amendment_returns_the_stored_report(member_api, team, community):
    body = report_body(team, community)
    first = member_api.post(REPORTS, body, format="json", HTTP_IDEMPOTENCY_KEY="k-9")
    member_api.patch(f"{REPORTS}{first.json()['id']}/", {"figures": {"leaflets": 7}}, format="json")

    again = member_api.post(REPORTS, body, format="json", HTTP_IDEMPOTENCY_KEY="k-9")

    assert again.status_code == 200
    assert again.json()["figures"]["leaflets"] == 7


def test_a_measure_twice_for_one_community_is_400(member_api, team, community):
    measure = MeasureFactory()
    check = {"measure": measure.pk, "community": community.pk, "status": "in_place"}
    body = report_body(team, community, measures=[check, check])

    response = member_api.post(REPORTS, body, format="json", **EN)

    assert response.status_code == 400
    assert "measures" in response.json()
    assert not DailyReport.objects.exists()


def test_a_deadline_before_the_report_day_is_400(member_api, team, community):
    body = report_body(team, community, problems=1)
    body["problems"][0]["deadline"] = (today() - timedelta(days=3)).isoformat()

    response = member_api.post(REPORTS, body, format="json", **EN)

    assert response.status_code == 400
    assert "problems" in response.json()


def test_an_overlong_text_is_400(member_api, team, community):
    body = report_body(team, community)
    body["texts"]["publicity"] = "宣" * 4001

    response = member_api.post(REPORTS, body, format="json", **EN)

    assert response.status_code == 400
    assert not DailyReport.objects.exists()


def test_an_overdue_filter_that_is_neither_true_nor_false_is_400(member_api, problem):
    assert member_api.get(f"{PROBLEMS}?overdue=maybe").status_code == 400
    assert member_api.get(f"{PROBLEMS}?overdue=false").status_code == 200
