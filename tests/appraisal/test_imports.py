"""Appraisal sheets filled in offline and uploaded: changed cells applied through the service,
each bad cell reported by sheet, row and column, and then nothing applied at all."""

import io
import shutil
import subprocess
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation
from openpyxl import Workbook, load_workbook

from appraisal import services
from appraisal.choices import Grade
from appraisal.exports import write_workbook
from appraisal.imports import CellError, workbook_import
from appraisal.models import Appraisal, Period
from tests.appraisal.test_exports import serving
from tests.factories import WorkUnitFactory

pytestmark = pytest.mark.django_db

# Columns of a unit's sheet; a cadre's rows start at 5.
INSPECTION, INSPECTION_NOTE, TALK, TALK_NOTE = "H", "I", "J", "K"
SATISFIED, BASIC, UNSATISFIED = "L", "M", "N"
FINAL, OPINION, NUMBER, CHECKSUMS = "R", "S", "X", "Y"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def download(period, queryset=None) -> Workbook:
    """The county workbook as a user would open it to fill it in."""
    queryset = Appraisal.objects.filter(period=period) if queryset is None else queryset
    buffer = io.BytesIO()
    write_workbook(period, queryset, buffer, scope_label="铁岭县")
    buffer.seek(0)
    return load_workbook(buffer)


def upload(user, period, workbook: Workbook):
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return workbook_import(user, period, buffer)


def fresh(appraisal) -> Appraisal:
    return Appraisal.objects.get(pk=appraisal.pk)


@pytest.fixture
def two_units(appraisal, period, admin_user, county, community, other_community, work_unit):
    """孙守超 (县民政局, 水木华园社区) and two cadres of 县公安局: 李伟 in 水木华园社区 and
    王强 in 天嘉苑社区. The workbook's sheets: Summary, 县公安局 (李伟 row 5, 王强 row 6),
    县民政局 (孙守超 row 5)."""
    police = WorkUnitFactory(county=county, name="县公安局")
    serving(police, community, name="李伟")
    serving(police, other_community, name="王强")
    services.appraisals_sync(actor=admin_user, period=period)
    return {a.cadre.name: a for a in Appraisal.objects.filter(period=period)}


def test_changed_cells_are_applied_and_stamped(appraisal, period, county_staff, work_unit):
    services.quota_set(actor=county_staff, period=period, work_unit=work_unit, excellent=1)
    workbook = download(period)
    sheet = workbook["县民政局"]
    sheet[f"{INSPECTION}5"] = 88.5
    sheet[f"{INSPECTION_NOTE}5"] = "卡点值守认真"
    sheet[f"{TALK}5"] = "90"  # typed as text
    sheet[f"{SATISFIED}5"], sheet[f"{BASIC}5"] = 12, 3.0
    sheet[f"{FINAL}5"] = "Excellent"
    sheet[f"{OPINION}5"] = "  表现突出。\r\n同意评为优秀。 "

    result = upload(county_staff, period, workbook)

    assert result.errors == []
    assert (result.rows, result.applied, result.cells) == (1, 1, 7)
    stored = fresh(appraisal)
    assert stored.inspection_score == Decimal("88.50")
    assert stored.inspection_note == "卡点值守认真"
    assert stored.talk_score == Decimal(90)
    assert (stored.satisfied, stored.basically_satisfied, stored.unsatisfied) == (12, 3, 0)
    assert stored.final_grade == Grade.EXCELLENT
    assert stored.opinion == "表现突出。\n同意评为优秀。"
    assert stored.inspection_by == stored.talk_by == stored.graded_by == county_staff
    assert stored.evaluation_by == county_staff


def test_the_workbook_as_downloaded_changes_nothing(two_units, period, county_staff, admin_user):
    services.appraisal_update(
        actor=admin_user,
        appraisal=two_units["李伟"],
        changes={"talk_score": Decimal("85.5"), "talk_note": "=很好", "opinion": "好\n很好"},
    )
    before = {a.pk: a.updated_at for a in Appraisal.objects.all()}

    result = upload(county_staff, period, download(period))

    assert result.ok
    assert (result.rows, result.applied, result.cells) == (3, 0, 0)
    assert {a.pk: a.updated_at for a in Appraisal.objects.all()} == before


def test_chinese_grade_labels_are_understood(appraisal, period, county_staff):
    workbook = download(period)
    workbook["县民政局"][f"{FINAL}5"] = "基本称职"

    result = upload(county_staff, period, workbook)

    assert result.ok, result.errors
    assert fresh(appraisal).final_grade == Grade.BASIC


def test_a_cleared_cell_clears_the_input(appraisal, period, county_staff):
    services.appraisal_update(
        actor=county_staff,
        appraisal=appraisal,
        changes={"inspection_score": Decimal(80), "final_grade": Grade.COMPETENT},
    )
    workbook = download(period)
    workbook["县民政局"][f"{INSPECTION}5"] = None
    workbook["县民政局"][f"{FINAL}5"] = ""

    assert upload(county_staff, period, workbook).ok
    stored = fresh(appraisal)
    assert stored.inspection_score is None
    assert stored.final_grade == ""


def test_bad_cells_are_reported_by_sheet_row_and_column_and_nothing_is_applied(
    two_units, period, county_staff
):
    workbook = download(period)
    police = workbook["县公安局"]
    police[f"{INSPECTION}5"] = "良好"
    police[f"{TALK}5"] = 100.5
    police[f"{SATISFIED}6"] = -1
    police[f"{BASIC}6"] = 2.5
    police[f"{FINAL}6"] = "特优"
    police[f"{TALK}6"] = 80.125
    workbook["县民政局"][f"{INSPECTION}5"] = 90  # good, but not applied with the others

    result = upload(county_staff, period, workbook)

    score = "Not a score: a number from 0 to 100, at most two decimals."
    count = "Not a count: a whole number, 0 or more."
    grade = "Not a grade: one of Excellent、Competent、Basically competent、Incompetent."
    assert result.errors == [
        CellError("县公安局", 5, INSPECTION, score),
        CellError("县公安局", 5, TALK, score),
        CellError("县公安局", 6, TALK, score),
        CellError("县公安局", 6, SATISFIED, count),
        CellError("县公安局", 6, BASIC, count),
        CellError("县公安局", 6, FINAL, grade),
    ]
    assert result.applied == 0
    assert fresh(two_units["孙守超"]).inspection_score is None
    assert str(result.errors[0]) == f"Sheet 县公安局, cell H5: {score}"


def test_a_row_out_of_the_users_scope_is_an_error(two_units, period, secretary):
    """The secretary of 水木华园社区 sees 孙守超 and 李伟, not 王强 of 天嘉苑社区."""
    workbook = download(period)
    workbook["县公安局"][f"{TALK}5"] = 85  # 李伟: theirs
    workbook["县公安局"][f"{TALK}6"] = 85  # 王强: not

    result = upload(secretary, period, workbook)

    number = two_units["王强"].pk
    assert result.errors == [
        CellError(
            "县公安局",
            6,
            NUMBER,
            f"Appraisal no. {number} is not one of “2020年疫情防控一线专项考核” that you may see.",
        )
    ]
    assert fresh(two_units["李伟"]).talk_score is None


def test_an_input_the_user_may_not_enter_is_an_error(
    two_units, period, secretary, team, team_member
):
    """A secretary enters the talk and the counts; a team the on-site inspection only."""
    workbook = download(period, Appraisal.objects.visible_to(secretary))
    sheet = workbook["县公安局"]
    sheet[f"{TALK}5"] = 85
    sheet[f"{INSPECTION}5"] = 90
    sheet[f"{FINAL}5"] = "Competent"

    result = upload(secretary, period, workbook)

    assert [(e.row, e.column, e.message) for e in result.errors] == [
        (5, INSPECTION, "You may not enter the On-site inspection of this cadre."),
        (5, FINAL, "You may not enter the Final grade and opinion of this cadre."),
    ]
    assert fresh(two_units["李伟"]).talk_score is None

    workbook = download(period, Appraisal.objects.visible_to(team_member))
    workbook["县公安局"][f"{INSPECTION}5"] = 90
    workbook["县公安局"][f"{TALK}6"] = 70
    result = upload(team_member, period, workbook)
    assert [(e.row, e.column) for e in result.errors] == [(6, TALK)]

    workbook["县公安局"][f"{TALK}6"] = None
    assert upload(team_member, period, workbook).ok
    assert fresh(two_units["李伟"]).inspection_score == 90
    assert fresh(two_units["李伟"]).inspection_by == team_member


def test_quota_refusal_is_reported_on_the_grade_cell(two_units, period, county_staff, county):
    police = two_units["李伟"].work_unit
    services.quota_set(actor=county_staff, period=period, work_unit=police, excellent=1)
    workbook = download(period)
    workbook["县公安局"][f"{FINAL}5"] = "Excellent"
    workbook["县公安局"][f"{FINAL}6"] = "优秀"
    workbook["县公安局"][f"{OPINION}6"] = "拟评优秀"

    result = upload(county_staff, period, workbook)

    (error,) = result.errors
    assert (error.sheet, error.row, error.column) == ("县公安局", 6, FINAL)
    assert "县公安局" in error.message and "李伟" in error.message
    assert result.applied == 0
    assert fresh(two_units["李伟"]).final_grade == ""  # the first row was rolled back too


def test_a_place_given_up_in_the_sheet_can_be_taken_in_it(two_units, period, county_staff):
    police = two_units["李伟"].work_unit
    services.quota_set(actor=county_staff, period=period, work_unit=police, excellent=1)
    services.appraisal_update(
        actor=county_staff, appraisal=two_units["王强"], changes={"final_grade": "excellent"}
    )
    workbook = download(period)
    workbook["县公安局"][f"{FINAL}5"] = "Excellent"  # 李伟, above 王强
    workbook["县公安局"][f"{FINAL}6"] = "Competent"

    result = upload(county_staff, period, workbook)

    assert result.ok, result.errors
    assert result.applied == 2
    assert fresh(two_units["李伟"]).final_grade == Grade.EXCELLENT
    assert fresh(two_units["王强"]).final_grade == Grade.COMPETENT


def test_an_entry_made_on_the_site_since_the_download_is_kept(
    two_units, period, county_staff, secretary
):
    workbook = download(period)
    li = two_units["李伟"]
    services.appraisal_update(actor=secretary, appraisal=li, changes={"talk_score": Decimal(88)})
    workbook["县公安局"][f"{INSPECTION}5"] = 91  # the sheet's talk cell is still empty

    result = upload(county_staff, period, workbook)

    assert result.ok, result.errors
    stored = fresh(li)
    assert (stored.inspection_score, stored.talk_score) == (91, 88)
    assert stored.talk_by == secretary


def test_a_cell_changed_both_in_the_sheet_and_on_the_site_is_refused(
    two_units, period, county_staff, secretary
):
    workbook = download(period)
    li = two_units["李伟"]
    services.appraisal_update(actor=secretary, appraisal=li, changes={"talk_score": Decimal(88)})
    workbook["县公安局"][f"{TALK}5"] = 70
    workbook["县公安局"][f"{INSPECTION}5"] = 91

    result = upload(county_staff, period, workbook)

    assert result.errors == [
        CellError(
            "县公安局",
            5,
            TALK,
            "Changed on the site since this sheet was downloaded (now: 88.00); download the "
            "sheet again.",
        )
    ]
    assert fresh(li).talk_score == 88 and fresh(li).inspection_score is None
    # The same value in both places is no conflict.
    workbook["县公安局"][f"{TALK}5"] = 88
    assert upload(county_staff, period, workbook).ok
    assert fresh(li).inspection_score == 91


def test_rows_are_checked_against_their_cadre(two_units, period, county_staff):
    workbook = download(period)
    sheet = workbook["县公安局"]
    sheet["B5"], sheet["B6"] = sheet["B6"].value, sheet["B5"].value  # names sorted alone
    sheet[f"{NUMBER}5"] = None
    sheet["A8"], sheet["B8"], sheet[f"{TALK}8"] = 3, "新人", 80  # a row added by hand
    sheet[f"{CHECKSUMS}6"] = "spoilt"
    sheet[f"{TALK}6"] = 75
    workbook["县民政局"][f"{NUMBER}5"] = two_units["王强"].pk  # the same appraisal twice

    result = upload(county_staff, period, workbook)

    messages = {(e.sheet, e.row, e.column): e.message for e in result.errors}
    assert messages[("县公安局", 5, NUMBER)].startswith("This row has no appraisal number")
    assert messages[("县公安局", 6, "B")].startswith("This row's appraisal number is 王强's")
    assert messages[("县公安局", 8, NUMBER)].startswith("This row has no appraisal number")
    assert messages[("县民政局", 5, NUMBER)] == "The same appraisal as on sheet 县公安局, row 6."
    assert result.applied == 0


def test_overlong_text_and_junk_numbers_are_bad_cells(two_units, period, county_staff):
    workbook = download(period)
    police = workbook["县公安局"]
    police[f"{OPINION}5"] = "很" * 2001
    police[f"{NUMBER}6"] = "1e30"

    result = upload(county_staff, period, workbook)

    assert [(e.row, e.column) for e in result.errors] == [(5, OPINION), (6, NUMBER)]
    assert "at most 2000 characters" in result.errors[0].message
    assert result.errors[1].message.startswith("This row has no appraisal number")


def test_spoilt_checksums_refuse_the_rows_changes(two_units, period, county_staff):
    workbook = download(period)
    workbook["县公安局"][f"{CHECKSUMS}5"] = "spoilt"
    workbook["县公安局"][f"{TALK}5"] = 75

    result = upload(county_staff, period, workbook)

    assert [(e.row, e.column) for e in result.errors] == [(5, CHECKSUMS)]
    assert result.errors[0].message.startswith("The hidden checksums of this row were changed")


def test_a_workbook_of_another_period_is_refused_whole(appraisal, period, county_staff, county):
    other = services.period_save(
        actor=county_staff,
        period=Period(
            county=county,
            name="2026年度考核",
            starts_on=timezone.localdate() - timedelta(days=5),
            ends_on=timezone.localdate(),
        ),
    )

    with pytest.raises(ValidationError, match="downloaded for another period"):
        upload(county_staff, other, download(period))


@pytest.mark.parametrize(
    "content", [b"not a workbook", b"PK\x03\x04 broken zip", b""], ids=["text", "zip", "empty"]
)
def test_a_file_that_is_not_a_workbook_is_refused(period, county_staff, content):
    with pytest.raises(ValidationError, match=r"not an Excel workbook"):
        workbook_import(county_staff, period, io.BytesIO(content))


def test_a_workbook_without_appraisal_sheets_is_refused(period, county_staff):
    workbook = Workbook()
    workbook.active.append(["姓名", "得分"])

    with pytest.raises(ValidationError, match="hidden appraisal number column"):
        upload(county_staff, period, workbook)


def test_a_closed_period_takes_no_upload(appraisal, period, county_staff):
    workbook = download(period)
    workbook["县民政局"][f"{TALK}5"] = 80
    services.period_close(actor=county_staff, period=period)

    with pytest.raises(ValidationError, match="is closed"):
        upload(county_staff, period, workbook)
    assert fresh(appraisal).talk_score is None


def test_a_period_the_user_cannot_see_is_refused(appraisal, period):
    from tests.factories import CommunityFactory, UserFactory

    stranger = UserFactory(role="secretary", area=CommunityFactory())

    with pytest.raises(PermissionDenied):
        upload(stranger, period, download(period))


def test_a_sheet_saved_again_by_libreoffice_is_read(two_units, period, county_staff, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    workbook = download(period)
    workbook["县公安局"][f"{TALK}5"] = 86.5
    workbook["县公安局"][f"{FINAL}6"] = "称职"
    edited = tmp_path / "edited.xlsx"
    workbook.save(edited)
    resaved = tmp_path / "resaved"
    done = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{tmp_path / 'profile'}",
            "--headless",
            "--convert-to",
            "xlsx:Calc MS Excel 2007 XML",
            "--outdir",
            str(resaved),
            str(edited),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr

    with (resaved / "edited.xlsx").open("rb") as file:
        result = workbook_import(county_staff, period, file)

    assert result.ok, result.errors
    assert (result.applied, result.cells) == (2, 2)
    assert fresh(two_units["李伟"]).talk_score == Decimal("86.50")
    assert fresh(two_units["王强"]).final_grade == Grade.COMPETENT
