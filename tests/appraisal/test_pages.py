"""The appraisal pages: who sees what (anonymous refused, out of scope 404, the right user
served), opening a period, quotas, each input entered by its own people, the quota's refusal on
the grade field, a closed period, commendations; query counts pinned at two sizes."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from appraisal import services
from appraisal.choices import Grade, PeriodStatus
from appraisal.exports import appraisal_columns
from appraisal.models import Appraisal, Commendation, Period, Quota
from cadres.models import Post
from communities.choices import Role
from tests.factories import (
    CadreFactory,
    CommunityFactory,
    RegistrationFactory,
    TownshipFactory,
    UserFactory,
    WorkUnitFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client, settings):
    """Pages in English, whatever the Chinese catalogue holds."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def far_secretary(far_community):
    """A secretary of another county: sees nothing of this county's appraisal."""
    return UserFactory(username="far", role=Role.SECRETARY, area=far_community)


def serving(count, work_unit, community, period, admin_user, **cadre):
    """`count` more cadres of `work_unit` confirmed in `community`, added to the period: their
    appraisals."""
    cadres = [CadreFactory(work_unit=work_unit, **cadre) for _ in range(count)]
    for person in cadres:
        RegistrationFactory(cadre=person, community=community, status="confirmed")
    services.appraisals_sync(actor=admin_user, period=period)
    return list(Appraisal.objects.filter(period=period, cadre__in=cadres).order_by("pk"))


def grade(appraisal, admin_user, value=Grade.EXCELLENT):
    return services.appraisal_update(
        actor=admin_user, appraisal=appraisal, changes={"final_grade": value}
    )


def pages(period, appraisal):
    return [
        reverse("appraisal:periods"),
        reverse("appraisal:period-detail", args=[period.pk]),
        reverse("appraisal:appraisals", args=[period.pk]),
        reverse("appraisal:appraisal-detail", args=[appraisal.pk]),
        reverse("appraisal:commendations"),
    ]


def period_pages(period, appraisal):
    return [
        reverse("appraisal:period-detail", args=[period.pk]),
        reverse("appraisal:appraisals", args=[period.pk]),
        reverse("appraisal:appraisal-detail", args=[appraisal.pk]),
    ]


def manager_pages(period):
    return [
        ("post", reverse("appraisal:quota-set", args=[period.pk])),
        ("post", reverse("appraisal:period-sync", args=[period.pk])),
        ("get", reverse("appraisal:period-close", args=[period.pk])),
        ("post", reverse("appraisal:period-close", args=[period.pk])),
    ]


# --- the triads -------------------------------------------------------------------------------


def test_every_page_needs_login(client, period, appraisal):
    urls = [*pages(period, appraisal), *(url for _, url in manager_pages(period))]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("login"))
    response = client.post(reverse("appraisal:period-close", args=[period.pk]))
    assert response.status_code == 302
    period.refresh_from_db()
    assert period.status == PeriodStatus.OPEN


@pytest.mark.parametrize(
    "role", ["county_staff", "township_staff", "secretary", "team_member", "unit_staff", "admin"]
)
def test_everyone_working_on_the_period_sees_its_pages(
    request, client_for, role, period, appraisal, team
):
    user = request.getfixturevalue("admin_user" if role == "admin" else role)
    client = client_for(user)
    for url in pages(period, appraisal):
        assert client.get(url).status_code == 200, (role, url)


def test_another_county_sees_none_of_it(client_for, far_secretary, period, appraisal):
    client = client_for(far_secretary)
    for url in period_pages(period, appraisal):
        assert client.get(url).status_code == 404, url
    for method, url in manager_pages(period):
        assert getattr(client, method)(url).status_code == 404, url
    assert client.get(reverse("appraisal:workbook", args=[period.pk])).status_code == 404
    assert list(client.get(reverse("appraisal:periods")).context["periods"]) == []


def test_another_communitys_secretary_gets_404_on_the_appraisal(
    client_for, other_secretary, period, appraisal
):
    client = client_for(other_secretary)
    url = reverse("appraisal:appraisal-detail", args=[appraisal.pk])
    assert client.get(url).status_code == 404
    response = client.post(url, {"input": "talk", "talk-talk_score": "99"})
    assert response.status_code == 404
    appraisal.refresh_from_db()
    assert appraisal.talk_score is None


def test_a_secretary_lists_only_their_communitys_cadres(
    client_for, secretary, period, appraisal, work_unit, other_community, admin_user
):
    serving(2, work_unit, other_community, period, admin_user)
    response = client_for(secretary).get(reverse("appraisal:appraisals", args=[period.pk]))
    assert [a.pk for a in response.context["appraisals"]] == [appraisal.pk]
    assert "孙守超" in response.text


def test_only_those_running_the_period_get_its_actions(
    client_for, secretary, township_staff, team_member, team, period
):
    for user in (secretary, township_staff, team_member):
        client = client_for(user)
        for method, url in manager_pages(period):
            assert getattr(client, method)(url).status_code == 404, (user, url)
    period.refresh_from_db()
    assert period.status == PeriodStatus.OPEN
    assert not Quota.objects.exists()


# --- periods ----------------------------------------------------------------------------------


def period_data(**changes):
    today = timezone.localdate()
    data = {
        "name": "2026年度考核",
        "starts_on": (today - timedelta(days=10)).isoformat(),
        "ends_on": (today + timedelta(days=100)).isoformat(),
        "weight_inspection": 40,
        "weight_talk": 30,
        "weight_evaluation": 30,
        "excellent_from": "90",
        "competent_from": "75",
        "basic_from": "60",
        "points_satisfied": 100,
        "points_basic": 60,
        "points_unsatisfied": 0,
    }
    return {**data, **changes}


def test_county_staff_open_a_period_with_its_appraisals(
    client_for, county_staff, county, confirmed_registration
):
    response = client_for(county_staff).post(reverse("appraisal:periods"), period_data())
    period = Period.objects.get(name="2026年度考核")
    assert response.status_code == 302
    assert response.url == reverse("appraisal:period-detail", args=[period.pk])
    assert period.county == county
    assert list(period.appraisals.values_list("cadre", flat=True)) == [
        confirmed_registration.cadre_id
    ]


def test_weights_not_adding_up_to_100_show_on_the_form(client_for, county_staff, county):
    response = client_for(county_staff).post(
        reverse("appraisal:periods"), period_data(weight_talk=35)
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["weight_inspection"] == ["The three weights must add up to 100."]
    assert not Period.objects.exists()


def test_thresholds_out_of_order_show_on_the_form(client_for, county_staff, county):
    response = client_for(county_staff).post(
        reverse("appraisal:periods"), period_data(competent_from="95")
    )
    assert response.status_code == 400
    assert "excellent_from" in response.context["form"].errors
    assert not Period.objects.exists()


def test_a_name_taken_in_the_county_is_refused_on_the_name(client_for, county_staff, period):
    response = client_for(county_staff).post(
        reverse("appraisal:periods"), period_data(name=period.name)
    )
    assert response.status_code == 400
    assert response.context["form"].errors["name"] == [
        "This county already has a period of this name."
    ]


def test_others_get_no_period_form(client_for, secretary, township_staff, county):
    for user in (secretary, township_staff):
        client = client_for(user)
        assert client.get(reverse("appraisal:periods")).context["form"] is None
        assert client.post(reverse("appraisal:periods"), period_data()).status_code == 404
    assert not Period.objects.exists()


def test_period_page_shows_rules_counts_and_quota_use(
    client_for, county_staff, period, appraisal, admin_user
):
    services.quota_set(actor=admin_user, period=period, work_unit=appraisal.work_unit, excellent=2)
    grade(appraisal, admin_user)
    response = client_for(county_staff).get(reverse("appraisal:period-detail", args=[period.pk]))
    assert response.context["counts"]["total"] == 1
    assert response.context["counts"]["graded"] == 1
    assert response.context["counts"]["missing_talk"] == 1
    [quota] = response.context["quotas"]
    assert (quota.excellent, quota.given, quota.holders) == (2, 1, "孙守超")
    assert period.evaluation_rule() in response.text
    assert response.context["quota_form"] is not None


def test_county_staff_set_a_quota(client_for, county_staff, period, work_unit):
    url = reverse("appraisal:quota-set", args=[period.pk])
    response = client_for(county_staff).post(url, {"work_unit": work_unit.pk, "excellent": 3})
    assert response.status_code == 302
    assert Quota.objects.get(period=period, work_unit=work_unit).excellent == 3


def test_a_quota_below_the_excellent_given_is_refused_on_the_form(
    client_for, county_staff, period, appraisal, work_unit, admin_user
):
    services.quota_set(actor=admin_user, period=period, work_unit=work_unit, excellent=1)
    grade(appraisal, admin_user)
    url = reverse("appraisal:quota-set", args=[period.pk])
    response = client_for(county_staff).post(url, {"work_unit": work_unit.pk, "excellent": 0})
    assert response.status_code == 400
    assert "孙守超" in response.context["quota_form"].errors["excellent"][0]
    assert Quota.objects.get(period=period, work_unit=work_unit).excellent == 1


def test_a_unit_of_another_county_is_not_offered(client_for, county_staff, period):
    stranger = WorkUnitFactory(name="外县单位")
    url = reverse("appraisal:quota-set", args=[period.pk])
    response = client_for(county_staff).post(url, {"work_unit": stranger.pk, "excellent": 1})
    assert response.status_code == 400
    assert "work_unit" in response.context["quota_form"].errors
    assert not Quota.objects.exists()


def test_adding_the_cadres_who_started_serving(
    client_for, county_staff, period, appraisal, work_unit, other_community
):
    RegistrationFactory(
        cadre=CadreFactory(work_unit=work_unit, name="新报到"),
        community=other_community,
        status="confirmed",
    )
    client = client_for(county_staff)
    response = client.post(reverse("appraisal:period-sync", args=[period.pk]), follow=True)
    assert "1 cadre added." in response.text
    assert period.appraisals.count() == 2


def test_closing_asks_first_then_closes_for_good(client_for, county_staff, period, appraisal):
    client = client_for(county_staff)
    url = reverse("appraisal:period-close", args=[period.pk])
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "Close it for good" in confirm.text
    period.refresh_from_db()
    assert period.status == PeriodStatus.OPEN

    response = client.post(url, follow=True)
    period.refresh_from_db()
    assert period.status == PeriodStatus.CLOSED
    assert period.closed_by == county_staff
    assert "quota_form" not in response.context
    assert client.get(url).status_code == 302


# --- inputs -----------------------------------------------------------------------------------


def enter(client, appraisal, what, **fields):
    data = {"input": what, **{f"{what}-{name}": value for name, value in fields.items()}}
    return client.post(reverse("appraisal:appraisal-detail", args=[appraisal.pk]), data)


def form_inputs(client, appraisal):
    response = client.get(reverse("appraisal:appraisal-detail", args=[appraisal.pk]))
    return [form.input for form in response.context["forms"]]


def test_each_role_is_offered_its_own_inputs(
    client_for, county_staff, secretary, team_member, team, unit_staff, township_staff, appraisal
):
    assert form_inputs(client_for(team_member), appraisal) == ["inspection"]
    assert form_inputs(client_for(secretary), appraisal) == ["talk", "evaluation"]
    assert form_inputs(client_for(county_staff), appraisal) == [
        "inspection",
        "talk",
        "evaluation",
        "grade",
    ]
    assert form_inputs(client_for(unit_staff), appraisal) == []
    assert form_inputs(client_for(township_staff), appraisal) == []


def test_a_team_account_enters_the_inspection(client_for, team_member, team, appraisal):
    response = enter(
        client_for(team_member),
        appraisal,
        "inspection",
        inspection_score="88.5",
        inspection_note="卡点值守到位",
    )
    assert response.status_code == 302
    appraisal.refresh_from_db()
    assert appraisal.inspection_score == Decimal("88.50")
    assert appraisal.inspection_note == "卡点值守到位"
    assert appraisal.inspection_by == team_member


def test_the_secretary_enters_the_talk_and_the_counts(client_for, secretary, appraisal):
    client = client_for(secretary)
    assert (
        enter(client, appraisal, "talk", talk_score="92", talk_note="表现积极").status_code == 302
    )
    response = enter(
        client, appraisal, "evaluation", satisfied=8, basically_satisfied=2, unsatisfied=0
    )
    assert response.status_code == 302
    appraisal.refresh_from_db()
    assert (appraisal.talk_score, appraisal.talk_by) == (Decimal(92), secretary)
    assert (appraisal.satisfied, appraisal.basically_satisfied) == (8, 2)
    assert appraisal.evaluation_score == Decimal("92.00")


def test_county_staff_set_the_final_grade_and_opinion(client_for, county_staff, appraisal):
    Quota.objects.create(period=appraisal.period, work_unit=appraisal.work_unit, excellent=1)
    response = enter(
        client_for(county_staff), appraisal, "grade", final_grade="excellent", opinion="同意"
    )
    assert response.status_code == 302
    appraisal.refresh_from_db()
    assert (appraisal.final_grade, appraisal.opinion) == (Grade.EXCELLENT, "同意")
    assert appraisal.graded_by == county_staff


def test_an_input_not_ones_own_is_a_404(client_for, secretary, team_member, team, appraisal):
    assert (
        enter(client_for(secretary), appraisal, "grade", final_grade="excellent").status_code == 404
    )
    assert enter(client_for(team_member), appraisal, "talk", talk_score="10").status_code == 404
    assert enter(client_for(secretary), appraisal, "nonsense").status_code == 404
    appraisal.refresh_from_db()
    assert (appraisal.final_grade, appraisal.talk_score) == ("", None)


def test_a_bad_score_is_a_form_error(client_for, secretary, appraisal):
    for score in ("101", "-1", "abc", ""):
        response = enter(client_for(secretary), appraisal, "talk", talk_score=score)
        assert response.status_code == 400, score
        [form] = [f for f in response.context["forms"] if f.input == "talk"]
        assert "talk_score" in form.errors, score
    appraisal.refresh_from_db()
    assert appraisal.talk_score is None


def test_excellent_beyond_the_quota_names_unit_quota_and_holder(
    client_for, county_staff, period, appraisal, work_unit, community, admin_user
):
    [second] = serving(1, work_unit, community, period, admin_user, name="王立新")
    services.quota_set(actor=admin_user, period=period, work_unit=work_unit, excellent=1)
    grade(appraisal, admin_user)
    response = enter(client_for(county_staff), second, "grade", final_grade="excellent")
    assert response.status_code == 400
    [form] = [f for f in response.context["forms"] if f.input == "grade"]
    [message] = form.errors["final_grade"]
    assert "县民政局" in message
    assert "1 “excellent” places" in message
    assert "孙守超" in message
    assert message in response.text
    second.refresh_from_db()
    assert second.final_grade == ""


def test_a_closed_period_shows_no_forms_and_refuses(
    client_for, county_staff, secretary, period, appraisal, admin_user
):
    services.period_close(actor=admin_user, period=period)
    for user in (county_staff, secretary):
        assert form_inputs(client_for(user), appraisal) == []
    response = enter(client_for(secretary), appraisal, "talk", talk_score="90")
    assert response.status_code == 400
    assert "is closed" in response.text
    appraisal.refresh_from_db()
    assert appraisal.talk_score is None
    detail = client_for(county_staff).get(reverse("appraisal:period-detail", args=[period.pk]))
    assert "quota_form" not in detail.context
    assert "upload_form" not in detail.context


def test_the_appraisal_page_shows_the_facts(
    client_for, county_staff, appraisal, confirmed_registration, community, admin_user
):
    Post.objects.create(registration=confirmed_registration, community=community, kind="publicist")
    services.commendation_add(
        actor=admin_user,
        cadre=appraisal.cadre,
        kind="citation",
        awarded_on=timezone.localdate(),
        reason="卡点值守表现突出",
        approver="中共铁岭县委组织部",
    )
    response = client_for(county_staff).get(
        reverse("appraisal:appraisal-detail", args=[appraisal.pk])
    )
    assert response.context["posts"] == ["Publicist"]
    assert response.context["appraisal"].days_registered >= 1
    assert "卡点值守表现突出" in response.text


# --- commendations ----------------------------------------------------------------------------


def commendation_data(cadre, **changes):
    data = {
        "cadre": cadre.pk,
        "kind": "merit",
        "awarded_on": timezone.localdate().isoformat(),
        "reason": "连续值守卡点30天",
        "approver": "中共铁岭县委组织部",
    }
    return {**data, **changes}


def test_county_staff_record_a_commendation(client_for, county_staff, appraisal, period):
    client = client_for(county_staff)
    data = commendation_data(appraisal.cadre, period=period.pk)
    response = client.post(reverse("appraisal:commendations"), data)
    assert response.status_code == 302
    commendation = Commendation.objects.get()
    assert (commendation.kind, commendation.period, commendation.recorded_by) == (
        "merit",
        period,
        county_staff,
    )
    listed = client.get(reverse("appraisal:commendations"))
    assert "连续值守卡点30天" in listed.text


def test_a_commendation_dated_tomorrow_is_refused_on_the_date(client_for, county_staff, appraisal):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client_for(county_staff).post(
        reverse("appraisal:commendations"),
        commendation_data(appraisal.cadre, awarded_on=tomorrow),
    )
    assert response.status_code == 400
    assert "awarded_on" in response.context["form"].errors
    assert not Commendation.objects.exists()


def test_only_the_organisation_department_records_commendations(client_for, secretary, appraisal):
    client = client_for(secretary)
    assert client.get(reverse("appraisal:commendations")).context["form"] is None
    response = client.post(reverse("appraisal:commendations"), commendation_data(appraisal.cadre))
    assert response.status_code == 404
    assert not Commendation.objects.exists()


def test_a_cadre_of_another_county_is_not_offered(client_for, county_staff, appraisal):
    stranger = CadreFactory(name="外县干部")
    response = client_for(county_staff).post(
        reverse("appraisal:commendations"), commendation_data(stranger)
    )
    assert response.status_code == 400
    assert "cadre" in response.context["form"].errors


def test_another_countys_secretary_lists_no_commendation(
    client_for, far_secretary, county_staff, appraisal
):
    client_for(county_staff).post(
        reverse("appraisal:commendations"), commendation_data(appraisal.cadre)
    )
    assert Commendation.objects.count() == 1
    response = client_for(far_secretary).get(reverse("appraisal:commendations"))
    assert list(response.context["commendations"]) == []


def test_the_cadre_is_chosen_from_the_appraisal_page_link(client_for, county_staff, appraisal):
    url = reverse("appraisal:commendations") + f"?cadre={appraisal.cadre_id}"
    response = client_for(county_staff).get(url)
    assert response.context["form"].initial["cadre"] == appraisal.cadre_id
    assert (
        client_for(county_staff).get(reverse("appraisal:commendations") + "?cadre=²").status_code
        == 200
    )


# --- query counts -----------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [3, 30])
def test_the_list_query_count_does_not_grow(
    client_for,
    county_staff,
    period,
    work_unit,
    community,
    admin_user,
    rows,
    django_assert_max_num_queries,
):
    appraisals = serving(rows, work_unit, community, period, admin_user)
    for appraisal in appraisals[:3]:
        registration = appraisal.cadre.registrations.get()
        Post.objects.create(registration=registration, community=community, kind="publicist")
        services.commendation_add(
            actor=admin_user,
            cadre=appraisal.cadre,
            kind="citation",
            awarded_on=timezone.localdate(),
            reason="表现突出",
            approver="中共铁岭县委组织部",
        )
    client = client_for(county_staff)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("appraisal:appraisals", args=[period.pk]))
    assert len(response.context["appraisals"]) == rows + 1


@pytest.mark.parametrize("periods", [1, 8])
def test_the_period_list_query_count_does_not_grow(
    client_for,
    county_staff,
    county,
    confirmed_registration,
    admin_user,
    periods,
    django_assert_max_num_queries,
):
    today = timezone.localdate()
    for number in range(periods):
        services.period_save(
            actor=admin_user,
            period=Period(county=county, name=f"第{number}期", starts_on=today, ends_on=today),
        )
    client = client_for(county_staff)
    with django_assert_max_num_queries(5):
        response = client.get(reverse("appraisal:periods"))
    assert [p.appraisal_count for p in response.context["periods"]] == [1] * periods


@pytest.mark.parametrize("rows", [3, 30])
def test_the_period_page_query_count_does_not_grow(
    client_for,
    county_staff,
    period,
    work_unit,
    community,
    admin_user,
    rows,
    django_assert_max_num_queries,
):
    serving(rows, work_unit, community, period, admin_user)
    for number in range(rows // 3):
        unit = WorkUnitFactory(county=period.county, name=f"县单位甲{number}")
        services.quota_set(actor=admin_user, period=period, work_unit=unit, excellent=1)
    client = client_for(county_staff)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("appraisal:period-detail", args=[period.pk]))
    assert response.context["counts"]["total"] == rows + 1


# --- the workbook -----------------------------------------------------------------------------


def workbook_names(response) -> set[str]:
    """The cadres' names in every sheet of a downloaded workbook."""
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return {
        cell
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if isinstance(cell, str) and cell in NAMES
    }


NAMES = {"孙守超", "王立新", "李红梅"}


@pytest.fixture
def three_cadres(period, appraisal, work_unit, community, other_community, admin_user, county):
    """孙守超 (县民政局, 水木华园社区), 王立新 (县民政局, 天嘉苑社区), 李红梅 (another unit, and
    a community of another township)."""
    serving(1, work_unit, other_community, period, admin_user, name="王立新")
    elsewhere = CommunityFactory(
        name="银州社区", parent=TownshipFactory(name="银州街道", parent=county)
    )
    other_unit = WorkUnitFactory(county=county, name="县卫健局")
    serving(1, other_unit, elsewhere, period, admin_user, name="李红梅")
    return other_unit, elsewhere.parent


def test_county_staff_download_the_county_workbook(client_for, county_staff, period, three_cadres):
    response = client_for(county_staff).get(reverse("appraisal:workbook", args=[period.pk]))
    assert workbook_names(response) == NAMES


def test_the_workbook_of_a_unit_or_a_township(
    client_for, county_staff, period, three_cadres, work_unit
):
    other_unit, other_township = three_cadres
    client = client_for(county_staff)
    url = reverse("appraisal:workbook", args=[period.pk])
    assert workbook_names(client.get(url, {"work_unit": work_unit.pk})) == {"孙守超", "王立新"}
    assert workbook_names(client.get(url, {"work_unit": other_unit.pk})) == {"李红梅"}
    assert workbook_names(client.get(url, {"township": other_township.pk})) == {"李红梅"}


def test_a_unit_and_a_township_at_once_is_a_form_error(
    client_for, county_staff, period, three_cadres, work_unit
):
    _, other_township = three_cadres
    response = client_for(county_staff).get(
        reverse("appraisal:workbook", args=[period.pk]),
        {"work_unit": work_unit.pk, "township": other_township.pk},
    )
    assert response.status_code == 400
    assert response.context["workbook_form"].non_field_errors()
    response = client_for(county_staff).get(
        reverse("appraisal:workbook", args=[period.pk]), {"work_unit": "x"}
    )
    assert response.status_code == 400


def test_a_secretary_downloads_only_their_communitys_cadres(
    client_for, secretary, period, three_cadres
):
    response = client_for(secretary).get(reverse("appraisal:workbook", args=[period.pk]))
    assert workbook_names(response) == {"孙守超"}


def test_the_filtered_list_downloads_as_the_workbook(
    client_for, county_staff, period, three_cadres
):
    response = client_for(county_staff).get(
        reverse("appraisal:appraisals", args=[period.pk]), {"q": "李", "export": "xlsx"}
    )
    assert workbook_names(response) == {"李红梅"}


# --- the workbook back up ---------------------------------------------------------------------


def downloaded(client, period):
    """The workbook the user downloads from the period's page, opened for editing."""
    response = client.get(reverse("appraisal:workbook", args=[period.pk]))
    assert response.status_code == 200
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def set_cell(workbook, name: str, key: str, value):
    """Sets the `key` column (as `appraisal_columns` declares it) of `name`'s row; returns the
    sheet's name and the cell's coordinate."""
    keys = [column.key for column in appraisal_columns()]
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            if row[keys.index("name")].value == name:
                cell = row[keys.index(key)]
                cell.value = value
                return sheet.title, cell.coordinate
    raise AssertionError(name)


def upload(client, period, workbook):
    data = io.BytesIO()
    workbook.save(data)
    file = SimpleUploadedFile("考核情况表.xlsx", data.getvalue())
    return client.post(reverse("appraisal:workbook-upload", args=[period.pk]), {"file": file})


def test_a_secretary_uploads_talk_scores_filled_in_offline(
    client_for, secretary, period, appraisal
):
    client = client_for(secretary)
    workbook = downloaded(client, period)
    set_cell(workbook, "孙守超", "talk_score", 91.5)
    response = upload(client, period, workbook)
    assert response.status_code == 200
    assert "1 appraisal changed, 1 cells in all." in response.text
    appraisal.refresh_from_db()
    assert (appraisal.talk_score, appraisal.talk_by) == (Decimal("91.50"), secretary)


def test_a_bad_cell_is_listed_with_sheet_row_and_column_and_nothing_applied(
    client_for, secretary, period, appraisal
):
    client = client_for(secretary)
    workbook = downloaded(client, period)
    set_cell(workbook, "孙守超", "talk_note", "谈话记录")
    sheet, coordinate = set_cell(workbook, "孙守超", "talk_score", "优")
    response = upload(client, period, workbook)
    assert response.status_code == 400
    [error] = response.context["import_result"].errors
    assert (error.sheet, f"{error.column}{error.row}") == (sheet, coordinate)
    assert error.message in response.text
    appraisal.refresh_from_db()
    assert (appraisal.talk_score, appraisal.talk_note) == (None, "")


def test_an_input_not_ones_own_in_the_sheet_is_a_bad_cell(client_for, secretary, period, appraisal):
    client = client_for(secretary)
    workbook = downloaded(client, period)
    set_cell(workbook, "孙守超", "final_grade", "优秀")
    response = upload(client, period, workbook)
    assert response.status_code == 400
    assert len(response.context["import_result"].errors) == 1
    appraisal.refresh_from_db()
    assert appraisal.final_grade == ""


def test_a_file_that_is_no_workbook_is_a_form_error(client_for, secretary, period, appraisal):
    file = SimpleUploadedFile("scores.xlsx", b"not a workbook")
    response = client_for(secretary).post(
        reverse("appraisal:workbook-upload", args=[period.pk]), {"file": file}
    )
    assert response.status_code == 400
    assert response.context["upload_form"].errors["file"]


def test_uploads_are_for_those_who_enter_inputs(
    client_for, unit_staff, far_secretary, period, appraisal
):
    for user in (unit_staff, far_secretary):
        file = SimpleUploadedFile("scores.xlsx", b"x")
        response = client_for(user).post(
            reverse("appraisal:workbook-upload", args=[period.pk]), {"file": file}
        )
        assert response.status_code == 404, user


def test_an_upload_to_a_closed_period_says_it_is_closed(
    client_for, secretary, period, appraisal, admin_user
):
    client = client_for(secretary)
    workbook = downloaded(client, period)
    set_cell(workbook, "孙守超", "talk_score", 80)
    services.period_close(actor=admin_user, period=period)
    response = upload(client, period, workbook)
    assert response.status_code == 400
    assert "is closed" in response.text
    appraisal.refresh_from_db()
    assert appraisal.talk_score is None
