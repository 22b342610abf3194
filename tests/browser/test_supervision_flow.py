"""The organisation department's side, in a real browser: a team posts its day's report over
the API; the county overview shows who reported and who has not; a problem is moved on from the
board and the overview's totals follow."""

import pytest
from rest_framework.test import APIClient

from tests.browser.test_login_and_home import log_in
from tests.factories import TeamFactory
from tests.supervision.test_api import REPORTS, report_body

pytestmark = pytest.mark.django_db(transaction=True)


def test_county_sees_todays_report_and_moves_a_problem_on(
    page, live_server, county, county_staff, team, team_member, community
):
    silent = TeamFactory(county=county, name="县纪委监委督导小分队")
    silent.coverage.create(area=community)
    client = APIClient()
    client.force_authenticate(team_member)
    response = client.post(REPORTS, report_body(team, community, problems=1), format="json")
    assert response.status_code == 201

    log_in(page, "county")
    page.get_by_role("link", name="督导", exact=True).click()
    reported = page.locator("tr", has_text="县委统战部督导小分队")
    missing = page.locator("tr", has_text="县纪委监委督导小分队")
    assert "未报" not in reported.first.inner_text()
    assert "未报" in missing.first.inner_text()
    assert page.locator("svg[role=img]").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")

    page.get_by_role("link", name="问题", exact=True).click()
    page.get_by_role("link", name="3号楼未登记返乡人员 0").click()
    page.get_by_label("说明").fill("已通知社区登记")
    page.get_by_role("button", name="整改中").click()
    assert "整改中" in page.locator(".message").inner_text()
    # A step may not be skipped: the page offers only the next one.
    assert page.get_by_role("button", name="已核验").count() == 0
