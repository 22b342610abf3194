"""The REST API of the appraisal: scope (anonymous refused, outsiders 404), periods opened,
changed, synced and closed by the organisation department, each input entered by its own people
(403 for the others), the quota and a closed period as 400s with the reason, quotas and
commendations through their services, documentation and query counts."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from appraisal import services
from appraisal.models import Appraisal, Commendation, Period, Quota
from cadres.exports import XLSX_CONTENT_TYPE
from communities.choices import Role
from tests.factories import (
    CadreFactory,
    CommunityFactory,
    RegistrationFactory,
    UserFactory,
    WorkUnitFactory,
)

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
PERIODS = "/api/appraisal-periods/"
APPRAISALS = "/api/appraisals/"
QUOTAS = "/api/appraisal-quotas/"
COMMENDATIONS = "/api/commendations/"


def today():
    return timezone.localdate()


@pytest.fixture
def far_secretary(far_community):
    """The secretary of a community of another county."""
    return UserFactory(username="secretary3", role=Role.SECRETARY, area=far_community)


@pytest.fixture
def quota(period, work_unit, county_staff):
    return services.quota_set(actor=county_staff, period=period, work_unit=work_unit, excellent=1)


@pytest.fixture
def commendation(appraisal, county_staff):
    return services.commendation_add(
        actor=county_staff,
        cadre=appraisal.cadre,
        kind="citation",
        awarded_on=today(),
        reason="疫情防控期间表现突出",
        approver="中共铁岭县委组织部",
        period=appraisal.period,
    )


def closed(period, actor):
    return services.period_close(actor=actor, period=period)


def ids_of(response) -> set[int]:
    return {row["id"] for row in response.json()["results"]}


def period_body(county, **changes) -> dict:
    body = {
        "county": county.pk,
        "name": "2026年度考核",
        "starts_on": (today() - timedelta(days=30)).isoformat(),
        "ends_on": (today() + timedelta(days=30)).isoformat(),
        "weight_inspection": 40,
        "weight_talk": 30,
        "weight_evaluation": 30,
    }
    body.update(changes)
    return body


# --- the triad: anonymous refused, an outsider 404, the right user 200 -------------------------

# endpoint → (fixture of an object, fixture of an outsider)
OBJECTS = {
    "appraisal-periods": ("period", "far_secretary"),
    "appraisals": ("appraisal", "other_secretary"),
    "appraisal-quotas": ("quota", "far_secretary"),
    "commendations": ("commendation", "other_secretary"),
}


@pytest.mark.parametrize("endpoint", OBJECTS)
def test_anonymous_is_refused(endpoint, request, api_client):
    obj = request.getfixturevalue(OBJECTS[endpoint][0])

    assert api_client.get(f"/api/{endpoint}/").status_code == 401
    assert api_client.get(f"/api/{endpoint}/{obj.pk}/").status_code == 401
    assert api_client.patch(f"/api/{endpoint}/{obj.pk}/", {}, format="json").status_code == 401


@pytest.mark.parametrize("endpoint", OBJECTS)
def test_outsider_gets_404_and_no_row_in_the_list(endpoint, request, api_for):
    fixture, outsider = OBJECTS[endpoint]
    obj = request.getfixturevalue(fixture)
    api = api_for(request.getfixturevalue(outsider))

    assert api.get(f"/api/{endpoint}/{obj.pk}/").status_code == 404
    response = api.get(f"/api/{endpoint}/")
    assert response.status_code == 200
    assert obj.pk not in ids_of(response)


@pytest.mark.parametrize("endpoint", OBJECTS)
@pytest.mark.parametrize("role", ["county_staff", "secretary", "admin_user"])
def test_the_right_user_reads_list_and_detail(endpoint, role, request, api_for):
    obj = request.getfixturevalue(OBJECTS[endpoint][0])
    api = api_for(request.getfixturevalue(role))

    response = api.get(f"/api/{endpoint}/")
    assert response.status_code == 200
    assert obj.pk in ids_of(response)
    assert api.get(f"/api/{endpoint}/{obj.pk}/").status_code == 200


def test_an_outsiders_write_is_a_404_too(api_for, other_secretary, appraisal):
    response = api_for(other_secretary).patch(
        f"{APPRAISALS}{appraisal.pk}/", {"talk_score": "90"}, format="json"
    )

    assert response.status_code == 404
    appraisal.refresh_from_db()
    assert appraisal.talk_score is None


def test_unit_staff_see_their_units_appraisals_only(
    api_for, unit_staff, admin_user, appraisal, period
):
    stranger = RegistrationFactory(
        community=appraisal.community, cadre__work_unit__county=period.county, status="confirmed"
    )
    services.appraisals_sync(actor=admin_user, period=period)
    api = api_for(unit_staff)

    response = api.get(APPRAISALS)

    assert ids_of(response) == {appraisal.pk}
    other = Appraisal.objects.get(cadre=stranger.cadre)
    assert api.get(f"{APPRAISALS}{other.pk}/").status_code == 404


# --- periods ----------------------------------------------------------------------------------


def test_county_staff_open_a_period_and_its_cadres_are_appraised(
    api_for, county_staff, county, confirmed_registration
):
    response = api_for(county_staff).post(PERIODS, period_body(county), format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "open"
    assert body["appraisal_count"] == 1
    assert body["graded_count"] == 0
    assert "100" in body["evaluation_rule"]
    period = Period.objects.get(pk=body["id"])
    assert list(period.appraisals.values_list("cadre", flat=True)) == [
        confirmed_registration.cadre_id
    ]


@pytest.mark.parametrize("role", ["secretary", "township_staff", "team_member", "unit_staff"])
def test_only_the_organisation_department_opens_a_period(role, request, api_for, county):
    response = api_for(request.getfixturevalue(role)).post(
        PERIODS, period_body(county), format="json"
    )

    assert response.status_code in (400, 403)
    assert not Period.objects.exists()


def test_weights_not_adding_up_to_100_are_a_field_error(api_for, county_staff, county):
    response = api_for(county_staff).post(
        PERIODS, period_body(county, weight_talk=40), format="json", **EN
    )

    assert response.status_code == 400
    assert response.json()["weight_inspection"] == ["The three weights must add up to 100."]
    assert not Period.objects.exists()


def test_thresholds_out_of_order_are_a_field_error(api_for, county_staff, county):
    body = period_body(county, excellent_from="70", competent_from="75")

    response = api_for(county_staff).post(PERIODS, body, format="json", **EN)

    assert response.status_code == 400
    assert "excellent_from" in response.json()
    assert not Period.objects.exists()


def test_a_county_out_of_view_reads_as_unknown(api_for, county_staff, far_community):
    response = api_for(county_staff).post(
        PERIODS, period_body(far_community.parent.parent), format="json"
    )

    assert response.status_code == 400
    assert "county" in response.json()


def test_a_period_with_a_name_taken_is_a_400(api_for, county_staff, county, period):
    response = api_for(county_staff).post(
        PERIODS, period_body(county, name=period.name), format="json", **EN
    )

    assert response.status_code == 400
    assert response.json()["name"] == ["This county already has a period of this name."]


def test_county_staff_change_an_open_period(api_for, county_staff, period):
    response = api_for(county_staff).patch(
        f"{PERIODS}{period.pk}/",
        {"weight_inspection": 50, "weight_talk": 25, "weight_evaluation": 25},
        format="json",
    )

    assert response.status_code == 200, response.content
    period.refresh_from_db()
    assert (period.weight_inspection, period.weight_talk) == (50, 25)


def test_a_secretary_may_not_change_a_period(api_for, secretary, period):
    response = api_for(secretary).patch(f"{PERIODS}{period.pk}/", {"name": "改名"}, format="json")

    assert response.status_code == 403
    period.refresh_from_db()
    assert period.name != "改名"


def test_county_staff_close_a_period_and_then_it_refuses_changes(api_for, county_staff, period):
    api = api_for(county_staff)

    response = api.post(f"{PERIODS}{period.pk}/close/")

    assert response.status_code == 200
    assert response.json()["status"] == "closed"
    assert response.json()["closed_by_name"] == str(county_staff)
    again = api.patch(f"{PERIODS}{period.pk}/", {"name": "改名"}, format="json", **EN)
    assert again.status_code == 400
    assert "is closed" in str(again.json())
    assert api.post(f"{PERIODS}{period.pk}/close/").status_code == 400
    assert api.post(f"{PERIODS}{period.pk}/sync/").status_code == 400


def test_a_secretary_may_not_close_a_period(api_for, secretary, period):
    assert api_for(secretary).post(f"{PERIODS}{period.pk}/close/").status_code == 403
    period.refresh_from_db()
    assert period.status == "open"


def test_sync_appraises_cadres_who_started_serving_since(
    api_for, county_staff, period, community, work_unit
):
    RegistrationFactory(community=community, cadre__work_unit=work_unit, status="confirmed")
    RegistrationFactory(community=community, cadre__work_unit=work_unit)  # pending: not serving
    api = api_for(county_staff)

    response = api.post(f"{PERIODS}{period.pk}/sync/")

    assert response.status_code == 200
    assert response.json() == {"added": 1}
    assert period.appraisals.count() == 2
    assert api.post(f"{PERIODS}{period.pk}/sync/").json() == {"added": 0}


def test_only_the_organisation_department_syncs(api_for, secretary, period):
    assert api_for(secretary).post(f"{PERIODS}{period.pk}/sync/").status_code == 403


# --- appraisals: reading ----------------------------------------------------------------------


def test_an_appraisal_shows_inputs_scores_grades_and_facts(
    api_for, county_staff, appraisal, commendation
):
    services.appraisal_update(
        actor=county_staff,
        appraisal=appraisal,
        changes={
            "inspection_score": Decimal("92"),
            "inspection_note": "卡点值守到位",
            "talk_score": Decimal("88"),
            "satisfied": 8,
            "basically_satisfied": 2,
            "unsatisfied": 0,
        },
    )

    body = api_for(county_staff).get(f"{APPRAISALS}{appraisal.pk}/").json()

    assert body["cadre_name"] == "孙守超"
    assert body["work_unit_name"] == "县民政局"
    assert body["community_name"] == "水木华园社区"
    assert body["township_name"] == "莲花湖街道"
    assert body["inspection_score"] == "92.00"
    assert body["inspection_by_name"] == str(county_staff)
    # (8 × 100 + 2 × 60 + 0 × 0) ÷ 10 = 92; 92 × .4 + 88 × .3 + 92 × .3 = 90.80
    assert body["evaluation_score"] == "92.00"
    assert body["composite"] == "90.80"
    assert body["proposed_grade"] == "excellent"
    assert body["final_grade"] == ""
    assert body["inputs"] == ["inspection", "talk", "evaluation", "grade"]
    facts = body["facts"]
    assert facts["days_registered"] >= 1
    assert facts["post_kinds"] == []
    assert (facts["team_reports"], facts["team_problems"], facts["team_problems_fixed"]) == (
        0,
        0,
        0,
    )
    assert [c["kind"] for c in facts["commendations"]] == ["citation"]


def test_the_list_leaves_out_the_callers_inputs_and_filters(api_for, county_staff, appraisal):
    api = api_for(county_staff)

    row = api.get(APPRAISALS).json()["results"][0]
    assert "inputs" not in row
    assert row["composite"] is None
    assert ids_of(api.get(APPRAISALS, {"missing": "talk"})) == {appraisal.pk}
    assert ids_of(api.get(APPRAISALS, {"final_grade": "none"})) == {appraisal.pk}
    assert ids_of(api.get(APPRAISALS, {"final_grade": "excellent"})) == set()
    assert ids_of(api.get(APPRAISALS, {"q": "ssc"})) == {appraisal.pk}


def test_a_bad_filter_is_a_400(api_for, county_staff, appraisal):
    response = api_for(county_staff).get(APPRAISALS, {"final_grade": "best"})

    assert response.status_code == 400


@pytest.mark.parametrize(
    ("role", "inputs"),
    [
        ("secretary", ["talk", "evaluation"]),
        ("team_member", ["inspection"]),
        ("township_staff", []),
        ("unit_staff", []),
    ],
)
def test_each_user_is_told_the_inputs_they_may_enter(role, inputs, request, api_for, appraisal):
    request.getfixturevalue("team")
    api = api_for(request.getfixturevalue(role))

    assert api.get(f"{APPRAISALS}{appraisal.pk}/").json()["inputs"] == inputs


# --- appraisals: entering the inputs ----------------------------------------------------------


def patch(api, appraisal, body, **extra):
    return api.patch(f"{APPRAISALS}{appraisal.pk}/", body, format="json", **extra)


def test_the_team_enters_the_on_site_inspection(api_for, team_member, team, appraisal):
    response = patch(
        api_for(team_member), appraisal, {"inspection_score": "86.5", "inspection_note": "在岗"}
    )

    assert response.status_code == 200, response.content
    assert response.json()["inspection_score"] == "86.50"
    appraisal.refresh_from_db()
    assert appraisal.inspection_by == team_member
    assert appraisal.inspection_at is not None


@pytest.mark.parametrize(
    "body", [{"talk_score": "90"}, {"satisfied": 3}, {"final_grade": "competent"}]
)
def test_the_team_enters_nothing_else(body, api_for, team_member, team, appraisal):
    response = patch(api_for(team_member), appraisal, body)

    assert response.status_code == 403
    appraisal.refresh_from_db()
    assert (appraisal.talk_score, appraisal.satisfied, appraisal.final_grade) == (None, 0, "")


def test_the_secretary_enters_the_talk_and_the_counts(api_for, secretary, appraisal):
    response = patch(
        api_for(secretary),
        appraisal,
        {
            "talk_score": "88",
            "talk_note": "服务群众热情",
            "satisfied": 9,
            "basically_satisfied": 1,
            "unsatisfied": 0,
        },
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["talk_score"] == "88.00"
    assert body["evaluation_score"] == "96.00"
    assert body["talk_by_name"] == body["evaluation_by_name"] == str(secretary)


@pytest.mark.parametrize(
    "body", [{"inspection_score": "90"}, {"final_grade": "competent"}, {"opinion": "好"}]
)
def test_the_secretary_enters_neither_inspection_nor_grade(body, api_for, secretary, appraisal):
    response = patch(api_for(secretary), appraisal, body)

    assert response.status_code == 403
    appraisal.refresh_from_db()
    assert (appraisal.inspection_score, appraisal.final_grade, appraisal.opinion) == (None, "", "")


def test_another_secretary_in_the_same_county_cannot_even_see_it(
    api_for, other_secretary, appraisal
):
    assert patch(api_for(other_secretary), appraisal, {"talk_score": "90"}).status_code == 404


@pytest.mark.parametrize("role", ["township_staff", "unit_staff"])
def test_those_who_only_look_enter_nothing(role, request, api_for, appraisal):
    response = patch(api_for(request.getfixturevalue(role)), appraisal, {"talk_score": "90"})

    assert response.status_code == 403


def test_county_staff_set_the_final_grade_and_opinion(api_for, county_staff, appraisal, quota):
    response = patch(
        api_for(county_staff), appraisal, {"final_grade": "excellent", "opinion": "表现优秀"}
    )

    assert response.status_code == 200, response.content
    assert response.json()["final_grade_label"]
    appraisal.refresh_from_db()
    assert (appraisal.final_grade, appraisal.graded_by) == ("excellent", county_staff)


def test_an_excellent_beyond_the_quota_is_a_400_naming_unit_quota_and_holder(
    api_for, county_staff, appraisal, quota, community, work_unit, period
):
    holder = RegistrationFactory(
        community=community,
        cadre=CadreFactory(name="赵莹", work_unit=work_unit),
        status="confirmed",
    )
    services.appraisals_sync(actor=county_staff, period=period)
    services.appraisal_update(
        actor=county_staff,
        appraisal=period.appraisals.get(cadre=holder.cadre),
        changes={"final_grade": "excellent"},
    )

    response = patch(api_for(county_staff), appraisal, {"final_grade": "excellent"}, **EN)

    assert response.status_code == 400
    message = response.json()["final_grade"][0]
    assert "县民政局" in message
    assert "1" in message
    assert "赵莹" in message
    appraisal.refresh_from_db()
    assert appraisal.final_grade == ""


def test_an_excellent_without_any_quota_is_a_400(api_for, county_staff, appraisal):
    response = patch(api_for(county_staff), appraisal, {"final_grade": "excellent"}, **EN)

    assert response.status_code == 400
    assert "no “excellent” quota" in response.json()["final_grade"][0]


def test_a_closed_period_refuses_every_input_with_a_400(
    api_for, county_staff, secretary, appraisal, period
):
    closed(period, county_staff)

    for user, body in [(county_staff, {"final_grade": "competent"}), (secretary, {"satisfied": 2})]:
        response = patch(api_for(user), appraisal, body, **EN)
        assert response.status_code == 400
        assert "is closed" in str(response.json())
    appraisal.refresh_from_db()
    assert (appraisal.final_grade, appraisal.satisfied) == ("", 0)


def test_a_closed_period_tells_the_caller_there_is_nothing_to_enter(
    api_for, county_staff, appraisal, period
):
    closed(period, county_staff)

    assert api_for(county_staff).get(f"{APPRAISALS}{appraisal.pk}/").json()["inputs"] == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"talk_score": "100.01"}, "talk_score"),
        ({"talk_score": "-1"}, "talk_score"),
        ({"talk_score": "九十"}, "talk_score"),
        ({"satisfied": -1}, "satisfied"),
        ({"final_grade": "best"}, "final_grade"),
        ({"opinion": "很" * 2001}, "opinion"),
        ({"cadre": 1}, "cadre"),
        ({"work_unit": 1}, "work_unit"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(body, field, api_for, county_staff, appraisal):
    response = patch(api_for(county_staff), appraisal, body)

    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.parametrize("body", [[], "text", 3])
def test_a_body_that_is_no_object_is_a_400(body, api_for, county_staff, appraisal):
    response = patch(api_for(county_staff), appraisal, body)

    assert response.status_code == 400


def test_an_empty_patch_changes_nothing(api_for, county_staff, appraisal):
    response = patch(api_for(county_staff), appraisal, {})

    assert response.status_code == 200
    appraisal.refresh_from_db()
    assert appraisal.graded_by is None


def test_put_and_delete_are_not_allowed(api_for, county_staff, appraisal, period):
    api = api_for(county_staff)

    assert api.put(f"{APPRAISALS}{appraisal.pk}/", {}, format="json").status_code == 405
    assert api.delete(f"{APPRAISALS}{appraisal.pk}/").status_code == 405
    assert api.delete(f"{PERIODS}{period.pk}/").status_code == 405


# --- quotas -----------------------------------------------------------------------------------


def test_county_staff_set_a_quota_and_set_it_again(api_for, county_staff, period, work_unit):
    api = api_for(county_staff)
    body = {"period": period.pk, "work_unit": work_unit.pk, "excellent": 2}

    first = api.post(QUOTAS, body, format="json")
    second = api.post(QUOTAS, {**body, "excellent": 3}, format="json")

    assert first.status_code == 201, first.content
    assert second.status_code == 200
    assert second.json()["id"] == first.json()["id"]
    assert Quota.objects.get().excellent == 3


def test_a_quota_shows_what_is_given_and_to_whom(api_for, county_staff, appraisal, quota):
    services.appraisal_update(
        actor=county_staff, appraisal=appraisal, changes={"final_grade": "excellent"}
    )

    body = api_for(county_staff).get(f"{QUOTAS}{quota.pk}/").json()

    assert (body["excellent"], body["given"], body["holders"]) == (1, 1, ["孙守超"])
    assert body["work_unit_name"] == "县民政局"


def test_a_quota_cannot_drop_below_the_excellent_given(api_for, county_staff, appraisal, quota):
    services.appraisal_update(
        actor=county_staff, appraisal=appraisal, changes={"final_grade": "excellent"}
    )

    response = api_for(county_staff).patch(
        f"{QUOTAS}{quota.pk}/", {"excellent": 0}, format="json", **EN
    )

    assert response.status_code == 400
    assert "孙守超" in response.json()["excellent"][0]
    quota.refresh_from_db()
    assert quota.excellent == 1


@pytest.mark.parametrize("role", ["secretary", "township_staff", "team_member"])
def test_only_the_organisation_department_sets_quotas(role, request, api_for, period, work_unit):
    api = api_for(request.getfixturevalue(role))

    response = api.post(
        QUOTAS, {"period": period.pk, "work_unit": work_unit.pk, "excellent": 5}, format="json"
    )

    assert response.status_code in (400, 403)
    assert not Quota.objects.exists()


def test_a_quota_patch_by_a_secretary_is_a_403(api_for, secretary, quota):
    response = api_for(secretary).patch(f"{QUOTAS}{quota.pk}/", {"excellent": 5}, format="json")

    assert response.status_code == 403


def test_a_work_unit_of_another_county_is_refused(api_for, admin_user, period, far_community):
    far_unit = WorkUnitFactory(county=far_community.parent.parent)

    response = api_for(admin_user).post(
        QUOTAS, {"period": period.pk, "work_unit": far_unit.pk, "excellent": 1}, format="json"
    )

    assert response.status_code == 400
    assert "work_unit" in response.json()


@pytest.mark.parametrize("excellent", [-1, "many", None])
def test_a_bad_number_of_places_is_a_400(excellent, api_for, county_staff, period, work_unit):
    response = api_for(county_staff).post(
        QUOTAS,
        {"period": period.pk, "work_unit": work_unit.pk, "excellent": excellent},
        format="json",
    )

    assert response.status_code == 400
    assert "excellent" in response.json()


def test_a_quota_of_a_closed_period_is_a_400(api_for, county_staff, quota, period):
    closed(period, county_staff)

    response = api_for(county_staff).patch(f"{QUOTAS}{quota.pk}/", {"excellent": 5}, format="json")

    assert response.status_code == 400


def test_quotas_filter_by_period(api_for, county_staff, quota, county, work_unit):
    other = services.period_save(
        actor=county_staff,
        period=Period(county=county, name="另一期", starts_on=today(), ends_on=today()),
    )
    services.quota_set(actor=county_staff, period=other, work_unit=work_unit, excellent=4)
    api = api_for(county_staff)

    assert ids_of(api.get(QUOTAS, {"period": quota.period_id})) == {quota.pk}
    assert len(ids_of(api.get(QUOTAS))) == 2


# --- commendations ----------------------------------------------------------------------------


def commendation_body(appraisal, **changes) -> dict:
    body = {
        "cadre": appraisal.cadre_id,
        "period": appraisal.period_id,
        "kind": "merit",
        "awarded_on": today().isoformat(),
        "reason": "连续值守卡点二十天",
        "approver": "中共铁岭县委组织部",
    }
    body.update(changes)
    return body


def test_county_staff_record_a_commendation(api_for, county_staff, appraisal):
    response = api_for(county_staff).post(
        COMMENDATIONS, commendation_body(appraisal), format="json"
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["cadre_name"], body["kind"], body["recorded_by_name"]) == (
        "孙守超",
        "merit",
        str(county_staff),
    )
    assert Commendation.objects.get().recorded_by == county_staff


def test_commendations_have_no_ratio_limit(api_for, county_staff, appraisal):
    api = api_for(county_staff)

    for kind in ["citation", "merit", "citation"]:
        response = api.post(COMMENDATIONS, commendation_body(appraisal, kind=kind), format="json")
        assert response.status_code == 201

    assert Commendation.objects.count() == 3


def test_a_commendation_without_a_period_is_fine(api_for, county_staff, appraisal):
    response = api_for(county_staff).post(
        COMMENDATIONS, commendation_body(appraisal, period=None), format="json"
    )

    assert response.status_code == 201
    assert response.json()["period_name"] == ""


@pytest.mark.parametrize("role", ["secretary", "township_staff"])
def test_only_the_organisation_department_records_commendations(role, request, api_for, appraisal):
    api = api_for(request.getfixturevalue(role))

    response = api.post(COMMENDATIONS, commendation_body(appraisal), format="json")

    assert response.status_code == 403
    assert not Commendation.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"awarded_on": (timezone.localdate() + timedelta(days=3)).isoformat()}, "awarded_on"),
        ({"kind": "medal"}, "kind"),
        ({"reason": ""}, "reason"),
        ({"cadre": 0}, "cadre"),
    ],
)
def test_a_bad_commendation_is_a_400(changes, field, api_for, county_staff, appraisal):
    response = api_for(county_staff).post(
        COMMENDATIONS, commendation_body(appraisal, **changes), format="json"
    )

    assert response.status_code == 400
    assert field in response.json()


def test_a_commendation_in_a_closed_period_is_a_400(api_for, county_staff, appraisal, period):
    closed(period, county_staff)

    response = api_for(county_staff).post(
        COMMENDATIONS, commendation_body(appraisal), format="json"
    )

    assert response.status_code == 400
    assert not Commendation.objects.exists()


def test_commendations_cannot_be_changed(api_for, county_staff, commendation):
    response = api_for(county_staff).patch(
        f"{COMMENDATIONS}{commendation.pk}/", {"reason": "改"}, format="json"
    )

    assert response.status_code == 405


# --- query counts -----------------------------------------------------------------------------


def _grow(size, period, county_staff, township):
    """`size` more cadres serving in new communities of the township, each with an appraisal
    (all inputs in), a quota for their unit and a commendation."""
    for n in range(size):
        community = CommunityFactory(parent=township)
        unit = WorkUnitFactory(county=period.county)
        registration = RegistrationFactory(
            community=community, cadre__work_unit=unit, status="confirmed"
        )
        services.appraisals_sync(actor=county_staff, period=period)
        services.quota_set(actor=county_staff, period=period, work_unit=unit, excellent=1)
        services.appraisal_update(
            actor=county_staff,
            appraisal=period.appraisals.get(cadre=registration.cadre),
            changes={
                "inspection_score": Decimal(80 + n % 20),
                "talk_score": Decimal(85),
                "satisfied": 5,
                "final_grade": "excellent",
            },
        )
        services.commendation_add(
            actor=county_staff,
            cadre=registration.cadre,
            kind="citation",
            awarded_on=today(),
            reason="表现突出",
            approver="中共铁岭县委组织部",
            period=period,
        )


# The token, the user's area, the period; the export's three: the teams' figures per community,
# the rows (one cursor), the quotas.
WORKBOOK_QUERIES = 6
LIST_BOUND = {PERIODS: 4, APPRAISALS: 5, QUOTAS: 4, COMMENDATIONS: 4}


@pytest.mark.parametrize("url", LIST_BOUND)
@pytest.mark.parametrize("size", [1, 12])
def test_list_query_count_does_not_grow_with_rows(
    url, size, api_for, county_staff, period, township, team, django_assert_max_num_queries
):
    _grow(size, period, county_staff, township)
    for n in range(size):
        services.period_save(
            actor=county_staff,
            period=Period(
                county=period.county, name=f"第{n}期", starts_on=today(), ends_on=today()
            ),
        )
    api = api_for(county_staff)

    with django_assert_max_num_queries(LIST_BOUND[url]):
        response = api.get(url)

    assert response.status_code == 200
    assert response.json()["count"] >= size


@pytest.mark.parametrize("size", [1, 12])
def test_a_secretarys_list_takes_the_same_queries(
    size, api_for, secretary, county_staff, period, community, django_assert_max_num_queries
):
    for _ in range(size):
        RegistrationFactory(
            community=community, cadre__work_unit__county=period.county, status="confirmed"
        )
    services.appraisals_sync(actor=county_staff, period=period)
    api = api_for(secretary)

    with django_assert_max_num_queries(6):  # and the period filter's, the area's
        response = api.get(APPRAISALS, {"period": period.pk})

    assert response.json()["count"] == size + 1


@pytest.mark.parametrize("size", [1, 12])
def test_patching_takes_the_same_queries_however_many_appraisals(
    size, api_for, county_staff, period, township, appraisal, django_assert_max_num_queries
):
    _grow(size, period, county_staff, township)
    api = api_for(county_staff)

    with django_assert_max_num_queries(15):
        response = patch(api, appraisal, {"talk_score": "77", "opinion": "称职"})

    assert response.status_code == 200


# --- the workbook -----------------------------------------------------------------------------


def workbook_of(response):
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert "attachment" in response["Content-Disposition"]
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def names_in(workbook) -> set[str]:
    return {
        cell
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if isinstance(cell, str)
    }


@pytest.fixture
def neighbour(period, other_community, county, county_staff):
    """钱多 of 县卫健局, serving in 天嘉苑社区 (the same township), appraised in the period."""
    registration = RegistrationFactory(
        cadre=CadreFactory(name="钱多", work_unit=WorkUnitFactory(county=county, name="县卫健局")),
        community=other_community,
        status="confirmed",
    )
    services.appraisals_sync(actor=county_staff, period=period)
    return period.appraisals.get(cadre=registration.cadre)


def workbook_url(period) -> str:
    return f"{PERIODS}{period.pk}/workbook/"


def test_the_county_workbook_has_a_sheet_per_unit_and_every_cadre(
    api_for, county_staff, appraisal, neighbour, period
):
    workbook = workbook_of(api_for(county_staff).get(workbook_url(period), **EN))

    assert {"县民政局", "县卫健局"} <= set(workbook.sheetnames)
    assert len(workbook.sheetnames) == 3  # and the summary
    assert {"孙守超", "钱多"} <= names_in(workbook)


def test_a_units_workbook_has_its_cadres_only(
    api_for, county_staff, appraisal, neighbour, period, work_unit
):
    workbook = workbook_of(
        api_for(county_staff).get(workbook_url(period), {"work_unit": work_unit.pk})
    )

    assert workbook.sheetnames == ["县民政局"]
    names = names_in(workbook)
    assert "孙守超" in names
    assert "钱多" not in names


def test_a_townships_workbook_takes_its_communities(
    api_for, county_staff, appraisal, neighbour, period, township, far_community
):
    workbook = workbook_of(
        api_for(county_staff).get(workbook_url(period), {"township": township.pk})
    )

    assert {"孙守超", "钱多"} <= names_in(workbook)


def test_a_secretarys_workbook_holds_their_communitys_cadres_only(
    api_for, secretary, appraisal, neighbour, period
):
    workbook = workbook_of(api_for(secretary).get(workbook_url(period)))

    names = names_in(workbook)
    assert "孙守超" in names
    assert "钱多" not in names


def test_a_closed_periods_workbook_still_downloads(api_for, county_staff, appraisal, period):
    closed(period, county_staff)

    assert "孙守超" in names_in(workbook_of(api_for(county_staff).get(workbook_url(period))))


def test_asking_for_the_workbook_by_its_media_type_gets_it(api_for, county_staff, period):
    response = api_for(county_staff).get(workbook_url(period), HTTP_ACCEPT=XLSX_CONTENT_TYPE)

    workbook_of(response)


def test_the_workbook_is_refused_to_the_anonymous_and_404_to_outsiders(
    api_client, api_for, far_secretary, period
):
    assert api_client.get(workbook_url(period)).status_code == 401
    assert api_for(far_secretary).get(workbook_url(period)).status_code == 404


@pytest.mark.parametrize("scope", ["work_unit", "township"])
@pytest.mark.parametrize("value", ["x", "0", "999999"])
def test_a_scope_out_of_view_or_malformed_is_a_400(scope, value, api_for, county_staff, period):
    response = api_for(county_staff).get(workbook_url(period), {scope: value})

    assert response.status_code == 400
    assert scope in response.json()


def test_a_unit_of_another_county_is_a_400(api_for, county_staff, period, far_community):
    far_unit = WorkUnitFactory(county=far_community.parent.parent)

    response = api_for(county_staff).get(workbook_url(period), {"work_unit": far_unit.pk})

    assert response.status_code == 400


@pytest.mark.parametrize("size", [1, 12])
def test_the_workbook_takes_the_same_queries_however_many_cadres(
    size, api_for, county_staff, period, township, team, django_assert_max_num_queries
):
    _grow(size, period, county_staff, township)
    api = api_for(county_staff)

    with django_assert_max_num_queries(WORKBOOK_QUERIES):
        response = api.get(workbook_url(period))
        workbook = workbook_of(response)

    assert len(workbook.sheetnames) == size + 2  # 县民政局, a unit each, the summary


# --- documentation ----------------------------------------------------------------------------


def test_schema_documents_every_appraisal_endpoint(api_for, secretary):
    response = api_for(secretary).get("/api/schema/", {"format": "json"})

    assert response.status_code == 200
    schema = response.json()
    paths = schema["paths"]
    for endpoint in ["appraisal-periods", "appraisals", "appraisal-quotas", "commendations"]:
        assert f"/api/{endpoint}/" in paths
        assert f"/api/{endpoint}/{{id}}/" in paths
    for action in ["close", "sync", "workbook"]:
        assert f"/api/appraisal-periods/{{id}}/{action}/" in paths
    patch_body = paths["/api/appraisals/{id}/"]["patch"]["requestBody"]
    assert patch_body["content"]["application/json"]["schema"]["$ref"].endswith(
        "PatchedAppraisalUpdate"
    ) or "AppraisalUpdate" in str(patch_body)
    assert "put" not in paths["/api/appraisals/{id}/"]
