"""Writing a form-like sheet with openpyxl's write-only workbook: cells made without
openpyxl's per-cell checks, styles made once per sheet, merges, row heights, the print set-up,
and valid sheet names."""

import math
import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

DATE_FORMAT = "yyyy-mm-dd"
LINE_HEIGHT = 15  # points per line of wrapped text
MAX_TEXT = 32767  # characters in a cell
SHEET_NAME_MAX = 31
SHEET_NAME_INVALID = re.compile(r"[\[\]:*?/\\]")


def clean_text(value: str | None) -> str:
    """Text as a worksheet holds it: without the control characters XML cannot carry."""
    return ILLEGAL_CHARACTERS_RE.sub("", value)[:MAX_TEXT] if value else ""


_THIN = Side(style="thin")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
DATA_TYPES = {str: "s", int: "n", float: "n", Decimal: "n", date: "d", datetime: "d"}


class Cell:
    """What openpyxl's write-only writer reads of a cell, and no more. openpyxl's own cells
    check and guess each value's type and look their style up cell by cell, which costs more
    than writing the file; here the type comes from the value's class, the style id is the
    column's, and text is never taken for a formula (nor can it break the file). (openpyxl is
    pinned; the tests read every cell back.)"""

    __slots__ = ("_value", "coordinate", "data_type", "parent", "style_id")
    _comment = None
    hyperlink = None
    has_style = True

    def __init__(self, parent, coordinate: str, value: Any, style_id: int):
        self.parent, self.coordinate, self.style_id = parent, coordinate, style_id
        kind = "n" if value is None else DATA_TYPES.get(type(value), "")
        if kind in ("s", ""):  # text, or anything else written as its text
            kind, value = "s", clean_text(str(value))
        self._value, self.data_type = value, kind


class Sheet:
    """A write-only sheet written row by row with `Cell`s: styles made once, rows counted,
    merges and row heights at hand."""

    def __init__(self, workbook: Workbook, title: str, widths: list[float], hidden: list[bool]):
        self.sheet = workbook.create_sheet(title=title)
        self.sheet._values_to_row = lambda cells, _row: cells  # the cells come ready
        self.workbook, self.row, self._styles = workbook, 0, {}
        self.letters = [get_column_letter(i) for i in range(1, len(widths) + 1)]
        self.widths = [w for w, h in zip(widths, hidden, strict=True) if not h]
        self.visible = len(self.widths)
        for letter, width, is_hidden in zip(self.letters, widths, hidden, strict=True):
            self.sheet.column_dimensions[letter].width = width
            self.sheet.column_dimensions[letter].hidden = is_hidden
        print_set_up(self.sheet)

    def style(
        self,
        *,
        bold: bool = False,
        size: int = 11,
        horizontal: str = "center",
        vertical: str = "center",
        wrap: bool = False,
        border: bool = True,
        number_format: str = "",
    ) -> int:
        """The id of a cell style, made the first time it is asked for."""
        key = (bold, size, horizontal, vertical, wrap, border, number_format)
        if key not in self._styles:
            proto = WriteOnlyCell(self.sheet)
            proto.font = Font(bold=bold, size=size)
            proto.alignment = Alignment(horizontal=horizontal, vertical=vertical, wrap_text=wrap)
            proto.border = _BORDER if border else Border()
            proto.number_format = number_format or "General"
            self._styles[key] = proto.style_id
        return self._styles[key]

    def append(self, values: list, styles: list[int], height: float | None = None) -> int:
        """Writes the next row: a value per column (None: an empty cell, styled all the same,
        so that its borders show); returns its number."""
        self.row += 1
        sheet, row = self.sheet, self.row
        cells = [
            Cell(sheet, f"{letter}{row}", value, style)
            for letter, value, style in zip(self.letters, values, styles, strict=False)
        ]
        if height:
            sheet.row_dimensions[row].height = height
        sheet.append(cells)
        if height:
            del sheet.row_dimensions[row]  # written; no need to keep it
        return row

    def skip(self) -> None:
        self.row += 1
        self.sheet.append([])

    def merge(self, row: int, first: int, last: int, *, to_row: int | None = None) -> None:
        if last > first or (to_row or row) > row:
            self.sheet.merged_cells.add(
                f"{self.letters[first - 1]}{row}:{self.letters[last - 1]}{to_row or row}"
            )

    def spread(self, texts: list[tuple[Any, int]], needs: list[float], height: float) -> None:
        """A row of texts, each merged over columns as wide as it needs (in proportion)."""
        spans = column_spans(self.widths, needs)
        values, styles = [None] * self.visible, [0] * self.visible
        for (value, style), (first, _last) in zip(texts, spans, strict=True):
            values[first - 1], styles[first - 1] = value, style
        row = self.append(values, styles, height)
        for first, last in spans:
            self.merge(row, first, last)


def column_spans(widths: list[float], needs: list[float]) -> list[tuple[int, int]]:
    """The columns (of `widths`) cut into one span per need, each about as wide as its share
    of the needs, at least one column each; as (first, last), 1-based."""
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


def display_width(text: str) -> int:
    """About how many character widths `text` takes: two for a Chinese character (three bytes
    in UTF-8), one for an ASCII one; worked out at C speed, since every note of every row
    is measured."""
    return (len(text) + len(text.encode())) // 2


def line_count(text: str, width: float) -> int:
    """How many lines `text` takes wrapped in a column `width` wide (Excel does not grow rows
    by itself when it opens a file)."""
    per_line = max(1, int(width) - 1)
    return sum(max(1, math.ceil(display_width(line) / per_line)) for line in text.split("\n"))


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


def sheet_title(name: str, taken: set[str]) -> str:
    """A unique sheet name from `name`: at most 31 characters, none of []:*?/\\, not quoted;
    Excel compares them without case. `taken` is updated."""
    base = SHEET_NAME_INVALID.sub("_", clean_text(name)).strip().strip("'")[:SHEET_NAME_MAX]
    base = base or gettext("Sheet")
    title, number = base, 1
    while title.casefold() in taken or title.casefold() == "history":
        number += 1
        suffix = f"({number})"
        title = base[: SHEET_NAME_MAX - len(suffix)] + suffix
    taken.add(title.casefold())
    return title
