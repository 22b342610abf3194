"""The Excel exports of reports and problems, read back with openpyxl: one row per team-day or
problem, numbers as numbers, dates as dates, the page's filters and scope applied."""

import io
from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from communities.choices import Role
from supervision.choices import ProblemStatus
from tests.factories import TeamFactory, UserFactory
from tests.supervision.test_selectors import make_problem, make_report

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client, settings):
    """Pages and files in English, whatever the Chinese catalogue holds."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


def sheet_of(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    body = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(body)).active
    rows = list(sheet.iter_rows(values_only=True))
    return sheet, rows[0], rows[1:]


def test_reports_export_one_row_per_team_day_with_typed_figures(
    client_for, county_staff, team, community, other_community
):
    today = timezone.localdate()
    yesterday = today - timedelta(days=1)
    on_time = make_report(team, yesterday, hour=10, households_visited=120, leaflets=35)
    on_time.communities.add(community, other_community)
    make_problem(team, community, report=on_time)
    make_problem(team, community, report=on_time)
    make_report(team, today, hour=22, people_screened=4528)

    response = client_for(county_staff).get(reverse("supervision:reports") + "?export=xlsx")
    sheet, header, rows = sheet_of(response)
    assert header[:5] == ("Team", "Date", "Submitted at", "Late", "Communities visited")
    assert "households visited" in header
    assert len(rows) == 2
    latest, earlier = (dict(zip(header, row, strict=True)) for row in rows)

    assert isinstance(earlier["Date"], datetime)  # Excel keeps dates as date-times
    assert earlier["Date"].date() == yesterday
    assert sheet["B3"].is_date and sheet["B3"].number_format == "yyyy-mm-dd"
    assert earlier["Submitted at"] == datetime.combine(yesterday, datetime.min.time()).replace(
        hour=10
    )
    assert earlier["households visited"] == 120
    assert isinstance(earlier["leaflets handed out"], int)
    assert earlier["Problems found"] == 2
    assert earlier["Communities visited"] == "水木华园社区、天嘉苑社区"
    assert earlier["Late"] is None
    assert latest["Late"] == "yes"
    assert latest["people screened"] == 4528
    assert latest["Problems found"] == 0


def test_reports_export_applies_filters_and_scope(client_for, county_staff, team, county):
    today = timezone.localdate()
    make_report(team, today)
    make_report(team, today - timedelta(days=3))
    other = TeamFactory(county=county)
    make_report(other, today)
    client = client_for(county_staff)
    query = f"?export=xlsx&team={team.pk}&date_after={today.isoformat()}"
    _, _, rows = sheet_of(client.get(reverse("supervision:reports") + query))
    assert [row[0] for row in rows] == [team.name]

    outsider = UserFactory(role=Role.TEAM_MEMBER, area=None)
    _, _, rows = sheet_of(client_for(outsider).get(reverse("supervision:reports") + "?export=xlsx"))
    assert rows == []


def test_reports_export_with_a_bad_filter_shows_the_list(client_for, county_staff, team):
    response = client_for(county_staff).get(reverse("supervision:reports") + "?export=xlsx&team=x")
    assert response.status_code == 302
    assert "export" not in response.url


def test_problems_export_reads_back_with_types(client_for, county_staff, team, community):
    past = timezone.localdate() - timedelta(days=3)
    make_problem(team, community, deadline=past, description="体温登记缺失")
    make_problem(team, community, ProblemStatus.VERIFIED, description="消毒不到位")

    response = client_for(county_staff).get(reverse("supervision:problems") + "?export=xlsx")
    _, header, rows = sheet_of(response)
    assert header[:3] == ("No.", "Found on", "Team")
    by_text = {
        row[header.index("Description")]: dict(zip(header, row, strict=True)) for row in rows
    }
    late = by_text["体温登记缺失"]
    assert isinstance(late["No."], int)
    assert late["Deadline"].date() == past
    assert late["Overdue"] == "yes"
    assert late["Status"] == "Found"
    assert late["Township"] == "莲花湖街道"
    assert late["Resolved at"] is None
    done = by_text["消毒不到位"]
    assert done["Status"] == "Verified"
    assert isinstance(done["Verified at"], datetime)
    assert done["Overdue"] is None
    assert isinstance(done["Found on"], datetime | date)


def test_problems_export_applies_the_board_filters(client_for, county_staff, team, community):
    make_problem(team, community)
    make_problem(team, community, ProblemStatus.RECTIFYING)
    response = client_for(county_staff).get(
        reverse("supervision:problems") + "?export=xlsx&status=rectifying"
    )
    _, header, rows = sheet_of(response)
    assert [row[header.index("Status")] for row in rows] == ["Being rectified"]


@pytest.mark.parametrize("size", [2, 20])
def test_export_query_counts_do_not_grow_with_the_rows(
    size, client_for, county_staff, team, community, django_assert_num_queries
):
    today = timezone.localdate()
    for offset in range(size):
        report = make_report(team, today - timedelta(days=offset))
        report.communities.add(community)
        make_problem(team, community, report=report)
    client = client_for(county_staff)
    # session, user, the user's area, the team filter's choice, the rows.
    with django_assert_num_queries(5):
        _, _, rows = sheet_of(
            client.get(reverse("supervision:reports") + f"?export=xlsx&team={team.pk}")
        )
    assert len(rows) == size
    # session, user, the user's area, the rows.
    with django_assert_num_queries(4):
        _, _, rows = sheet_of(client.get(reverse("supervision:problems") + "?export=xlsx"))
    assert len(rows) == size
