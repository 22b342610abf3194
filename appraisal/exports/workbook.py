"""The appraisal workbook: a sheet per work unit laid out like the paper form, and the summary."""

import tempfile
from dataclasses import dataclass, field
from datetime import date
from typing import IO

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.worksheet.datavalidation import DataValidation

from cadres.exports import xlsx_response

from ..choices import Grade
from ..models import Period
from ..selectors import quotas_with_use
from .rows import COUNT_FORMAT, Column, appraisal_columns, appraisal_rows
from .sheets import (
    DATE_FORMAT,
    LINE_HEIGHT,
    SHEET_NAME_INVALID,
    Sheet,
    clean_text,
    display_width,
    line_count,
    sheet_title,
)

# Rows of a unit's sheet: title, unit and date line, two header rows, then the cadres.
HEADER_ROW, SUBHEADER_ROW, FIRST_ROW = 3, 4, 5
FROZEN = "C5"  # the header rows, and the number and name of each row
ROW_HEIGHT = 20  # a cadre's row, at least: room to write by hand on the printed form


# --- the form ---------------------------------------------------------------------------------


def workbook_title(period: Period) -> str:
    return gettext("%(county)s in-service Party cadres appraisal sheet (%(period)s)") % {
        "county": period.county.name,
        "period": period.name,
    }


def workbook_note(period: Period) -> str:
    """The stated rule and the weights, under the table."""
    return gettext(
        "Notes: composite score = on-site inspection × %(inspection)s%% + secretary's talk × "
        "%(talk)s%% + members' and residents' evaluation × %(evaluation)s%%. Members' and "
        "residents' evaluation: %(rule)s. Proposed grade: excellent from %(excellent)s, "
        "competent from %(competent)s, basically competent from %(basic)s, incompetent below. "
        "The organisation department sets the final grade; “excellent” within each work unit's "
        "quota."
    ) % {
        "inspection": period.weight_inspection,
        "talk": period.weight_talk,
        "evaluation": period.weight_evaluation,
        "rule": period.evaluation_rule(),
        "excellent": period.excellent_from,
        "competent": period.competent_from,
        "basic": period.basic_from,
    }


@dataclass
class _Heading:
    """The title row and the unit and date line, the same on every sheet but for the unit."""

    title: str
    period_text: str
    scope_text: str
    today: date

    @classmethod
    def of(cls, period: Period, scope_label: str) -> "_Heading":
        dates = {"starts": period.starts_on.isoformat(), "ends": period.ends_on.isoformat()}
        return cls(
            title=workbook_title(period),
            period_text=gettext("Period: %(starts)s to %(ends)s") % dates,
            scope_text=gettext("Scope: %(scope)s") % {"scope": scope_label},
            today=timezone.localdate(),
        )

    def write(self, sheet: Sheet, unit_name: str | None) -> None:
        title = sheet.style(bold=True, size=16, border=False)
        row = sheet.append([self.title], [title], height=2 * LINE_HEIGHT + 6)
        sheet.merge(row, 1, sheet.visible)
        left = sheet.style(border=False, horizontal="left")
        texts = [(self.scope_text, left), (self.period_text, left)]
        if unit_name is not None:
            unit = gettext("Work unit: %(unit)s") % {"unit": clean_text(unit_name)}
            texts = [(unit, left), (self.period_text, left), (self.scope_text, left)]
        texts += [
            (gettext("Date:"), sheet.style(border=False, horizontal="right")),
            (self.today, sheet.style(border=False, horizontal="left", number_format=DATE_FORMAT)),
        ]
        needs = [display_width(v) + 2 if isinstance(v, str) else 12 for v, _style in texts]
        sheet.spread(texts, needs, height=LINE_HEIGHT + 5)


class _UnitSheet(Sheet):
    """A work unit's sheet, written row by row."""

    def __init__(
        self, workbook: Workbook, title: str, columns: list[Column], heading: _Heading, rows: int
    ):
        super().__init__(workbook, title, [c.width for c in columns], [c.hidden for c in columns])
        # The sheet's size, written at its top: a reader need not read it all to learn it.
        last = f"{self.letters[-1]}{FIRST_ROW + rows + 2}"  # the note, a blank, the signatures
        self.sheet.calculate_dimension = lambda: f"A1:{last}"
        self.columns, self.heading = columns, heading
        self.values = [column.value for column in columns]
        self.styles = [
            self.style(horizontal="left", wrap=True)
            if column.wrap
            else self.style(number_format=column.number_format)
            for column in columns
        ]
        self.wrapped = [(i, c.width) for i, c in enumerate(columns) if c.wrap]
        self.sheet.freeze_panes = FROZEN
        self.sheet.print_title_rows = f"{HEADER_ROW}:{SUBHEADER_ROW}"

    def write_top(self, unit_name: str | None) -> None:
        self.heading.write(self, unit_name)
        header = [self.style(bold=True, wrap=True)] * len(self.columns)
        top, bottom = [], []
        for index, column in enumerate(self.columns):
            before = self.columns[index - 1].group if index else None
            if column.group is None:
                top.append(str(column.header))
                bottom.append(None)
            else:  # a group's name over its first column, merged over the rest
                top.append(str(column.group) if column.group is not before else None)
                bottom.append(str(column.header))
        self.append(top, header, height=2 * LINE_HEIGHT)
        self.append(bottom, header, height=2 * LINE_HEIGHT)
        first = 0
        for index, column in enumerate(self.columns, 1):
            if column.group is None:
                self.merge(HEADER_ROW, index, index, to_row=SUBHEADER_ROW)
                first = index
            elif index == len(self.columns) or self.columns[index].group is not column.group:
                self.merge(HEADER_ROW, first + 1, index)
                first = index

    def write_row(self, row: dict) -> None:
        values = [value(row) for value in self.values]
        lines = max(
            (line_count(values[i], width) for i, width in self.wrapped if values[i]), default=1
        )
        self.append(values, self.styles, height=max(ROW_HEIGHT, lines * LINE_HEIGHT))

    def write_bottom(self, period: Period) -> None:
        self._validations(self.row)
        note = self.style(horizontal="left", vertical="top", wrap=True, size=10, border=False)
        text = workbook_note(period)
        height = line_count(text, sum(self.widths)) * LINE_HEIGHT + 6
        self.merge(self.append([text], [note], height=height), 1, self.visible)
        self.skip()
        self.write_signatures()

    def write_signatures(self) -> None:
        plain = self.style(border=False, horizontal="left")
        labels = [gettext("Filled in by:"), gettext("Reviewed by:"), gettext("Date:")]
        self.spread([(label, plain) for label in labels], [1, 1, 1], height=2 * LINE_HEIGHT)

    def _validations(self, last: int) -> None:
        """Drop-down grades and checked numbers for those who fill the sheet in offline."""
        if last < FIRST_ROW:
            return
        letters = dict(zip((c.key for c in self.columns), self.letters, strict=True))
        grades = ",".join(str(label) for label in Grade.labels)
        checks = [
            (
                DataValidation(type="list", formula1=f'"{grades}"'),
                ("final_grade",),
                gettext("Choose a grade from the list."),
            ),
            (
                DataValidation(type="decimal", operator="between", formula1="0", formula2="100"),
                ("inspection_score", "talk_score"),
                gettext("A score is between 0 and 100."),
            ),
            (
                DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0"),
                ("satisfied", "basically_satisfied", "unsatisfied"),
                gettext("A count is a whole number, 0 or more."),
            ),
        ]
        for validation, keys, message in checks:
            validation.allow_blank, validation.showErrorMessage = True, True
            validation.error = message
            for key in keys:
                validation.add(f"{letters[key]}{FIRST_ROW}:{letters[key]}{last}")
            self.sheet.data_validations.append(validation)


@dataclass
class _Tally:
    """A unit's figures for the summary sheet."""

    name: str
    cadres: int = 0
    graded: int = 0
    grades: dict[str, int] = field(default_factory=lambda: dict.fromkeys(Grade.values, 0))

    def add(self, row: dict) -> None:
        self.cadres += 1
        if row["final_grade"]:
            self.graded += 1
            self.grades[row["final_grade"]] += 1


def write_summary(
    workbook: Workbook, heading: _Heading, tallies: dict[int, _Tally], period: Period
) -> None:
    """Per unit: cadres, graded, each grade, the 优秀 places and how many the unit has given in
    the period; and the totals. One query (the quotas)."""
    headers = [
        _("Work unit"),
        _("Cadres"),
        _("Graded"),
        *Grade.labels,
        _("“Excellent” places"),
        _("Places given"),
    ]
    widths = [22, 8, 8, *[10] * len(Grade.labels), 10, 10]
    sheet = Sheet(workbook, gettext("Summary"), widths, [False] * len(widths))
    sheet.sheet.freeze_panes = "B4"
    sheet.sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    heading.write(sheet, None)
    header = sheet.style(bold=True, wrap=True)
    sheet.append([str(text) for text in headers], [header] * len(headers), 2 * LINE_HEIGHT)
    quotas = {q.work_unit_id: (q.excellent, q.given) for q in quotas_with_use(period)}
    totals = [0] * (len(headers) - 1)
    styles = [sheet.style(horizontal="left"), *[sheet.style(number_format=COUNT_FORMAT)] * 8]
    for unit_id, tally in tallies.items():
        grades = [tally.grades[grade] for grade in Grade.values]
        figures = [tally.cadres, tally.graded, *grades, *quotas.get(unit_id, (0, 0))]
        totals = [total + figure for total, figure in zip(totals, figures, strict=True)]
        sheet.append([clean_text(tally.name), *figures], styles)
    bold = [sheet.style(bold=True, horizontal="left")]
    bold += [sheet.style(bold=True, number_format=COUNT_FORMAT)] * len(totals)
    sheet.append([gettext("Total"), *totals], bold)
    sheet.skip()
    plain = sheet.style(border=False, horizontal="left")
    labels = [gettext("Filled in by:"), gettext("Reviewed by:"), gettext("Date:")]
    sheet.spread([(label, plain) for label in labels], [1, 1, 1], height=2 * LINE_HEIGHT)


# --- the workbook -----------------------------------------------------------------------------


def write_workbook(
    period: Period, appraisals: QuerySet, fileobj: IO[bytes], *, scope_label: str
) -> int:
    """Writes the appraisal sheets of `appraisals` (scoped and filtered, of `period`) to
    `fileobj`; returns the number of cadres' rows. A fixed number of queries."""
    workbook = Workbook(write_only=True)
    columns, heading = appraisal_columns(), _Heading.of(period, scope_label)
    taken = {gettext("Summary").casefold()}
    tallies: dict[int, _Tally] = {}
    sheet, count = None, 0
    for row in appraisal_rows(period, appraisals):
        unit = row["work_unit_id"]
        if unit not in tallies:
            if sheet is not None:
                sheet.write_bottom(period)
            title = sheet_title(row["work_unit__name"], taken)
            sheet = _UnitSheet(workbook, title, columns, heading, row["unit_rows"])
            sheet.write_top(row["work_unit__name"])
            tallies[unit] = _Tally(row["work_unit__name"])
        count += 1
        row["number"] = tallies[unit].cadres + 1
        sheet.write_row(row)
        tallies[unit].add(row)
    if sheet is None:  # nothing to show: the form, empty
        sheet = _UnitSheet(workbook, sheet_title(scope_label, taken), columns, heading, 0)
        sheet.write_top(None)
    sheet.write_bottom(period)
    if len(tallies) > 1:
        write_summary(workbook, heading, tallies, period)
        workbook.move_sheet(gettext("Summary"), -(len(workbook.worksheets) - 1))
    workbook.save(fileobj)
    return count


def appraisal_workbook(period: Period, appraisals: QuerySet, *, scope_label: str) -> HttpResponse:
    """The appraisal sheets as a download, 考核情况表-<scope>-YYYYMMDD.xlsx."""
    day = timezone.localdate().strftime("%Y%m%d")
    fileobj = tempfile.TemporaryFile(suffix=".xlsx")  # the response closes it
    write_workbook(period, appraisals, fileobj, scope_label=scope_label)
    scope = SHEET_NAME_INVALID.sub("_", clean_text(scope_label)).strip() or str(period.pk)
    name = gettext("Appraisal sheet")  # not inside the f-string: makemessages would miss it
    return xlsx_response(
        fileobj,
        filename=f"{name}-{scope}-{day}.xlsx",
        ascii_filename=f"appraisal-{period.pk}-{day}.xlsx",
    )
