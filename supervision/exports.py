"""Excel exports of supervision: daily reports (one row per team-day with its figures) and
problems. Each takes the already scoped and filtered queryset and streams it through openpyxl's
write-only workbook from one query; numbers are numbers, dates are dates."""

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from operator import itemgetter
from typing import IO, Any

from django.contrib.postgres.aggregates import StringAgg
from django.db.models import Count, OuterRef, QuerySet, Subquery, TextField
from django.http import HttpResponse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

from cadres.exports import CHUNK_SIZE, start_sheet, xlsx_response
from supervision.choices import OPEN_PROBLEM_STATUSES, FocusArea, ProblemStatus
from supervision.models import DailyReport, Problem
from supervision.models.reports import FIGURES
from supervision.selectors import is_late

DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"


@dataclass(frozen=True)
class Column:
    header: Promise
    value: Callable[[dict], Any]
    width: float
    number_format: str = ""


def local_time(moment: datetime | None) -> datetime | None:
    """Excel has no time zones: a moment is written as the local wall-clock time."""
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


def _write(rows, columns: list[Column], title: str, fileobj: IO[bytes]) -> int:
    workbook = Workbook(write_only=True)
    sheet = start_sheet(workbook, title, [(c.header, c.width) for c in columns])

    def cell(column: Column, row: dict):
        value = column.value(row)
        if not column.number_format or value is None:
            return value
        formatted = WriteOnlyCell(sheet, value=value)
        formatted.number_format = column.number_format
        return formatted

    count = 0
    for row in rows:
        sheet.append([cell(column, row) for column in columns])
        count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"
    workbook.save(fileobj)
    return count


def dated_response(write, queryset: QuerySet, name: str, ascii_name: str) -> HttpResponse:
    day = timezone.localdate().strftime("%Y%m%d")
    fileobj = tempfile.TemporaryFile(suffix=".xlsx")  # the response closes it
    write(queryset, fileobj)
    return xlsx_response(
        fileobj, filename=f"{name}-{day}.xlsx", ascii_filename=f"{ascii_name}-{day}.xlsx"
    )


# --- daily reports ----------------------------------------------------------------------------


def _communities_visited() -> Subquery:
    names = (
        DailyReport.communities.through.objects.filter(dailyreport=OuterRef("pk"))
        .order_by()
        .values("dailyreport")
        .annotate(text=StringAgg("area__name", delimiter="、", order_by="area__path"))
        .values("text")
    )
    return Subquery(names, output_field=TextField())


def _problem_count() -> Subquery:
    counted = (
        Problem.objects.filter(report=OuterRef("pk"))
        .order_by()
        .values("report")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Subquery(counted)


def report_columns() -> list[Column]:
    yes = gettext("yes")
    columns = [
        Column(_("Team"), itemgetter("team__name"), 24),
        Column(_("Date"), itemgetter("date"), 12, DATE_FORMAT),
        Column(_("Submitted at"), lambda row: local_time(row["created_at"]), 17, DATETIME_FORMAT),
        Column(_("Late"), lambda row: yes if is_late(row["date"], row["created_at"]) else "", 6),
        Column(_("Communities visited"), lambda row: row["visited"] or "", 30),
    ]
    columns += [Column(label, itemgetter(name), 12) for name, label in FIGURES.items()]
    columns.append(Column(_("Problems found"), lambda row: row["problem_count"] or 0, 10))
    columns += [Column(area.label, itemgetter(area.value), 40) for area in FocusArea]
    return columns


def report_rows(reports: QuerySet):
    return (
        reports.prefetch_related(None)
        .order_by("-date", "team__name", "pk")
        .values(
            "team__name",
            "date",
            "created_at",
            *FIGURES,
            *FocusArea.values,
            visited=_communities_visited(),
            problem_count=_problem_count(),
        )
        .iterator(chunk_size=CHUNK_SIZE)
    )


def write_reports(reports: QuerySet, fileobj: IO[bytes]) -> int:
    """Writes `reports` (scoped and filtered) one row per team-day; returns the row count."""
    return _write(report_rows(reports), report_columns(), gettext("Daily reports"), fileobj)


def reports_xlsx(reports: QuerySet) -> HttpResponse:
    return dated_response(write_reports, reports, gettext("Daily reports"), "daily-reports")


# --- problems ---------------------------------------------------------------------------------


def problem_columns() -> list[Column]:
    today = timezone.localdate()
    status = {value: str(label) for value, label in ProblemStatus.choices}
    focus = {value: str(label) for value, label in FocusArea.choices}
    yes = gettext("yes")

    def overdue(row: dict) -> str:
        late = (
            row["status"] in OPEN_PROBLEM_STATUSES and row["deadline"] and row["deadline"] < today
        )
        return yes if late else ""

    return [
        Column(_("No."), itemgetter("pk"), 8),
        Column(_("Found on"), itemgetter("found_on"), 12, DATE_FORMAT),
        Column(_("Team"), itemgetter("team__name"), 24),
        Column(_("Township"), itemgetter("community__parent__name"), 14),
        Column(_("Community"), itemgetter("community__name"), 16),
        Column(_("Focus area"), lambda row: focus.get(row["focus_area"], ""), 16),
        Column(_("Description"), itemgetter("description"), 40),
        Column(_("Status"), lambda row: status.get(row["status"], ""), 10),
        Column(_("Deadline"), itemgetter("deadline"), 12, DATE_FORMAT),
        Column(_("Overdue"), overdue, 6),
        Column(_("Resolved at"), lambda row: local_time(row["resolved_at"]), 17, DATETIME_FORMAT),
        Column(_("Verified at"), lambda row: local_time(row["verified_at"]), 17, DATETIME_FORMAT),
    ]


def problem_rows(problems: QuerySet):
    return (
        problems.prefetch_related(None)
        .values(
            "pk",
            "found_on",
            "team__name",
            "community__parent__name",
            "community__name",
            "focus_area",
            "description",
            "status",
            "deadline",
            "resolved_at",
            "verified_at",
        )
        .iterator(chunk_size=CHUNK_SIZE)
    )


def write_problems(problems: QuerySet, fileobj: IO[bytes]) -> int:
    return _write(problem_rows(problems), problem_columns(), gettext("Problems"), fileobj)


def problems_xlsx(problems: QuerySet) -> HttpResponse:
    return dated_response(write_problems, problems, gettext("Problems"), "problems")
