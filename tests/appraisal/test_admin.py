"""The appraisal admin: every page renders; periods, inputs, quotas and commendations save
through the services (a refusal shows on the form and nothing is saved); periods are closed and
cadres added by actions; a closed period and its rows are read only."""

from datetime import timedelta

import pytest
from django.contrib.admin import helpers
from django.urls import reverse
from django.utils import timezone

from appraisal import services
from appraisal.choices import Grade, PeriodStatus
from appraisal.models import Appraisal, Commendation, Period, Quota
from tests.factories import CadreFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}
MODELS = [Period, Appraisal, Quota, Commendation]


def url(model, action, *args):
    return reverse(f"admin:appraisal_{model._meta.model_name}_{action}", args=args)


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def quota(period, work_unit, admin_user):
    return services.quota_set(actor=admin_user, period=period, work_unit=work_unit, excellent=1)


@pytest.fixture
def commendation(appraisal, period, admin_user):
    return services.commendation_add(
        actor=admin_user,
        cadre=appraisal.cadre,
        period=period,
        kind="citation",
        awarded_on=timezone.localdate(),
        reason="卡点值守表现突出",
        approver="中共铁岭县委组织部",
    )


@pytest.fixture
def rows(period, appraisal, quota, commendation):
    return {Period: period, Appraisal: appraisal, Quota: quota, Commendation: commendation}


@pytest.fixture
def second(period, work_unit, community, admin_user):
    """王立新, a second cadre of 县民政局 serving in 水木华园社区."""
    cadre = CadreFactory(work_unit=work_unit, name="王立新")
    RegistrationFactory(cadre=cadre, community=community, status="confirmed")
    services.appraisals_sync(actor=admin_user, period=period)
    return Appraisal.objects.get(period=period, cadre=cadre)


@pytest.mark.parametrize("model", MODELS)
def test_every_list_and_page_renders(admin_client, rows, model):
    assert admin_client.get(url(model, "changelist")).status_code == 200
    assert admin_client.get(url(model, "change", rows[model].pk)).status_code == 200
    assert admin_client.get(url(model, "changelist"), {"q": "孙"}).status_code == 200


@pytest.mark.parametrize("model", [Period, Quota, Commendation])
def test_add_pages_render(admin_client, rows, model):
    assert admin_client.get(url(model, "add")).status_code == 200


def test_appraisals_are_made_by_periods_not_added_here(admin_client, rows):
    assert admin_client.get(url(Appraisal, "add")).status_code == 403


def test_nothing_is_deleted(admin_client, rows):
    for model, row in rows.items():
        assert admin_client.get(url(model, "delete", row.pk)).status_code == 403, model


def test_county_staff_without_admin_access_are_kept_out(client, county_staff, rows):
    client.force_login(county_staff)
    response = client.get(url(Period, "changelist"))
    assert response.status_code == 302


# --- periods ----------------------------------------------------------------------------------


def period_form(county, **changes):
    today = timezone.localdate()
    data = {
        "county": county.pk,
        "name": "2026年度考核",
        "starts_on": (today - timedelta(days=5)).isoformat(),
        "ends_on": (today + timedelta(days=60)).isoformat(),
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


def test_a_period_added_here_gets_its_appraisals(admin_client, county, confirmed_registration):
    response = admin_client.post(url(Period, "add"), period_form(county), **ENGLISH)
    assert response.status_code == 302
    period = Period.objects.get()
    assert list(period.appraisals.values_list("cadre", flat=True)) == [
        confirmed_registration.cadre_id
    ]


def test_weights_not_adding_up_show_on_the_admin_form(admin_client, county):
    response = admin_client.post(url(Period, "add"), period_form(county, weight_talk=50), **ENGLISH)
    assert response.status_code == 200
    assert "The three weights must add up to 100." in response.text
    assert not Period.objects.exists()


def test_the_actions_add_cadres_and_close(admin_client, period, appraisal, work_unit, community):
    RegistrationFactory(
        cadre=CadreFactory(work_unit=work_unit), community=community, status="confirmed"
    )
    data = {"action": "sync_selected", helpers.ACTION_CHECKBOX_NAME: [period.pk]}
    response = admin_client.post(url(Period, "changelist"), data, follow=True, **ENGLISH)
    assert "1 cadre added." in response.text
    assert period.appraisals.count() == 2

    data = {"action": "close_selected", helpers.ACTION_CHECKBOX_NAME: [period.pk]}
    response = admin_client.post(url(Period, "changelist"), data, follow=True, **ENGLISH)
    assert "1 period closed." in response.text
    period.refresh_from_db()
    assert period.status == PeriodStatus.CLOSED


def test_closing_a_closed_period_again_says_why_and_changes_nothing(
    admin_client, period, admin_user
):
    services.period_close(actor=admin_user, period=period)
    closed_at = Period.objects.get().closed_at
    data = {"action": "close_selected", helpers.ACTION_CHECKBOX_NAME: [period.pk]}
    response = admin_client.post(url(Period, "changelist"), data, follow=True, **ENGLISH)
    assert "is closed" in response.text
    assert Period.objects.get().closed_at == closed_at


# --- appraisals -------------------------------------------------------------------------------


def appraisal_form(appraisal, **changes):
    data = {
        "inspection_score": appraisal.inspection_score or "",
        "inspection_note": appraisal.inspection_note,
        "talk_score": appraisal.talk_score or "",
        "talk_note": appraisal.talk_note,
        "satisfied": appraisal.satisfied,
        "basically_satisfied": appraisal.basically_satisfied,
        "unsatisfied": appraisal.unsatisfied,
        "final_grade": appraisal.final_grade,
        "opinion": appraisal.opinion,
    }
    return {**data, **changes}


def test_inputs_corrected_here_go_through_the_service(admin_client, appraisal, admin_user):
    data = appraisal_form(appraisal, talk_score="86", satisfied=5)
    response = admin_client.post(url(Appraisal, "change", appraisal.pk), data, **ENGLISH)
    assert response.status_code == 302
    appraisal.refresh_from_db()
    assert (appraisal.talk_score, appraisal.satisfied) == (86, 5)
    assert (appraisal.talk_by, appraisal.evaluation_by) == (admin_user, admin_user)
    assert appraisal.inspection_by is None  # unchanged inputs are not stamped


def test_excellent_beyond_the_quota_is_refused_on_the_admin_form(
    admin_client, appraisal, second, quota, admin_user
):
    services.appraisal_update(
        actor=admin_user, appraisal=appraisal, changes={"final_grade": Grade.EXCELLENT}
    )
    data = appraisal_form(second, final_grade="excellent", opinion="表现优秀")
    response = admin_client.post(url(Appraisal, "change", second.pk), data, **ENGLISH)
    assert response.status_code == 200
    assert "县民政局" in response.text
    assert "孙守超" in response.text
    second.refresh_from_db()
    assert (second.final_grade, second.opinion) == ("", "")


def test_a_closed_periods_rows_are_read_only(admin_client, rows, admin_user):
    period = rows[Period]
    services.period_close(actor=admin_user, period=period)
    for model, row in rows.items():
        page = admin_client.get(url(model, "change", row.pk))
        assert page.status_code == 200
        assert 'name="_save"' not in page.text, model
    appraisal = rows[Appraisal]
    response = admin_client.post(
        url(Appraisal, "change", appraisal.pk), appraisal_form(appraisal, talk_score="50")
    )
    assert response.status_code == 403
    appraisal.refresh_from_db()
    assert appraisal.talk_score is None


# --- quotas and commendations -------------------------------------------------------------------


def test_a_quota_added_here_goes_through_quota_set(admin_client, period, work_unit):
    data = {"period": period.pk, "work_unit": work_unit.pk, "excellent": 2}
    response = admin_client.post(url(Quota, "add"), data, **ENGLISH)
    assert response.status_code == 302
    assert Quota.objects.get().excellent == 2


def test_a_quota_below_the_excellent_given_is_refused_on_the_admin_form(
    admin_client, appraisal, quota, admin_user
):
    services.appraisal_update(
        actor=admin_user, appraisal=appraisal, changes={"final_grade": Grade.EXCELLENT}
    )
    response = admin_client.post(url(Quota, "change", quota.pk), {"excellent": 0}, **ENGLISH)
    assert response.status_code == 200
    assert "孙守超" in response.text
    quota.refresh_from_db()
    assert quota.excellent == 1


def test_a_commendation_added_here_is_recorded_by_the_user(admin_client, appraisal, admin_user):
    data = {
        "cadre": appraisal.cadre_id,
        "kind": "merit",
        "awarded_on": timezone.localdate().isoformat(),
        "reason": "连续值守卡点30天",
        "approver": "中共铁岭县委组织部",
    }
    response = admin_client.post(url(Commendation, "add"), data, **ENGLISH)
    assert response.status_code == 302
    commendation = Commendation.objects.get()
    assert (commendation.kind, commendation.recorded_by) == ("merit", admin_user)

    data["awarded_on"] = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = admin_client.post(url(Commendation, "add"), data, **ENGLISH)
    assert response.status_code == 200
    assert "The date cannot be in the future." in response.text
    assert Commendation.objects.count() == 1


def test_a_commendation_is_a_record(admin_client, commendation):
    page = admin_client.get(url(Commendation, "change", commendation.pk))
    assert 'name="_save"' not in page.text
