"""The roster (花名册) import: every row checked, bad rows reported with the row number the
spreadsheet shows, all or nothing when asked, and a second import of the same file a no-op."""

import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook

from cadres import imports
from cadres.imports import roster_import
from cadres.models import Cadre
from tests.factories import CadreFactory, WorkUnitFactory, valid_id_number

pytestmark = pytest.mark.django_db

CHINESE = ["姓名", "性别", "手机号码", "身份证号码", "职务", "县级领导 (是/否)", "党员类别"]
ENGLISH = [
    "Name",
    "Gender",
    "Mobile phone",
    "ID-card number",
    "Position",
    "County-level leader",
    "Party standing",
]
ID_1, ID_2, ID_3 = valid_id_number(1), valid_id_number(2), valid_id_number(3)


def workbook(rows, headers=CHINESE, title=None) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    if title:
        sheet.append([title])
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


GOOD_ROWS = [
    ["王艳秋", "女", "13700000001", ID_1, "科长", "否", "正式党员"],
    ["李玉平", "男", 13700000002, ID_2, "副局长", "是", "预备党员"],
]


def run(actor, work_unit, fileobj, all_or_nothing=False):
    with translation.override("en"):
        return roster_import(
            actor=actor, work_unit=work_unit, fileobj=fileobj, all_or_nothing=all_or_nothing
        )


def bad_rows(result) -> dict[int, str]:
    return {error.row: error.reason for error in result.errors}


def test_good_file_creates_its_cadres_in_the_work_unit(county_staff, work_unit):
    result = run(county_staff, work_unit, workbook(GOOD_ROWS))

    assert (result.created, result.updated, result.unchanged, result.errors) == (2, 0, 0, [])
    wang = Cadre.objects.get(phone="13700000001")
    assert (wang.name, wang.gender, wang.id_number, wang.position) == (
        "王艳秋",
        "female",
        ID_1,
        "科长",
    )
    assert (wang.is_county_leader, wang.party_standing, wang.work_unit) == (
        False,
        "full",
        work_unit,
    )
    li = Cadre.objects.get(phone="13700000002")  # typed as a number in the sheet
    assert (li.is_county_leader, li.party_standing, li.name_initials) == (
        True,
        "probationary",
        "lyp",
    )


def test_english_headers_are_accepted(county_staff, work_unit):
    rows = [["Wang", "Female", "137 0000 0003", "", "Clerk", "No", "Full Party member"]]

    result = run(county_staff, work_unit, workbook(rows, headers=ENGLISH))

    assert result.created == 1
    assert Cadre.objects.get(phone="13700000003").gender == "female"


def test_bad_rows_are_reported_with_the_row_numbers_the_sheet_shows(county_staff, work_unit):
    CadreFactory(
        name="外单位", phone="13700000009", work_unit=WorkUnitFactory(county=work_unit.county)
    )
    CadreFactory(name="本单位", phone="13700000008", work_unit=work_unit)
    rows = [
        GOOD_ROWS[0],  # row 3, under a title row and the header
        ["坏号码", "", "12345", "", "", "", ""],
        ["坏身份证", "", "13700000004", ID_1[:-1] + ("0" if ID_1[-1] != "0" else "1"), "", "", ""],
        ["重复", "", "13700000001", "", "", "", ""],
        ["冒用", "", "13700000009", "", "", "", ""],
        ["改名", "", "13700000008", "", "", "", ""],
        ["坏类别", "", "13700000005", "", "", "也许", "群众"],
        GOOD_ROWS[1],  # row 10
    ]

    result = run(county_staff, work_unit, workbook(rows, title="县民政局在职党员花名册"))

    reasons = bad_rows(result)
    assert sorted(reasons) == [4, 5, 6, 7, 8, 9]
    assert "mobile" in reasons[4].lower()
    assert "check digit" in reasons[5]
    assert "row 3" in reasons[6]
    assert "another work unit" in reasons[7]
    assert "another name" in reasons[8]
    assert "County-level leader" in reasons[9] and "Party standing" in reasons[9]
    assert result.created == 2
    assert set(Cadre.objects.filter(work_unit=work_unit).values_list("name", flat=True)) == {
        "本单位",
        "王艳秋",
        "李玉平",
    }


def test_all_or_nothing_imports_nothing_when_a_row_is_bad(county_staff, work_unit):
    rows = [*GOOD_ROWS, ["坏号码", "", "12345", "", "", "", ""]]

    result = run(county_staff, work_unit, workbook(rows), all_or_nothing=True)

    assert not result.imported
    assert list(bad_rows(result)) == [4]
    assert (result.created, result.updated) == (0, 0)
    assert not Cadre.objects.exists()


def test_all_or_nothing_imports_a_file_without_bad_rows(county_staff, work_unit):
    result = run(county_staff, work_unit, workbook(GOOD_ROWS), all_or_nothing=True)

    assert result.imported and result.created == 2


def test_importing_the_same_file_again_changes_nothing(county_staff, work_unit):
    run(county_staff, work_unit, workbook(GOOD_ROWS))
    stamps = dict(Cadre.objects.values_list("phone", "updated_at"))

    result = run(county_staff, work_unit, workbook(GOOD_ROWS))

    assert (result.created, result.updated, result.unchanged, result.errors) == (0, 0, 2, [])
    assert dict(Cadre.objects.values_list("phone", "updated_at")) == stamps


def test_a_member_of_the_unit_is_updated_by_phone(county_staff, work_unit):
    cadre = CadreFactory(name="王艳秋", phone="13700000001", work_unit=work_unit, position="科员")

    result = run(county_staff, work_unit, workbook([GOOD_ROWS[0]]))

    assert (result.created, result.updated) == (0, 1)
    cadre.refresh_from_db()
    assert (cadre.position, cadre.id_number, cadre.gender) == ("科长", ID_1, "female")


def test_a_member_whose_phone_changed_is_found_by_id_number(county_staff, work_unit):
    cadre = CadreFactory(name="王艳秋", phone="13700000007", id_number=ID_1, work_unit=work_unit)

    result = run(county_staff, work_unit, workbook([GOOD_ROWS[0]]))

    assert result.updated == 1
    cadre.refresh_from_db()
    assert cadre.phone == "13700000001"


def test_empty_cells_keep_what_is_stored(county_staff, work_unit):
    cadre = CadreFactory(
        name="王艳秋", phone="13700000001", work_unit=work_unit, position="科长", id_number=ID_3
    )

    result = run(county_staff, work_unit, workbook([["王艳秋", "", "13700000001", "", "", "", ""]]))

    assert result.unchanged == 1
    cadre.refresh_from_db()
    assert (cadre.position, cadre.id_number) == ("科长", ID_3)


def test_id_number_of_a_member_of_another_unit_is_refused(county_staff, work_unit):
    CadreFactory(name="王艳秋", phone="13700000007", id_number=ID_1, work_unit=WorkUnitFactory())

    result = run(county_staff, work_unit, workbook([GOOD_ROWS[0]]))

    assert "another work unit" in bad_rows(result)[2]
    assert not Cadre.objects.filter(phone="13700000001").exists()


def zip_of_something_else() -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    buffer.seek(0)
    return buffer


@pytest.mark.parametrize(
    "fileobj",
    [lambda: io.BytesIO(b"name,phone\n"), lambda: io.BytesIO(b""), zip_of_something_else],
    ids=["csv", "empty", "other-zip"],
)
def test_a_file_that_is_not_xlsx_is_refused_with_a_clear_error(county_staff, work_unit, fileobj):
    with pytest.raises(ValidationError) as error:
        run(county_staff, work_unit, fileobj())

    assert error.value.code == "not_xlsx"
    assert not Cadre.objects.exists()


def test_a_sheet_without_the_required_columns_is_refused(county_staff, work_unit):
    with pytest.raises(ValidationError) as error:
        run(county_staff, work_unit, workbook([["王艳秋", "科长"]], headers=["姓名", "职务"]))

    assert error.value.code == "missing_columns"
    assert "Mobile phone" in error.value.messages[0]


def test_a_sheet_with_only_its_header_is_refused(county_staff, work_unit):
    with pytest.raises(ValidationError) as error:
        run(county_staff, work_unit, workbook([]))

    assert error.value.code == "empty"


def test_a_file_far_larger_than_a_roster_is_refused(monkeypatch, county_staff, work_unit):
    monkeypatch.setattr(imports, "MAX_ROWS", 1)

    with pytest.raises(ValidationError) as error:
        run(county_staff, work_unit, workbook(GOOD_ROWS))

    assert error.value.code == "too_many_rows"
    assert not Cadre.objects.exists()


@pytest.mark.parametrize("role", ["secretary", "township_staff", "unit_staff"])
def test_only_the_organisation_department_imports(request, role, work_unit):
    with pytest.raises(PermissionDenied):
        run(request.getfixturevalue(role), work_unit, workbook(GOOD_ROWS))

    assert not Cadre.objects.exists()


def test_county_staff_cannot_import_into_another_countys_unit(county_staff):
    with pytest.raises(PermissionDenied):
        run(county_staff, WorkUnitFactory(), workbook(GOOD_ROWS))


def test_admin_imports_into_any_unit(admin_user):
    result = run(admin_user, WorkUnitFactory(), workbook(GOOD_ROWS))

    assert result.created == 2


# --- the page --------------------------------------------------------------------------------


def upload(rows, **kwargs):
    content = workbook(rows, **kwargs).getvalue()
    return SimpleUploadedFile("花名册.xlsx", content)


def test_page_needs_login(client, work_unit):
    response = client.get(reverse("cadres:roster-import"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("role", ["secretary", "township_staff"])
def test_page_is_a_404_for_those_who_run_no_work_unit(request, role, client_for, work_unit):
    client = client_for(request.getfixturevalue(role))

    assert client.get(reverse("cadres:roster-import")).status_code == 404
    assert client.get(reverse("cadres:roster-template")).status_code == 404
    response = client.post(
        reverse("cadres:roster-import"), {"work_unit": work_unit.pk, "file": upload(GOOD_ROWS)}
    )
    assert response.status_code == 404
    assert not Cadre.objects.exists()


def test_page_offers_only_the_units_the_user_runs(client_for, county_staff, work_unit):
    WorkUnitFactory(name="外县单位")

    response = client_for(county_staff).get(reverse("cadres:roster-import"))

    assert response.status_code == 200
    assert list(response.context["form"].fields["work_unit"].queryset) == [work_unit]
    assert "外县单位" not in response.content.decode()


def test_page_imports_and_shows_bad_rows_with_their_numbers(client_for, county_staff, work_unit):
    rows = [*GOOD_ROWS, ["坏号码", "", "12345", "", "", "", ""]]

    response = client_for(county_staff).post(
        reverse("cadres:roster-import"),
        {"work_unit": work_unit.pk, "file": upload(rows)},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200
    result = response.context["result"]
    assert (result.created, list(bad_rows(result))) == (2, [4])
    page = response.content.decode()
    assert '<td class="num">4</td>' in page
    assert Cadre.objects.filter(work_unit=work_unit).count() == 2


def test_page_all_or_nothing_box_keeps_everything_out(client_for, county_staff, work_unit):
    rows = [*GOOD_ROWS, ["坏号码", "", "12345", "", "", "", ""]]

    response = client_for(county_staff).post(
        reverse("cadres:roster-import"),
        {"work_unit": work_unit.pk, "file": upload(rows), "all_or_nothing": "on"},
    )

    assert response.context["result"].imported is False
    assert not Cadre.objects.exists()


def test_page_shows_a_clear_error_for_a_file_that_is_not_xlsx(client_for, county_staff, work_unit):
    response = client_for(county_staff).post(
        reverse("cadres:roster-import"),
        {"work_unit": work_unit.pk, "file": SimpleUploadedFile("list.xlsx", b"not a workbook")},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200
    assert "result" not in response.context
    assert "not an Excel workbook" in response.content.decode()


def test_template_download_has_the_header_row_the_import_reads(client_for, county_staff, work_unit):
    response = client_for(county_staff).get(
        reverse("cadres:roster-template"), HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response["Content-Disposition"].startswith("attachment;")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book.active
    assert [cell.value for cell in sheet[1]] == ENGLISH
    # Phone and ID numbers are text columns, so Excel keeps every digit.
    assert sheet.column_dimensions["C"].number_format == "@"
    assert sheet.column_dimensions["D"].number_format == "@"
    # The template, filled in, imports as it is.
    sheet.append(GOOD_ROWS[0])
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    assert run(county_staff, work_unit, buffer).created == 1
