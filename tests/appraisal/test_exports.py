"""The appraisal sheets (考核情况表): read back with openpyxl cell by cell, laid out like the form
(merged title and headers, frozen header, print set-up), a sheet per unit and a summary, in a
fixed number of queries, and opened by LibreOffice."""

import csv
import io
import shutil
import subprocess
import zipfile
from datetime import datetime, timedelta
from decimal import Decimal
from itertools import count
from pathlib import Path
from urllib.parse import quote

import pytest
from django.utils import timezone, translation
from openpyxl import load_workbook

from appraisal import services
from appraisal.exports import (
    INPUT_FIELDS,
    appraisal_workbook,
    checksums,
    sheet_title,
    workbook_note,
    write_workbook,
)
from appraisal.models import Appraisal, Period
from cadres.choices import PostKind
from cadres.exports import XLSX_CONTENT_TYPE
from tests.factories import CadreFactory, PostFactory, RegistrationFactory, WorkUnitFactory
from tests.supervision.test_selectors import make_problem, make_report

pytestmark = pytest.mark.django_db

HEADER_TOP = [
    "No.",
    "Name",
    "Work unit",
    "Position",
    "Community served",
    "Posts in the community",
    "Days registered",
    "On-site inspection",
    None,
    "Secretary's talk",
    None,
    "Members' and residents' evaluation",
    None,
    None,
    None,
    "Composite score",
    "Proposed grade",
    "Final grade",
    "Appraisal opinion",
    "Commendations",
    "Supervision team",
    None,
    None,
    "Appraisal no. (do not change)",
    "Checksums (do not change)",
]
HEADER_BOTTOM = [
    *[None] * 7,
    "Score",
    "Note",
    "Score",
    "Note",
    "Satisfied",
    "Basically satisfied",
    "Unsatisfied",
    "Score",
    *[None] * 5,
    "Reports",
    "Problems found",
    "Problems solved",
    None,
    None,
]
PHONES = count(1)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def serving(work_unit, community, name=None, **extra):
    """A cadre of `work_unit` confirmed in `community` (so serving in the period)."""
    cadre = CadreFactory(
        work_unit=work_unit, phone=f"137{next(PHONES):08d}", **({"name": name} if name else {})
    )
    return RegistrationFactory(cadre=cadre, community=community, status="confirmed", **extra)


def read(period, queryset=None, scope_label="铁岭县"):
    queryset = Appraisal.objects.filter(period=period) if queryset is None else queryset
    buffer = io.BytesIO()
    written = write_workbook(period, queryset, buffer, scope_label=scope_label)
    buffer.seek(0)
    return written, load_workbook(buffer)


def rows_of(sheet):
    return [list(row) for row in sheet.iter_rows(values_only=True)]


@pytest.fixture
def filled(appraisal, admin_user, period, work_unit, confirmed_registration, building, team):
    """孙守超's appraisal with every input, 优秀 within the unit's quota, a commendation, a post,
    two reports and a problem of the team covering his community."""
    services.quota_set(actor=admin_user, period=period, work_unit=work_unit, excellent=1)
    PostFactory(
        registration=confirmed_registration, kind=PostKind.BUILDING_CHIEF, building=building
    )
    services.commendation_add(
        actor=admin_user,
        cadre=confirmed_registration.cadre,
        kind="citation",
        awarded_on=timezone.localdate() - timedelta(days=3),
        reason="卡点值守表现突出",
        approver="中共铁岭县委组织部",
        period=period,
    )
    report = make_report(team, timezone.localdate() - timedelta(days=1))
    make_report(team, timezone.localdate())
    make_problem(team, confirmed_registration.community, report=report)
    return services.appraisal_update(
        actor=admin_user,
        appraisal=appraisal,
        changes={
            "inspection_score": Decimal("92.5"),
            "inspection_note": "卡点值守认真，登记规范",
            "talk_score": Decimal(95),
            "talk_note": "入户排查主动",
            "satisfied": 18,
            "basically_satisfied": 2,
            "unsatisfied": 0,
            "final_grade": "excellent",
            "opinion": "工作扎实，群众满意，确定为优秀等次。",
        },
    )


def test_unit_sheet_reads_back_cell_by_cell(filled, period, county):
    written, workbook = read(period)

    assert written == 1
    assert workbook.sheetnames == ["县民政局"]
    sheet = workbook["县民政局"]
    rows = rows_of(sheet)
    today = timezone.localdate()
    title = f"{county.name} in-service Party cadres appraisal sheet (2020年疫情防控一线专项考核)"
    assert rows[0][0] == title
    assert rows[0][1:] == [None] * 24
    line = [value for value in rows[1] if value is not None]
    assert line == [
        "Work unit: 县民政局",
        f"Period: {period.starts_on.isoformat()} to {period.ends_on.isoformat()}",
        "Scope: 铁岭县",
        "Date:",
        datetime.combine(today, datetime.min.time()),  # a date, read back as a date-time
    ]
    assert rows[2] == HEADER_TOP
    assert rows[3] == HEADER_BOTTOM
    assert rows[4] == [
        1,
        "孙守超",
        "县民政局",
        None,
        "水木华园社区",
        "Building chief",
        1,  # days registered: since today
        92.5,
        "卡点值守认真，登记规范",
        95,
        "入户排查主动",
        18,
        2,
        0,
        96,  # (18 × 100 + 2 × 60) ÷ 20
        94.3,  # 92.5 × 40% + 95 × 30% + 96 × 30%
        "Excellent",
        "Excellent",
        "工作扎实，群众满意，确定为优秀等次。",
        f"Citation (嘉奖) {(today - timedelta(days=3)).isoformat()}",
        2,
        1,
        0,
        filled.pk,
        checksums({name: getattr(filled, name) for name in INPUT_FIELDS}),
    ]
    assert rows[5][0] == workbook_note(period)
    assert rows[5][1:] == [None] * 24
    assert rows[6] == [None] * 25
    assert [value for value in rows[7] if value] == ["Filled in by:", "Reviewed by:", "Date:"]
    assert len(rows) == 8


def test_numbers_are_numbers_with_two_decimals_and_dates_are_dates(filled, period):
    _written, workbook = read(period)
    sheet = workbook.worksheets[0]

    for coordinate in ("H5", "J5", "O5", "P5"):
        assert sheet[coordinate].data_type == "n"
        assert sheet[coordinate].number_format == "0.00"
    for coordinate in ("A5", "G5", "L5", "M5", "N5", "U5", "V5", "W5", "X5"):
        assert sheet[coordinate].data_type == "n"
    date_cell = next(cell for cell in sheet[2] if cell.value is not None and cell.is_date)
    assert date_cell.number_format == "yyyy-mm-dd"


def test_layout_of_the_form(filled, period):
    _written, workbook = read(period)
    sheet = workbook.worksheets[0]

    merged = {str(cell_range) for cell_range in sheet.merged_cells.ranges}
    assert "A1:W1" in merged  # the title over the visible columns
    assert {"A3:A4", "B3:B4", "G3:G4", "P3:P4", "S3:S4", "X3:X4", "Y3:Y4"} <= merged
    assert {"H3:I3", "J3:K3", "L3:O3", "U3:W3"} <= merged  # the groups
    assert "A6:W6" in merged  # the note
    assert sheet.freeze_panes == "C5"
    assert sheet.print_title_rows == "$3:$4"
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.paperSize == 9  # A4
    assert sheet.page_setup.fitToWidth == 1
    assert sheet.page_setup.fitToHeight == 0
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    assert sheet.column_dimensions["X"].hidden and sheet.column_dimensions["Y"].hidden
    assert not sheet.column_dimensions["B"].hidden
    assert sheet.column_dimensions["S"].width == 24
    assert sheet["S5"].alignment.wrap_text
    for coordinate in ("A3", "H4", "B5", "S5", "W5"):
        border = sheet[coordinate].border
        assert border.left.style == border.top.style == "thin"
    assert sheet["A1"].font.bold and sheet["A1"].font.size == 16
    validations = {
        cells.coord: validation.type
        for validation in sheet.data_validations.dataValidation
        for cells in validation.sqref.ranges
    }
    assert validations == {
        "R5": "list",
        "H5": "decimal",
        "J5": "decimal",
        "L5": "whole",
        "M5": "whole",
        "N5": "whole",
    }


def test_each_sheet_states_its_size_at_its_top(filled, period):
    """Readers (openpyxl's among them) learn a sheet's size without reading it all."""
    buffer = io.BytesIO()
    write_workbook(period, Appraisal.objects.all(), buffer, scope_label="铁岭县")
    buffer.seek(0)
    with zipfile.ZipFile(buffer) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert xml.index('<dimension ref="A1:Y8"') < xml.index("<sheetData")


def test_a_long_opinion_makes_its_row_taller(appraisal, admin_user, period):
    services.appraisal_update(
        actor=admin_user, appraisal=appraisal, changes={"opinion": "工作扎实。" * 30}
    )

    _written, workbook = read(period)

    assert workbook.worksheets[0].row_dimensions[5].height >= 5 * 15


def test_a_sheet_per_unit_and_a_summary_first(
    filled, period, admin_user, county, community, other_community
):
    other_unit = WorkUnitFactory(county=county, name="县公安局")
    serving(other_unit, other_community, name="王强")
    serving(other_unit, community, name="李伟")
    services.appraisals_sync(actor=admin_user, period=period)
    competent = Appraisal.objects.get(period=period, cadre__name="王强")
    services.appraisal_update(
        actor=admin_user, appraisal=competent, changes={"final_grade": "competent"}
    )

    written, workbook = read(period)

    assert written == 3
    assert workbook.sheetnames == ["Summary", "县公安局", "县民政局"]
    assert workbook.active.title == "Summary"
    summary = rows_of(workbook["Summary"])
    assert summary[0][0].endswith(
        "in-service Party cadres appraisal sheet (2020年疫情防控一线专项考核)"
    )
    assert [value for value in summary[1] if value][:2] == [
        "Scope: 铁岭县",
        f"Period: {period.starts_on.isoformat()} to {period.ends_on.isoformat()}",
    ]
    assert summary[2] == [
        "Work unit",
        "Cadres",
        "Graded",
        "Excellent",
        "Competent",
        "Basically competent",
        "Incompetent",
        "“Excellent” places",
        "Places given",
    ]
    assert summary[3] == ["县公安局", 2, 1, 0, 1, 0, 0, 0, 0]
    assert summary[4] == ["县民政局", 1, 1, 1, 0, 0, 0, 1, 1]
    assert summary[5] == ["Total", 3, 2, 1, 1, 0, 0, 1, 1]
    assert summary[6] == [None] * 9
    assert [value for value in summary[7] if value] == ["Filled in by:", "Reviewed by:", "Date:"]
    assert len(summary) == 8
    assert workbook["Summary"].print_title_rows == "$3:$3"
    police = rows_of(workbook["县公安局"])
    assert [row[1] for row in police[4:6]] == ["李伟", "王强"]  # by name
    assert [row[0] for row in police[4:6]] == [1, 2]  # numbered per sheet
    assert police[1][0] == "Work unit: 县公安局"


def test_scope_and_filters_of_the_queryset_are_kept(
    filled, period, admin_user, secretary, county, other_community
):
    other_unit = WorkUnitFactory(county=county, name="县公安局")
    serving(other_unit, other_community, name="王强")
    services.appraisals_sync(actor=admin_user, period=period)

    written, workbook = read(period, Appraisal.objects.visible_to(secretary))

    assert written == 1
    assert workbook.sheetnames == ["县民政局"]  # one unit: no summary
    assert rows_of(workbook.worksheets[0])[4][1] == "孙守超"


def test_no_rows_still_gives_the_empty_form(period, secretary, other_community):
    written, workbook = read(period, Appraisal.objects.none(), scope_label="天嘉苑社区")

    assert written == 0
    assert workbook.sheetnames == ["天嘉苑社区"]
    rows = rows_of(workbook.worksheets[0])
    assert rows[2] == HEADER_TOP
    assert rows[4][0] == workbook_note(period)


def test_text_typed_by_people_stays_text(appraisal, admin_user, period):
    services.appraisal_update(
        actor=admin_user,
        appraisal=appraisal,
        changes={"inspection_note": '=HYPERLINK("http://x")', "opinion": "#N/A"},
    )
    Appraisal.objects.filter(pk=appraisal.pk).update(talk_note="控制\x01字符")

    _written, workbook = read(period)
    sheet = workbook.worksheets[0]

    assert sheet["I5"].value == '=HYPERLINK("http://x")'
    assert sheet["I5"].data_type == "s"
    assert sheet["S5"].value == "#N/A"
    assert sheet["S5"].data_type == "s"
    assert sheet["K5"].value == "控制字符"


def test_sheet_names_are_valid_and_unique():
    taken = {"summary"}
    names = [
        sheet_title(name, taken)
        for name in [
            "县委/县政府[督查]室:*?",
            "铁岭县某某某某某某某某某某某某某某某某某某某某某某某某某某某某局一",
            "铁岭县某某某某某某某某某某某某某某某某某某某某某某某某某某某某局二",
            "Summary",
            "'引号'",
            "History",
        ]
    ]

    assert names[0] == "县委_县政府_督查_室___"
    assert len(names[1]) == len(names[2]) == 31
    assert names[2].endswith("(2)")
    assert names[3] == "Summary(2)"
    assert names[4] == "引号"
    assert names[5] == "History(2)"
    assert len({name.casefold() for name in names}) == len(names)


def test_query_count_does_not_grow_with_the_cadres(
    django_assert_max_num_queries, period, admin_user, county, community, other_community
):
    def grow(cadres: int, units: int) -> None:
        made = [WorkUnitFactory(county=county) for _ in range(units)]
        for n in range(cadres):
            serving(made[n % units], (community, other_community)[n % 2])
        services.appraisals_sync(actor=admin_user, period=period)

    for cadres, units in ((4, 2), (40, 8)):
        grow(cadres, units)
        fetched = Period.objects.get(pk=period.pk)
        # The county's name, the teams' figures per community, the rows, the quotas.
        with django_assert_max_num_queries(4):
            written, workbook = read(fetched)
        assert written == Appraisal.objects.filter(period=period).count()
        units_now = Appraisal.objects.filter(period=period).values("work_unit").distinct()
        assert len(workbook.sheetnames) == units_now.count() + 1  # and the summary


def test_response_is_a_named_xlsx_download(filled, period):
    response = appraisal_workbook(
        period, Appraisal.objects.filter(period=period), scope_label="县民政局"
    )

    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    day = timezone.localdate().strftime("%Y%m%d")
    disposition = response["Content-Disposition"]
    assert f'filename="appraisal-{period.pk}-{day}.xlsx"' in disposition
    assert quote(f"Appraisal sheet-县民政局-{day}.xlsx") in disposition
    body = b"".join(response.streaming_content)
    assert load_workbook(io.BytesIO(body)).sheetnames == ["县民政局"]


def test_a_chinese_workbook_holds_the_same_cells(filled, period):
    """Headers and labels follow the user's language; names, numbers and layout do not."""
    with translation.override("zh-hans"):
        _written, workbook = read(period)
    rows = rows_of(workbook.worksheets[0])
    assert rows[2][:2] == ["序号", "姓名"]
    assert rows[4][:2] == [1, "孙守超"]
    assert rows[4][7:10] == [92.5, "卡点值守认真，登记规范", 95]
    assert rows[4][23] == filled.pk


# --- LibreOffice ----------------------------------------------------------------------------


def soffice_csv(path: Path, outdir: Path) -> dict[str, list[list[str]]]:
    """Every sheet of the workbook as LibreOffice reads it, converted headless to CSV."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.fail(
            "LibreOffice (soffice) is missing: install libreoffice-calc-nogui (.ci/run does)."
        )
    profile = outdir / "profile"
    # 44,34,76: comma, quote, UTF-8; true: as shown (formatted); -1: each sheet to a file.
    csv_filter = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1"
    done = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            csv_filter,
            "--outdir",
            str(outdir),
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    sheets = {}
    for output in sorted(outdir.glob(f"{path.stem}-*.csv")):
        with output.open(encoding="utf-8", newline="") as file:
            sheets[output.stem.removeprefix(f"{path.stem}-")] = list(csv.reader(file))
    return sheets


def test_libreoffice_opens_the_county_workbook(
    filled, period, admin_user, county, other_community, tmp_path
):
    other_unit = WorkUnitFactory(county=county, name="县公安局")
    serving(other_unit, other_community, name="王强")
    services.appraisals_sync(actor=admin_user, period=period)
    path = tmp_path / "county.xlsx"
    with path.open("wb") as file:
        write_workbook(period, Appraisal.objects.all(), file, scope_label="铁岭县")

    sheets = soffice_csv(path, tmp_path)

    assert set(sheets) == {"Summary", "县公安局", "县民政局"}
    civil = sheets["县民政局"]
    assert civil[0][0].startswith(f"{county.name} in-service Party cadres appraisal sheet")
    assert civil[2][:3] == ["No.", "Name", "Work unit"]
    row = civil[4]
    assert row[:3] == ["1", "孙守超", "县民政局"]
    assert row[7] == "92.50"  # a number shown with two decimals
    assert row[15] == "94.30"
    assert row[17] == "Excellent"
    assert row[23] == str(filled.pk)
    assert civil[5][0].startswith("Notes: composite score")
    assert sheets["县公安局"][4][1] == "王强"
    assert sheets["Summary"][5][:3] == ["Total", "2", "1"]
    assert timezone.localdate().isoformat() in civil[1]  # the date line's date
