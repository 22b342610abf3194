"""The same races as the apps' concurrency tests, sent as HTTP requests through the API: each
request on its own thread and database connection, all released at the same moment (`at_once`).
The invariant holds in the database, and every request gets a clean answer — the winner its
201/200, the loser a 400 or 409 that says why —, never a 500.

Which test holds which invariant under concurrency (services and API):

- one report per team and day: tests/supervision/test_reports.py (20 posts of one report, 10
  bodies under one key), tests/supervision/test_api.py (50 clients posting one report), and
  here two different bodies for one day without a key;
- the 优秀 quota: tests/appraisal/test_concurrency.py, and here through the API;
- stock never negative: tests/supplies/test_concurrency.py (20 hand-outs against 10), and here
  through the API;
- one active registration per member: tests/cadres/test_concurrency.py (the same member at one
  and at two communities), and here two secretaries entering the same member;
- one 楼长 per building and one 单元长 per unit: tests/cadres/test_concurrency.py, and here through
  the API.
"""

from decimal import Decimal

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from appraisal import services as appraisal_services
from appraisal.choices import Grade
from appraisal.models import Appraisal
from cadres.choices import ACTIVE_STATUSES, RegistrationStatus
from cadres.models import Cadre, Post, Registration
from communities.choices import Role
from supervision.models import DailyReport, Problem
from supplies.models import Balance, LedgerEntry
from tests.cadres.test_concurrency import at_once
from tests.factories import CadreFactory, RegistrationFactory, UserFactory
from tests.supervision.test_api import report_body

pytestmark = pytest.mark.django_db(transaction=True)


def api_as(user) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def sending(method: str, user, path: str, body: dict):
    """A request to send later, on another thread: returns (status, JSON body)."""
    client = api_as(user)  # the token is made now, on the test's connection

    def send():
        response = getattr(client, method)(path, body, format="json")
        return response.status_code, response.json()

    return send


def statuses(outcomes: list) -> list[int]:
    assert all(isinstance(o, tuple) for o in outcomes), outcomes  # no exception escaped
    return sorted(status for status, _ in outcomes)


@pytest.fixture
def second_secretary(community):
    return UserFactory(username="secretary-b", role=Role.SECRETARY, area=community)


def test_two_different_reports_of_one_team_day_at_once_leave_one_and_a_409(
    team, team_member, community
):
    bodies = [
        report_body(team, community, problems=n, figures={"households_visited": 100 + n})
        for n in (2, 3)
    ]

    outcomes = at_once(
        *(sending("post", team_member, "/api/daily-reports/", body) for body in bodies)
    )

    assert statuses(outcomes) == [201, 409], outcomes
    report = DailyReport.objects.get()
    winner = next(body for (status, _), body in zip(outcomes, bodies, strict=True) if status == 201)
    assert report.households_visited == winner["figures"]["households_visited"]
    assert Problem.objects.count() == len(winner["problems"])


def test_two_secretaries_entering_the_same_member_at_once_register_them_once(
    secretary, second_secretary, community, work_unit
):
    body = {
        "community": community.pk,
        "name": "王艳秋",
        "phone": "13800000001",
        "work_unit": work_unit.pk,
        "channel": "phone",
    }

    outcomes = at_once(
        sending("post", secretary, "/api/registrations/", body),
        sending("post", second_secretary, "/api/registrations/", body),
    )

    assert statuses(outcomes)[0] == 201, outcomes
    assert statuses(outcomes)[1] in (400, 409), outcomes
    assert Cadre.objects.filter(phone="13800000001").count() == 1
    assert Registration.objects.count() == 1


def test_the_same_member_entered_at_two_communities_at_once_has_one_active_registration(
    secretary, other_secretary, community, other_community, work_unit
):
    def entered_at(user, place):
        body = {
            "community": place.pk,
            "name": "王艳秋",
            "phone": "13800000001",
            "work_unit": work_unit.pk,
        }
        return sending("post", user, "/api/registrations/", body)

    outcomes = at_once(
        entered_at(secretary, community), entered_at(other_secretary, other_community)
    )

    assert set(statuses(outcomes)) <= {201, 400, 409}, outcomes
    assert 201 in statuses(outcomes)
    assert Cadre.objects.count() == 1
    assert Registration.objects.filter(status__in=ACTIVE_STATUSES).count() == 1


@pytest.mark.parametrize(
    ("kind", "place"), [("building_chief", "building"), ("unit_chief", "unit")]
)
def test_two_chiefs_named_through_the_api_at_once_leave_one(
    secretary, second_secretary, community, work_unit, kind, place, request
):
    target = request.getfixturevalue(place)
    members = [
        RegistrationFactory(
            community=community, cadre__work_unit=work_unit, status=RegistrationStatus.CONFIRMED
        )
        for _ in range(2)
    ]

    outcomes = at_once(
        *(
            sending(
                "post",
                actor,
                "/api/posts/",
                {"registration": member.pk, "kind": kind, place: target.pk},
            )
            for actor, member in zip((secretary, second_secretary), members, strict=True)
        )
    )

    assert statuses(outcomes)[0] == 201, outcomes
    assert statuses(outcomes)[1] in (400, 409), outcomes
    assert Post.objects.active().filter(kind=kind, **{place: target}).count() == 1


def test_hand_outs_through_the_api_at_once_never_take_the_stock_below_zero(
    secretary, community, disinfectant, party_of, give_stock
):
    give_stock(community, disinfectant, 6)
    holder = party_of(community)
    body = {
        "kind": "issue",
        "item": disinfectant.pk,
        "quantity": "1",
        "from_party": holder.pk,
        "recipient": "三号楼居民",
    }

    outcomes = at_once(
        *(sending("post", secretary, "/api/ledger-entries/", body) for _ in range(10))
    )

    assert statuses(outcomes) == [201] * 6 + [400] * 4, outcomes
    assert Balance.objects.get(holder=holder, item=disinfectant).quantity == Decimal(0)
    assert LedgerEntry.objects.filter(kind="issue").count() == 6


def test_two_staff_giving_the_last_excellent_place_through_the_api_leave_the_quota_respected(
    county_staff, county, community, work_unit, period
):
    second_staff = UserFactory(username="county-b", role=Role.COUNTY_STAFF, area=county)
    cadre = CadreFactory(name="赵莹", work_unit=work_unit)
    RegistrationFactory(cadre=cadre, community=community, status="confirmed")
    appraisal_services.appraisals_sync(actor=county_staff, period=period)
    appraisal_services.quota_set(
        actor=county_staff, period=period, work_unit=work_unit, excellent=1
    )
    first, second = period.appraisals.order_by("cadre__name")

    outcomes = at_once(
        *(
            sending(
                "patch", actor, f"/api/appraisals/{target.pk}/", {"final_grade": Grade.EXCELLENT}
            )
            for actor, target in ((county_staff, first), (second_staff, second))
        )
    )

    assert statuses(outcomes)[0] == 200, outcomes
    assert statuses(outcomes)[1] in (400, 409), outcomes
    excellent = Appraisal.objects.filter(period=period, final_grade=Grade.EXCELLENT)
    assert excellent.count() == 1
