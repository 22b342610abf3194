"""The roster (花名册) of registrations as an Excel workbook.

`write_roster` takes the already scoped and filtered queryset of the workbench list and streams
it: one query read through a server-side cursor, rows written by openpyxl's write-only workbook,
so memory stays flat whatever the number of rows. Phone numbers are masked per
`cadres.personal_data`; ID-card numbers always are.
"""

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter
from typing import IO, Any
from urllib.parse import quote

from django.contrib.postgres.aggregates import StringAgg
from django.db.models import CharField, OuterRef, QuerySet, Subquery, TextField, Value
from django.db.models.functions import Cast, Coalesce, Concat, TruncDate
from django.http import FileResponse, HttpResponse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from cadres.choices import Channel, Gender, PartyStanding, PostKind, RegistrationStatus
from cadres.models import Post
from cadres.personal_data import (
    UNMASKED_EXPORT,
    record_access,
    sees_every_phone,
    sees_full_phone,
)
from cadres.validators import mask_id_number, mask_phone
from communities.models import User

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Rows fetched from the server-side cursor at a time.
CHUNK_SIZE = 2000
# Separators inside the aggregated posts text: ASCII unit and record separators, which no name
# contains.
_FIELD_SEPARATOR = "\x1f"
_POST_SEPARATOR = "\x1e"


def active_posts_text(
    field_separator: str = _FIELD_SEPARATOR, post_separator: str = _POST_SEPARATOR
) -> Subquery:
    """Per registration, its active posts as one text (kind, place, unit number of each), built
    by PostgreSQL in the same query as the row, so posts cost no query of their own."""
    place = Coalesce("building__name", "estate__name", "grid__name", Value(""))
    unit_number = Coalesce(Cast("unit__number", CharField()), Value(""))
    posts = (
        Post.objects.active()
        .filter(registration=OuterRef("pk"))
        .order_by()
        .values("registration")
        .annotate(
            text=StringAgg(
                Concat(
                    "kind",
                    Value(field_separator),
                    place,
                    Value(field_separator),
                    unit_number,
                    output_field=TextField(),
                ),
                delimiter=post_separator,
                order_by=("kind", "id"),
            )
        )
        .values("text")
    )
    return Subquery(posts, output_field=TextField())


# What one row of the roster reads: model lookups, and the expressions computed by the database.
ROW_FIELDS = (
    "community_id",
    "cadre__name",
    "cadre__gender",
    "cadre__phone",
    "cadre__id_number",
    "cadre__work_unit__name",
    "cadre__position",
    "cadre__party_standing",
    "community__name",
    "building__estate__name",
    "building__name",
    "unit__number",
    "room",
    "channel",
    "status",
    "commitment_signed_on",
    "pioneer_post",
)


def row_expressions() -> dict:
    return {"registered_on": TruncDate("created_at"), "active_posts": active_posts_text()}


@dataclass(frozen=True)
class Column:
    header: Promise
    value: Callable[[dict], Any]
    width: float  # in Excel's character units; a Chinese character takes about two


def _labels(choices) -> Callable[[str, str], str]:
    """Looks up the translated label of a choice value (`get(value, default)`)."""
    return {value: str(label) for value, label in choices.choices}.get


@lru_cache(maxsize=4096)
def _posts_shown(text: str | None, language: str) -> str:
    """'building_chief␟3号楼␟' → '楼长 · 3号楼', several joined with 、 (cached per language)."""
    if not text:
        return ""
    shown = []
    for post in text.split(_POST_SEPARATOR):
        kind, place, unit_number = post.split(_FIELD_SEPARATOR)
        if unit_number:
            place = gettext("%(building)s unit %(number)s") % {
                "building": place,
                "number": unit_number,
            }
        label = str(PostKind(kind).label)
        shown.append(f"{label} · {place}" if place else label)
    return "、".join(shown)


def roster_columns(user: User) -> list[Column]:
    """The roster's columns, declared once: header and how each cell is read from a row."""
    language = get_language()
    gender, standing = _labels(Gender), _labels(PartyStanding)
    channel, status = _labels(Channel), _labels(RegistrationStatus)

    def phone(row: dict) -> str:
        if sees_full_phone(user, row["community_id"], row["status"]):
            return row["cadre__phone"]
        return mask_phone(row["cadre__phone"])

    def get(key: str, labels: Callable[[Any], Any] | None = None) -> Callable[[dict], Any]:
        if labels is None:
            return itemgetter(key)
        return lambda row: labels(row[key], "")

    return [
        Column(_("No."), itemgetter("number"), 6),
        Column(_("Name"), get("cadre__name"), 10),
        Column(_("Gender"), get("cadre__gender", gender), 6),
        Column(_("Mobile phone"), phone, 14),
        Column(_("ID-card number"), lambda row: mask_id_number(row["cadre__id_number"]), 21),
        Column(_("Work unit"), get("cadre__work_unit__name"), 20),
        Column(_("Position"), get("cadre__position"), 14),
        Column(_("Party standing"), get("cadre__party_standing", standing), 12),
        Column(_("Community"), get("community__name"), 16),
        Column(_("Estate"), get("building__estate__name"), 14),
        Column(_("Building"), get("building__name"), 10),
        Column(_("Unit"), get("unit__number"), 6),
        Column(_("Room"), get("room"), 8),
        Column(_("Channel"), get("channel", channel), 12),
        Column(_("Status"), get("status", status), 10),
        Column(_("Registered on"), get("registered_on"), 12),
        Column(_("Commitment letter signed on"), get("commitment_signed_on"), 12),
        Column(_("Pioneer post"), get("pioneer_post"), 16),
        Column(_("Posts"), lambda row: _posts_shown(row["active_posts"], language), 24),
    ]


def start_sheet(workbook: Workbook, title: str, columns: list[tuple[str, float]]):
    """A write-only sheet with a bold frozen header row, repeated on every printed page."""
    sheet = workbook.create_sheet(title=title)
    for index, (_header, width) in enumerate(columns, 1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.print_title_rows = "1:1"
    bold, centred = Font(bold=True), Alignment(horizontal="center", vertical="center")
    header = []
    for text, _width in columns:
        cell = WriteOnlyCell(sheet, value=str(text))
        cell.font, cell.alignment = bold, centred
        header.append(cell)
    sheet.append(header)
    return sheet


def roster_rows(registrations: QuerySet):
    """The rows of the roster as dicts, from one query, in the order of `registrations`."""
    return (
        registrations.prefetch_related(None)
        .values(*ROW_FIELDS, **row_expressions())
        .iterator(chunk_size=CHUNK_SIZE)
    )


def write_roster(registrations: QuerySet, user: User, fileobj: IO[bytes]) -> int:
    """Writes the roster of `registrations` (already scoped and filtered) as seen by `user` to
    `fileobj`; returns the number of rows written."""
    columns = roster_columns(user)
    workbook = Workbook(write_only=True)
    sheet = start_sheet(workbook, gettext("Roster"), [(c.header, c.width) for c in columns])
    values = [column.value for column in columns]
    count = 0
    for count, row in enumerate(roster_rows(registrations), 1):
        row["number"] = count
        sheet.append([value(row) for value in values])
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"
    workbook.save(fileobj)
    return count


def attachment_disposition(filename: str, ascii_filename: str) -> str:
    """`attachment` with a plain ASCII name for old clients and the real one per RFC 5987."""
    return f"attachment; filename=\"{ascii_filename}\"; filename*=UTF-8''{quote(filename)}"


def xlsx_response(fileobj: IO[bytes], filename: str, ascii_filename: str) -> HttpResponse:
    fileobj.seek(0)
    response = FileResponse(fileobj, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = attachment_disposition(filename, ascii_filename)
    return response


def roster_response(registrations: QuerySet, user: User, request=None) -> HttpResponse:
    """The roster as a download, 花名册-YYYYMMDD.xlsx, streamed from a temporary file. One that
    may carry full phones (the viewer sees every phone, or is a secretary who sees their own
    community's) is recorded in the access log with its row count."""
    day = timezone.localdate().strftime("%Y%m%d")
    fileobj = tempfile.TemporaryFile(suffix=".xlsx")  # the response closes it
    count = write_roster(registrations, user, fileobj)
    if count and (sees_every_phone(user) or user.is_secretary):
        record_access(request or user, UNMASKED_EXPORT, export_name="roster", row_count=count)
    return xlsx_response(
        fileobj,
        filename=f"{gettext('Roster')}-{day}.xlsx",
        ascii_filename=f"roster-{day}.xlsx",
    )
