"""The appraisal sheets (考核情况表) of a period as an Excel workbook, laid out like the paper form.

    appraisal_workbook(period, appraisals, *, scope_label) -> HttpResponse
    write_workbook(period, appraisals, fileobj, *, scope_label) -> int   (rows written)

`appraisals` is the already scoped and filtered queryset of the period's appraisals (a page's or
the API's); `scope_label` names what was asked for (a work unit, a township, the county) and is
shown on each sheet and in the file name. One sheet per work unit, and a summary sheet first when
there are several. Each sheet: a merged title row, the unit and date line, two header rows with
merged group headers (repeated on every printed page), one row per cadre, the period's stated rule
and weights in a note row, and the signature lines (填表人, 审核人, 日期). A4 landscape, fitted to
the page width, header frozen, thin borders; scores are numbers to two decimals, dates are dates.

Two hidden columns at the right carry each row's appraisal number and checksums of its inputs as
written, so that a sheet filled in offline can be uploaded again
(`appraisal.imports.workbook_import`). No phone or ID number is written.

Streamed through openpyxl's write-only workbook from one query (read through a server-side
cursor) plus one for the quotas: the query count does not grow with the cadres, nor does memory.
"""

import math
import re
import tempfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from operator import itemgetter
from typing import IO, Any

from django.contrib.postgres.aggregates import StringAgg
from django.db.models import CharField, OuterRef, Q, QuerySet, Subquery, TextField, Value
from django.db.models.functions import Cast, Concat
from django.http import HttpResponse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from cadres.choices import PostKind
from cadres.exports import CHUNK_SIZE, xlsx_response

from .choices import CommendationKind, Grade, Input
from .models import HUNDREDTH, Appraisal, Commendation, Period
from .selectors import appraisals_for_list, quotas_with_use

DATE_FORMAT = "yyyy-mm-dd"
SCORE_FORMAT = "0.00"
COUNT_FORMAT = "0"
# Rows of a unit's sheet: title, unit and date line, two header rows, then the cadres.
TITLE_ROW, LINE_ROW, HEADER_ROW, SUBHEADER_ROW, FIRST_ROW = 1, 2, 3, 4, 5
FROZEN = "C5"  # the header rows, and the number and name of each row
LINE_HEIGHT = 15  # points per line of wrapped text
ROW_HEIGHT = 20  # a cadre's row, at least: room to write by hand on the printed form
# Separators inside the aggregated commendations: ASCII unit and record separators.
_FIELD, _RECORD = "\x1f", "\x1e"
_SHEET_NAME_INVALID = re.compile(r"[\[\]:*?/\\]")
SHEET_NAME_MAX = 31


@dataclass(frozen=True)
class Column:
    """A column of a unit's sheet, declared once for the export and the import: its key (the
    appraisal's field for an input), its header, the group header above it (two-row headers),
    how a cell is read from an appraisal, and how it looks."""

    key: str
    header: Promise
    value: Callable[[Appraisal], Any]
    width: float  # Excel's character units; a Chinese character takes about two
    group: Promise | None = None
    number_format: str = ""
    wrap: bool = False  # long text: wrapped, left aligned, the row grows
    text: bool = False  # typed by people: written as text, never as a formula
    hidden: bool = False


# The inputs an upload may change, in the order of their checksums in the hidden column.
INPUT_FIELDS = (
    "inspection_score",
    "inspection_note",
    "talk_score",
    "talk_note",
    "satisfied",
    "basically_satisfied",
    "unsatisfied",
    "final_grade",
    "opinion",
)
TEXT_FIELDS = ("inspection_note", "talk_note", "opinion")
CHECKSUMS_VERSION = "1"


def normal_text(value: Any) -> str:
    """Text as a cell holds it and as it is compared: a number typed in loses its '.0'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return clean_text(str(value)).replace("\r\n", "\n").strip()


def canonical(name: str, value: Any) -> str:
    """An input's value as one text, the same for what is stored and what its cell reads."""
    if name in TEXT_FIELDS:
        return normal_text(value)
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return str(value.quantize(HUNDREDTH))
    return str(value)


def checksum(name: str, value: Any) -> str:
    return f"{zlib.crc32(canonical(name, value).encode()):08x}"


def checksums(appraisal: Appraisal) -> str:
    """The hidden record of the inputs as written: a checksum of each, so that an upload tells
    the cells changed in the sheet from those left as they were (whatever the site holds now)."""
    sums = (checksum(name, getattr(appraisal, name)) for name in INPUT_FIELDS)
    return f"{CHECKSUMS_VERSION}:{'.'.join(sums)}"


def clean_text(value: str | None) -> str:
    """Text as a worksheet accepts it: without the control characters XML cannot carry."""
    return ILLEGAL_CHARACTERS_RE.sub("", value) if value else ""


def _label(choices) -> Callable[[str], str]:
    labels = {value: str(label) for value, label in choices.choices}
    return lambda value: labels.get(value, "") if value else ""


def _posts(kinds: list[str] | None) -> str:
    labels = []
    for kind in kinds or ():
        label = str(PostKind(kind).label)
        if label not in labels:
            labels.append(label)
    return "、".join(labels)


def _commendations(text: str | None) -> str:
    """'citation␟2020-03-01␞merit␟…' → '嘉奖 2020-03-01、记功 …'."""
    if not text:
        return ""
    kind = _label(CommendationKind)
    shown = []
    for record in text.split(_RECORD):
        value, day = record.split(_FIELD)
        shown.append(f"{kind(value)} {day}")
    return "、".join(shown)


def appraisal_columns() -> list[Column]:
    """The columns of a unit's sheet, in order; the last two (hidden) identify the row."""
    grade = _label(Grade)
    inspection, talk = Input.INSPECTION.label, Input.TALK.label
    evaluation, team = Input.EVALUATION.label, _("Supervision team")

    def get(name: str) -> Callable[[Appraisal], Any]:
        return lambda a: getattr(a, name)

    def text(read: Callable[[Appraisal], str | None]) -> Callable[[Appraisal], str]:
        return lambda a: clean_text(read(a))

    score, count = SCORE_FORMAT, COUNT_FORMAT
    return [
        Column("number", _("No."), get("number"), 5),
        Column("name", _("Name"), text(lambda a: a.cadre.name), 9, text=True),
        Column("work_unit", _("Work unit"), text(lambda a: a.work_unit.name), 14, text=True),
        Column("position", _("Position"), text(lambda a: a.cadre.position), 10, text=True),
        Column("community", _("Community served"), text(lambda a: a.community.name), 14, text=True),
        Column("posts", _("Posts in the community"), lambda a: _posts(a.post_kinds), 12, wrap=True),
        Column("days", _("Days registered"), get("days_registered"), 7, number_format=count),
        Column("inspection_score", _("Score"), get("inspection_score"), 7, inspection, score),
        Column(
            "inspection_note",
            _("Note"),
            text(get("inspection_note")),
            20,
            inspection,
            wrap=True,
            text=True,
        ),
        Column("talk_score", _("Score"), get("talk_score"), 7, talk, score),
        Column("talk_note", _("Note"), text(get("talk_note")), 20, talk, wrap=True, text=True),
        Column("satisfied", _("Satisfied"), get("satisfied"), 6, evaluation, count),
        Column(
            "basically_satisfied",
            _("Basically satisfied"),
            get("basically_satisfied"),
            7,
            evaluation,
            count,
        ),
        Column("unsatisfied", _("Unsatisfied"), get("unsatisfied"), 6, evaluation, count),
        Column("evaluation_score", _("Score"), get("evaluation_score"), 7, evaluation, score),
        Column("composite", _("Composite score"), get("composite"), 8, number_format=score),
        Column("proposed_grade", _("Proposed grade"), lambda a: grade(a.proposed_grade), 8),
        Column("final_grade", _("Final grade"), lambda a: grade(a.final_grade), 8),
        Column("opinion", _("Appraisal opinion"), text(get("opinion")), 24, wrap=True, text=True),
        Column(
            "commendations",
            _("Commendations"),
            lambda a: _commendations(a.commendations_text),
            14,
            wrap=True,
        ),
        Column("team_reports", _("Reports"), get("team_reports"), 6, team, count),
        Column("team_problems", _("Problems found"), get("team_problems"), 7, team, count),
        Column(
            "team_problems_fixed", _("Problems solved"), get("team_problems_fixed"), 7, team, count
        ),
        Column("id", _("Appraisal no. (do not change)"), get("pk"), 10, hidden=True),
        Column("checksums", _("Checksums (do not change)"), checksums, 14, hidden=True),
    ]


# --- the rows -------------------------------------------------------------------------------


def commendations_text(period: Period) -> Subquery:
    """Per appraisal, the cadre's commendations of the period (given in it, or dated within it
    when given outside any period) as one text, by PostgreSQL in the row's query."""
    of_period = Q(period=period.pk) | Q(
        period__isnull=True, awarded_on__range=(period.starts_on, period.ends_on)
    )
    text = (
        Commendation.objects.filter(of_period, cadre=OuterRef("cadre"))
        .order_by()
        .values("cadre")
        .annotate(
            text=StringAgg(
                Concat(
                    "kind",
                    Value(_FIELD),
                    Cast("awarded_on", CharField()),
                    output_field=TextField(),
                ),
                delimiter=_RECORD,
                order_by=("awarded_on", "id"),
            )
        )
        .values("text")
    )
    return Subquery(text, output_field=TextField())


def appraisal_rows(period: Period, appraisals: QuerySet) -> Iterator[Appraisal]:
    """The period's appraisals of `appraisals` by work unit, with the facts of the other apps:
    one query through a server-side cursor. Each row's `period` is `period` itself."""
    rows = (
        appraisals_for_list(appraisals.filter(period=period))
        .select_related(None)
        .select_related("cadre", "work_unit", "community")
        .prefetch_related(None)
        .annotate(commendations_text=commendations_text(period))
        .order_by("work_unit__name", "work_unit_id", "cadre__name", "id")
    )
    for appraisal in rows.iterator(chunk_size=CHUNK_SIZE):
        appraisal._state.fields_cache["period"] = period
        yield appraisal


# --- the look ---------------------------------------------------------------------------------

_THIN = Side(style="thin")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


class _Styles:
    """The cell styles of a sheet, made once: every cell of a column shares its style (setting
    fonts and borders cell by cell would cost more than writing the values)."""

    def __init__(self, sheet):
        self.sheet = sheet
        self._cache: dict[tuple, Any] = {}

    def style(
        self,
        *,
        bold=False,
        size=11,
        horizontal="center",
        wrap=False,
        border=True,
        number_format="",
        vertical="center",
    ):
        key = (bold, size, horizontal, wrap, border, number_format, vertical)
        if key not in self._cache:
            proto = WriteOnlyCell(self.sheet)
            proto.font = Font(bold=bold, size=size)
            proto.alignment = Alignment(horizontal=horizontal, vertical=vertical, wrap_text=wrap)
            if border:
                proto.border = _BORDER
            if number_format:
                proto.number_format = number_format
            self._cache[key] = proto._style
        return self._cache[key]

    def cell(self, value: Any, style, *, text: bool = False) -> Cell:
        cell = Cell(self.sheet, row=1, column=1, value=value, style_array=style)
        if text and cell.data_type in ("f", "e"):
            cell.data_type = "s"  # '=…' or '#N/A' typed in a note is text, not a formula
        return cell

    def column(self, column: Column):
        if column.wrap:
            return self.style(horizontal="left", wrap=True)
        return self.style(number_format=column.number_format)


def _display_width(text: str) -> int:
    return sum(2 if ord(character) > 0x2E7F else 1 for character in text)


def _lines(text: str, width: float) -> int:
    """How many lines `text` takes wrapped in a column `width` wide (Excel does not grow rows
    by itself when it opens a file)."""
    per_line = max(1, int(width) - 1)
    return sum(max(1, math.ceil(_display_width(line) / per_line)) for line in text.split("\n"))


# --- one unit's sheet -------------------------------------------------------------------------


@dataclass
class _UnitTally:
    """A unit's figures for the summary sheet."""

    name: str
    cadres: int = 0
    graded: int = 0
    grades: dict[str, int] = field(default_factory=lambda: dict.fromkeys(Grade.values, 0))


class _UnitSheet:
    """A work unit's sheet, written row by row."""

    def __init__(self, workbook: Workbook, title: str, columns: list[Column], heading: "_Heading"):
        self.sheet = workbook.create_sheet(title=title)
        self.columns = columns
        self.styles = _Styles(self.sheet)
        self.visible = sum(not column.hidden for column in columns)
        self.widths = [column.width for column in columns if not column.hidden]
        self.row = 0
        self.heading = heading
        self.cell_styles = [self.styles.column(column) for column in columns]
        self.wrapped = [(i, c.width) for i, c in enumerate(columns) if c.wrap]
        self._set_up()

    def _set_up(self) -> None:
        sheet = self.sheet
        for index, column in enumerate(self.columns, 1):
            dimension = sheet.column_dimensions[get_column_letter(index)]
            dimension.width = column.width
            dimension.hidden = column.hidden
        sheet.freeze_panes = FROZEN
        sheet.print_title_rows = f"{HEADER_ROW}:{SUBHEADER_ROW}"
        print_set_up(sheet)

    def append(self, cells: list, height: float | None = None) -> int:
        self.row += 1
        if height:
            self.sheet.row_dimensions[self.row].height = height
        self.sheet.append(cells)
        if height:
            del self.sheet.row_dimensions[self.row]  # written; no need to keep it
        return self.row

    def merge(self, row: int, first: int, last: int) -> None:
        if last > first:
            self.sheet.merged_cells.add(
                f"{get_column_letter(first)}{row}:{get_column_letter(last)}{row}"
            )

    def write_top(self, unit_name: str) -> None:
        self.heading.write(self, unit_name)
        self._write_headers()

    def _write_headers(self) -> None:
        style = self.styles.style(bold=True, wrap=True)
        top, bottom = [], []
        for column in self.columns:
            if column.group is None:
                top.append(self.styles.cell(str(column.header), style))
                bottom.append(self.styles.cell(None, style))
            else:
                top.append(self.styles.cell(str(column.group), style))
                bottom.append(self.styles.cell(str(column.header), style))
        # A group's name is written once, over its columns.
        for index in range(len(self.columns) - 1, 0, -1):
            column, before = self.columns[index], self.columns[index - 1]
            if column.group is not None and column.group is before.group:
                top[index] = self.styles.cell(None, style)
        self.append(top, height=2 * LINE_HEIGHT)
        self.append(bottom, height=2 * LINE_HEIGHT)
        start = 0
        for index, column in enumerate(self.columns):
            letter = get_column_letter(index + 1)
            if column.group is None:
                self.sheet.merged_cells.add(f"{letter}{HEADER_ROW}:{letter}{SUBHEADER_ROW}")
                start = index + 1
            elif (
                index + 1 == len(self.columns) or self.columns[index + 1].group is not column.group
            ):
                self.merge(HEADER_ROW, start + 1, index + 1)
                start = index + 1

    def write_row(self, appraisal: Appraisal) -> None:
        cell, styles, columns = self.styles.cell, self.cell_styles, self.columns
        values = [column.value(appraisal) for column in columns]
        cells = [
            cell(value, style, text=column.text)
            for value, style, column in zip(values, styles, columns, strict=True)
        ]
        lines = max((_lines(values[i], width) for i, width in self.wrapped if values[i]), default=1)
        self.append(cells, height=max(ROW_HEIGHT, lines * LINE_HEIGHT))

    def write_bottom(self, period: Period, last_data_row: int) -> None:
        self._validations(last_data_row)
        note = self.styles.style(
            horizontal="left", wrap=True, vertical="top", size=10, border=False
        )
        text = workbook_note(period)
        height = _lines(text, sum(c.width for c in self.columns if not c.hidden)) * LINE_HEIGHT
        row = self.append([self.styles.cell(text, note)], height=height + 6)
        self.merge(row, 1, self.visible)
        self.append([])
        self.write_signatures()

    def write_signatures(self) -> None:
        plain = self.styles.style(border=False, horizontal="left")
        labels = [gettext("Filled in by:"), gettext("Reviewed by:"), gettext("Date:")]
        spans = _spans(self.widths, [1] * len(labels))
        cells = [None] * self.visible
        for label, (first, _last) in zip(labels, spans, strict=True):
            cells[first - 1] = self.styles.cell(label, plain)
        row = self.append(cells, height=2 * LINE_HEIGHT)
        for first, last in spans:
            self.merge(row, first, last)

    def _validations(self, last: int) -> None:
        """Drop-down grades and checked numbers for those who fill the sheet in offline."""
        if last < FIRST_ROW:
            return
        keys = {column.key: get_column_letter(i) for i, column in enumerate(self.columns, 1)}

        grades = ",".join(str(label) for label in Grade.labels)
        checks = [
            (DataValidation(type="list", formula1=f'"{grades}"'), ("final_grade",)),
            (
                DataValidation(type="decimal", operator="between", formula1="0", formula2="100"),
                ("inspection_score", "talk_score"),
            ),
            (
                DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0"),
                ("satisfied", "basically_satisfied", "unsatisfied"),
            ),
        ]
        messages = [
            gettext("Choose a grade from the list."),
            gettext("A score is between 0 and 100."),
            gettext("A count is a whole number, 0 or more."),
        ]
        for (validation, names), message in zip(checks, messages, strict=True):
            validation.allow_blank = True
            validation.error, validation.showErrorMessage = message, True
            for name in names:
                validation.add(f"{keys[name]}{FIRST_ROW}:{keys[name]}{last}")
            self.sheet.data_validations.append(validation)


def _spans(widths: list[float], needs: list[float]) -> list[tuple[int, int]]:
    """The columns (of `widths`) cut into one span per need, each as wide as can be in
    proportion to its need, at least one column each; as (first, last), 1-based."""
    parts, edges, total = len(needs), [0.0], sum(widths)
    for width in widths:
        edges.append(edges[-1] + width)
    bounds, wanted = [0], 0.0
    for i, need in enumerate(needs[:-1], 1):
        wanted += need
        target = total * wanted / sum(needs)
        low, high = bounds[-1] + 1, len(widths) - (parts - i)
        bounds.append(min(range(low, high + 1), key=lambda j: abs(edges[j] - target)))
    bounds.append(len(widths))
    return [(bounds[i] + 1, bounds[i + 1]) for i in range(parts)]


def _need(value: Any) -> float:
    return _display_width(value) + 2 if isinstance(value, str) else 12


def print_set_up(sheet) -> None:
    """A4 landscape, as wide as the page, centred, numbered pages."""
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.page_setup.orientation = Worksheet.ORIENTATION_LANDSCAPE
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.page_margins.top = sheet.page_margins.bottom = 0.6
    sheet.HeaderFooter.oddFooter.center.text = gettext("Page &P of &N")


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
    today: Any

    @classmethod
    def of(cls, period: Period, scope_label: str) -> "_Heading":
        return cls(
            title=workbook_title(period),
            period_text=gettext("Period: %(starts)s to %(ends)s")
            % {"starts": period.starts_on.isoformat(), "ends": period.ends_on.isoformat()},
            scope_text=gettext("Scope: %(scope)s") % {"scope": scope_label},
            today=timezone.localdate(),
        )

    def write(self, sheet: "_UnitSheet | _SummarySheet", unit_name: str | None) -> None:
        styles, width = sheet.styles, sheet.visible
        title = styles.style(bold=True, size=16, border=False)
        row = sheet.append([styles.cell(self.title, title)], height=2 * LINE_HEIGHT + 6)
        sheet.merge(row, 1, width)
        left = styles.style(border=False, horizontal="left")
        right = styles.style(border=False, horizontal="right")
        day = styles.style(border=False, horizontal="left", number_format=DATE_FORMAT)
        unit = gettext("Work unit: %(unit)s") % {"unit": unit_name} if unit_name else ""
        texts = [(unit or self.scope_text, left), (self.period_text, left)]
        if unit:
            texts.append((self.scope_text, left))
        texts += [(gettext("Date:"), right), (self.today, day)]
        spans = _spans(sheet.widths, [_need(value) for value, _style in texts])
        cells = [None] * width
        for (value, style), (first, _last) in zip(texts, spans, strict=True):
            cells[first - 1] = styles.cell(value, style)
        row = sheet.append(cells, height=LINE_HEIGHT + 5)
        for first, last in spans:
            sheet.merge(row, first, last)


# --- the summary sheet ------------------------------------------------------------------------


class _SummarySheet(_UnitSheet):
    """Per unit: cadres, graded, each grade, the 优秀 places and how many are given; a total."""

    def __init__(self, workbook: Workbook, title: str, heading: _Heading):
        count = COUNT_FORMAT
        columns = [
            Column("unit", _("Work unit"), itemgetter(0), 22),
            Column("cadres", _("Cadres"), itemgetter(1), 8, number_format=count),
            Column("graded", _("Graded"), itemgetter(2), 8, number_format=count),
            *(
                Column(grade, label, itemgetter(3 + i), 10, number_format=count)
                for i, (grade, label) in enumerate(Grade.choices)
            ),
            Column("places", _("“Excellent” places"), itemgetter(7), 10, number_format=count),
            Column("given", _("Places given"), itemgetter(8), 10, number_format=count),
        ]
        super().__init__(workbook, title, columns, heading)
        self.sheet.freeze_panes = "B4"
        self.sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"

    def write(self, tallies: dict[int, _UnitTally], quotas: dict[int, tuple[int, int]]) -> None:
        """`quotas`: per unit id, its 优秀 places and how many the unit has given in all."""
        self.heading.write(self, None)
        header = self.styles.style(bold=True, wrap=True)
        cells = [self.styles.cell(str(column.header), header) for column in self.columns]
        self.append(cells, height=2 * LINE_HEIGHT)
        totals = [0] * (len(self.columns) - 1)
        for unit_id, tally in tallies.items():
            grades = [tally.grades[grade] for grade in Grade.values]
            figures = [tally.cadres, tally.graded, *grades, *quotas.get(unit_id, (0, 0))]
            totals = [total + figure for total, figure in zip(totals, figures, strict=True)]
            self._line([clean_text(tally.name), *figures])
        self._line([gettext("Total"), *totals], bold=True)
        self.append([])
        self.write_signatures()

    def _line(self, values: list, *, bold: bool = False) -> None:
        style = self.styles.style
        cells = [self.styles.cell(values[0], style(bold=bold, horizontal="left"))]
        cells += [
            self.styles.cell(value, style(bold=bold, number_format=column.number_format))
            for value, column in zip(values[1:], self.columns[1:], strict=True)
        ]
        self.append(cells)


# --- the workbook -----------------------------------------------------------------------------


def sheet_title(name: str, taken: set[str]) -> str:
    """A unique sheet name from `name`: at most 31 characters, none of []:*?/\\, not quoted;
    Excel compares them without case. `taken` is updated."""
    base = _SHEET_NAME_INVALID.sub("_", clean_text(name)).strip().strip("'")[:SHEET_NAME_MAX]
    base = base or gettext("Sheet")
    title, number = base, 1
    while title.casefold() in taken or title.casefold() == "history":
        number += 1
        suffix = f"({number})"
        title = base[: SHEET_NAME_MAX - len(suffix)] + suffix
    taken.add(title.casefold())
    return title


def write_workbook(
    period: Period, appraisals: QuerySet, fileobj: IO[bytes], *, scope_label: str
) -> int:
    """Writes the appraisal sheets of `appraisals` (scoped and filtered, of `period`) to
    `fileobj`; returns the number of cadres' rows. Two queries, however many rows."""
    workbook = Workbook(write_only=True)
    columns = appraisal_columns()
    heading = _Heading.of(period, scope_label)
    taken = {gettext("Summary").casefold()}
    tallies: dict[int, _UnitTally] = {}
    sheet, count = None, 0
    for appraisal in appraisal_rows(period, appraisals):
        if sheet is None or appraisal.work_unit_id not in tallies:
            if sheet is not None:
                sheet.write_bottom(period, sheet.row)
            sheet = _UnitSheet(
                workbook, sheet_title(appraisal.work_unit.name, taken), columns, heading
            )
            sheet.write_top(appraisal.work_unit.name)
            tallies[appraisal.work_unit_id] = _UnitTally(appraisal.work_unit.name)
            number = 0
        number += 1
        count += 1
        appraisal.number = number
        sheet.write_row(appraisal)
        _tally(tallies[appraisal.work_unit_id], appraisal)
    if sheet is None:  # nothing to show: the form, empty
        sheet = _UnitSheet(workbook, sheet_title(scope_label, taken), columns, heading)
        sheet.write_top(None)
    sheet.write_bottom(period, sheet.row)
    if len(tallies) > 1:
        summary = _SummarySheet(workbook, gettext("Summary"), heading)
        quotas = {q.work_unit_id: (q.excellent, q.given) for q in quotas_with_use(period)}
        summary.write(tallies, quotas)
        workbook.move_sheet(summary.sheet.title, -(len(workbook.worksheets) - 1))
    workbook.save(fileobj)
    return count


def _tally(tally: _UnitTally, appraisal: Appraisal) -> None:
    tally.cadres += 1
    if appraisal.final_grade:
        tally.graded += 1
        tally.grades[appraisal.final_grade] += 1


def appraisal_workbook(period: Period, appraisals: QuerySet, *, scope_label: str) -> HttpResponse:
    """The appraisal sheets as a download, 考核情况表-<scope>-YYYYMMDD.xlsx."""
    day = timezone.localdate().strftime("%Y%m%d")
    fileobj = tempfile.TemporaryFile(suffix=".xlsx")  # the response closes it
    write_workbook(period, appraisals, fileobj, scope_label=scope_label)
    scope = _SHEET_NAME_INVALID.sub("_", clean_text(scope_label)).strip() or str(period.pk)
    return xlsx_response(
        fileobj,
        filename=f"{gettext('Appraisal sheet')}-{scope}-{day}.xlsx",
        ascii_filename=f"appraisal-{period.pk}-{day}.xlsx",
    )
