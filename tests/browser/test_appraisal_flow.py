"""An appraisal from end to end, in a real browser: the organisation department opens a period
and sets a unit's “excellent” quota; a community secretary enters the talk score on a phone; the
department sets the final grade 优秀 and downloads the county workbook, which openpyxl reads.
Fields are found by their names, so the test holds in either language."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from appraisal.choices import Grade
from appraisal.models import Appraisal, Period, Quota
from tests.browser.test_login_and_home import log_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def desk(browser, live_server):
    """A desktop browser page, for the organisation department."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 900},
        locale="zh-CN",
        base_url=live_server.url,
        accept_downloads=True,
    )
    yield context.new_page()
    context.close()


def submit(page, form: str, button: str = "button[type=submit]") -> None:
    page.locator(f"#{form} {button}").click()
    page.wait_for_load_state()


def test_a_period_from_opening_to_the_county_workbook(
    desk, page, live_server, tmp_path, county_staff, secretary, confirmed_registration, work_unit
):
    today = timezone.localdate()
    with translation.override("zh-hans"):
        excellent = str(Grade.EXCELLENT.label)  # 优秀, once the catalogue has it

    # The organisation department opens a period from the navigation bar.
    log_in(desk, "county")
    desk.locator(f".nav a[href='{reverse('appraisal:periods')}']").click()
    desk.locator("#period-form [name='name']").fill("2026年度考核")
    desk.locator("#period-form [name='starts_on']").fill((today - timedelta(days=10)).isoformat())
    desk.locator("#period-form [name='ends_on']").fill((today + timedelta(days=80)).isoformat())
    submit(desk, "period-form")
    period = Period.objects.get(name="2026年度考核")
    assert desk.url.endswith(reverse("appraisal:period-detail", args=[period.pk]))
    assert (period.weight_inspection, period.weight_talk, period.weight_evaluation) == (40, 30, 30)

    # … and sets 县民政局's quota: one “excellent” place.
    desk.locator("#quota-form [name='work_unit']").select_option(label="县民政局")
    desk.locator("#quota-form [name='excellent']").fill("1")
    submit(desk, "quota-form")
    assert Quota.objects.get(period=period, work_unit=work_unit).excellent == 1
    quota_row = desk.locator("table tr", has_text="县民政局")
    assert quota_row.locator("td.num").first.inner_text() == "1"

    # The secretary, on a phone, finds 孙守超 among the community's cadres and enters the talk.
    log_in(page, "secretary")
    page.locator(f".nav a[href='{reverse('appraisal:periods')}']").click()
    page.locator(f"a[href='{reverse('appraisal:period-detail', args=[period.pk])}']").click()
    page.locator(f"a[href='{reverse('appraisal:appraisals', args=[period.pk])}']").first.click()
    page.get_by_role("link", name="孙守超").click()
    assert page.locator("#form-grade").count() == 0  # the grade is not the secretary's
    page.locator("[name='talk-talk_score']").fill("92")
    page.locator("[name='talk-talk_note']").fill("疫情期间主动担任楼长，带头值守卡点")
    submit(page, "form-talk", "button[name='input'][value='talk']")
    assert page.locator(".message").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert page.requested_hosts == {urlsplit(live_server.url).netloc}
    appraisal = Appraisal.objects.get(period=period, cadre=confirmed_registration.cadre)
    assert (appraisal.talk_score, appraisal.talk_by) == (92, secretary)

    # The department sets the final grade 优秀 with its opinion.
    desk.goto(reverse("appraisal:appraisal-detail", args=[appraisal.pk]))
    desk.locator("[name='grade-final_grade']").select_option("excellent")
    desk.locator("[name='grade-opinion']").fill("同意评为优秀")
    submit(desk, "form-grade", "button[name='input'][value='grade']")
    appraisal.refresh_from_db()
    assert (appraisal.final_grade, appraisal.graded_by) == (Grade.EXCELLENT, county_staff)
    assert excellent in desk.locator(".badge.status").first.inner_text()

    # … and downloads the county's workbook: an xlsx that openpyxl reads, 孙守超 graded in it.
    desk.goto(reverse("appraisal:period-detail", args=[period.pk]))
    with desk.expect_download() as download:
        submit(desk, "workbook-form")
    saved = tmp_path / download.value.suggested_filename
    assert saved.suffix == ".xlsx"
    download.value.save_as(saved)
    workbook = load_workbook(saved)
    rows = [
        [cell for cell in row if cell is not None]
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
    ]
    [row] = [row for row in rows if "孙守超" in row]
    assert excellent in row
    assert "同意评为优秀" in row
