"""The roster (花名册) export: read back with openpyxl, masked per the one rule, streamed in a
fixed number of queries."""

import datetime
import io
from urllib.parse import quote

import pytest
from django.utils import timezone, translation
from openpyxl import load_workbook

from cadres.choices import PostKind
from cadres.exports import XLSX_CONTENT_TYPE, roster_response, write_roster
from cadres.models import Registration
from cadres.selectors import registrations_for_list
from tests.factories import CadreFactory, PostFactory, RegistrationFactory, valid_id_number

pytestmark = pytest.mark.django_db

HEADERS = [
    "No.",
    "Name",
    "Gender",
    "Mobile phone",
    "ID-card number",
    "Work unit",
    "Position",
    "Party standing",
    "Community",
    "Estate",
    "Building",
    "Unit",
    "Room",
    "Channel",
    "Status",
    "Registered on",
    "Commitment letter signed on",
    "Pioneer post",
    "Posts",
]


def export(user, queryset=None):
    """The roster of everything `user` sees, in English, as rows of dicts keyed by header."""
    queryset = Registration.objects.visible_to(user) if queryset is None else queryset
    buffer = io.BytesIO()
    with translation.override("en"):
        write_roster(queryset.order_by("id"), user, buffer)
    buffer.seek(0)
    sheet = load_workbook(buffer).worksheets[0]
    header, *rows = list(sheet.iter_rows(values_only=True))
    return sheet, list(header), [dict(zip(header, row, strict=True)) for row in rows]


@pytest.fixture
def registration(cadre, community, building, unit):
    cadre.id_number = valid_id_number(7)
    cadre.gender, cadre.position = "female", "科员"
    cadre.save()
    return RegistrationFactory(
        cadre=cadre,
        community=community,
        building=building,
        unit=unit,
        room="301",
        channel="phone",
        status="confirmed",
        commitment_signed_on=datetime.date(2020, 2, 6),
        pioneer_post="党员先锋岗",
    )


def test_roster_has_one_row_per_registration_under_its_headers(county_staff, registration):
    sheet, header, rows = export(county_staff)

    assert header == HEADERS
    assert sheet.freeze_panes == "A2"
    (row,) = rows
    assert row["No."] == 1
    assert row["Name"] == "赵莹"
    assert row["Gender"] == "Female"
    assert row["Work unit"] == "县民政局"
    assert row["Position"] == "科员"
    assert row["Party standing"] == "Full Party member"
    assert row["Community"] == "水木华园社区"
    assert row["Estate"] == "一生活区"
    assert row["Building"] == "1号楼"
    assert row["Unit"] == 1
    assert row["Room"] == "301"
    assert row["Channel"] == "Phone"
    assert row["Status"] == "Confirmed"
    assert row["Pioneer post"] == "党员先锋岗"


def test_dates_are_excel_dates(county_staff, registration):
    sheet, _header, rows = export(county_staff)

    (row,) = rows
    # openpyxl reads an Excel date back as a datetime at midnight.
    assert row["Registered on"].date() == timezone.localdate(registration.created_at)
    assert row["Commitment letter signed on"].date() == datetime.date(2020, 2, 6)
    assert sheet["P2"].is_date and sheet["Q2"].is_date


def test_active_posts_are_joined_and_ended_ones_left_out(county_staff, registration, building):
    PostFactory(registration=registration, kind=PostKind.BUILDING_CHIEF, building=building)
    PostFactory(registration=registration, kind=PostKind.PUBLICIST)
    PostFactory(registration=registration, kind=PostKind.SERVER, ended_at=timezone.now())

    _sheet, _header, rows = export(county_staff)

    assert rows[0]["Posts"] == "Building chief · 1号楼、Publicist"


def test_unit_chief_names_the_building_and_unit(county_staff, registration, building, unit):
    PostFactory(registration=registration, kind=PostKind.UNIT_CHIEF, building=building, unit=unit)

    _sheet, _header, rows = export(county_staff)

    assert rows[0]["Posts"] == "Unit chief · 1号楼 unit 1"


def test_secretary_sees_full_phones_of_own_community(secretary, registration):
    _sheet, _header, rows = export(secretary)

    assert rows[0]["Mobile phone"] == "13812341234"


def test_township_staff_see_phones_masked(township_staff, registration):
    _sheet, _header, rows = export(township_staff)

    assert rows[0]["Mobile phone"] == "138****1234"


@pytest.mark.parametrize("role", ["county_staff", "secretary", "admin_user"])
def test_id_number_is_always_masked(request, role, registration):
    user = request.getfixturevalue(role)

    _sheet, _header, rows = export(user)

    id_number = registration.cadre.id_number
    assert rows[0]["ID-card number"] == f"{id_number[:6]}********{id_number[-4:]}"


def test_rows_out_of_scope_never_appear(secretary, registration, other_community, far_community):
    RegistrationFactory(community=other_community, cadre=CadreFactory(name="别人"))
    RegistrationFactory(community=far_community, cadre=CadreFactory(name="远方"))

    _sheet, _header, rows = export(secretary)

    assert [row["Name"] for row in rows] == ["赵莹"]


def test_rows_follow_the_order_of_the_list(county_staff, community):
    for name in ["甲", "乙", "丙"]:
        RegistrationFactory(community=community, cadre=CadreFactory(name=name))

    queryset = Registration.objects.visible_to(county_staff).order_by("-cadre__name")
    buffer = io.BytesIO()
    write_roster(queryset, county_staff, buffer)
    buffer.seek(0)

    names = [row[1] for row in load_workbook(buffer).active.iter_rows(min_row=2, values_only=True)]
    assert names == sorted(["甲", "乙", "丙"], reverse=True)


def test_empty_list_gives_the_header_row_only(county_staff):
    _sheet, header, rows = export(county_staff)

    assert header == HEADERS
    assert rows == []


@pytest.mark.parametrize("count", [5, 50])
def test_query_count_does_not_grow_with_rows(
    count, county_staff, community, building, django_assert_max_num_queries
):
    for _ in range(count):
        registration = RegistrationFactory(
            community=community, building=building, status="confirmed"
        )
        PostFactory(registration=registration, kind=PostKind.PUBLICIST)
    queryset = Registration.objects.visible_to(county_staff)

    with django_assert_max_num_queries(1):
        written = write_roster(queryset, county_staff, io.BytesIO())

    assert written == count


def test_response_is_an_xlsx_attachment_with_a_chinese_name(secretary, registration):
    with translation.override("zh-hans"):
        response = roster_response(Registration.objects.visible_to(secretary), secretary)
        chinese_name = f"{translation.gettext('Roster')}-{timezone.localdate():%Y%m%d}.xlsx"

    day = timezone.localdate().strftime("%Y%m%d")
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert response["Content-Disposition"] == (
        f"attachment; filename=\"roster-{day}.xlsx\"; filename*=UTF-8''{quote(chinese_name)}"
    )
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert workbook.active["B2"].value == "赵莹"


def test_workbench_list_exports_in_one_query_pending_first(
    county_staff, registration, community, django_assert_max_num_queries
):
    RegistrationFactory(community=community, cadre=CadreFactory(name="新来的"))
    queryset = registrations_for_list(Registration.objects.visible_to(county_staff))
    buffer = io.BytesIO()

    with django_assert_max_num_queries(1):
        write_roster(queryset, county_staff, buffer)

    buffer.seek(0)
    rows = load_workbook(buffer).active.iter_rows(min_row=2, values_only=True)
    assert [row[1] for row in rows] == ["新来的", "赵莹"]
