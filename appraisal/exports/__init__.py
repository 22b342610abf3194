"""The appraisal sheets (考核情况表) of a period as an Excel workbook, laid out like the paper form.

    appraisal_workbook(period, appraisals, *, scope_label) -> HttpResponse
    write_workbook(period, appraisals, fileobj, *, scope_label) -> int   (cadres' rows written)

`appraisals` is the already scoped and filtered queryset of the period's appraisals (a page's or
the API's, plain: no annotations needed); `scope_label` names what was asked for (a work unit, a
township, the county) and is shown on each sheet and in the file name. One sheet per work unit,
and a summary sheet first when there are several. Each sheet: a merged title row, the unit and
date line, two header rows with merged group headers (repeated on every printed page), one row
per cadre, the period's stated rule and weights in a note row, and the signature lines (填表人,
审核人, 日期). A4 landscape, fitted to the page width, header frozen, thin borders; scores are
numbers to two decimals, counts whole numbers, dates are dates. No phone or ID number is written.

Two hidden columns at the right carry each row's appraisal number and checksums of its inputs as
written, so that a sheet filled in offline can be uploaded again
(`appraisal.imports.workbook_import`).

Streamed through openpyxl's write-only workbook from a fixed number of queries (the rows through
a server-side cursor, the supervision teams' figures once per community, the quotas): neither the
query count nor memory grows with the cadres.
"""

from .rows import (
    CHECKSUMS_VERSION,
    COUNT_FORMAT,
    INPUT_FIELDS,
    SCORE_FORMAT,
    TEXT_FIELDS,
    Column,
    appraisal_columns,
    appraisal_rows,
    canonical,
    checksum,
    checksums,
    normal_text,
)
from .sheets import clean_text, sheet_title
from .workbook import appraisal_workbook, workbook_note, workbook_title, write_workbook

__all__ = [
    "CHECKSUMS_VERSION",
    "COUNT_FORMAT",
    "INPUT_FIELDS",
    "SCORE_FORMAT",
    "TEXT_FIELDS",
    "Column",
    "appraisal_columns",
    "appraisal_rows",
    "appraisal_workbook",
    "canonical",
    "checksum",
    "checksums",
    "clean_text",
    "normal_text",
    "sheet_title",
    "workbook_note",
    "workbook_title",
    "write_workbook",
]
