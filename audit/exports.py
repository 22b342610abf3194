"""The filtered audit trail as an Excel workbook, streamed like the roster: one query read in
chunks, openpyxl's write-only mode. Phones and ID-card numbers follow `cadres.personal_data`."""

import tempfile

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook

from audit.selectors import ACTION_LABELS, changes_text, model_label
from cadres.exports import CHUNK_SIZE, start_sheet, xlsx_response

COLUMNS = [
    (_("When"), 20),
    (_("Record type"), 16),
    (_("Object id"), 10),
    (_("Action"), 8),
    (_("User"), 14),
    (_("IP address"), 16),
    (_("Request or command"), 40),
    (_("Changes"), 80),
]


def write_events(entries: QuerySet, user, fileobj) -> int:
    workbook = Workbook(write_only=True)
    sheet = start_sheet(workbook, gettext("Audit trail"), COLUMNS)
    count = 0
    for entry in entries.iterator(chunk_size=CHUNK_SIZE):
        count += 1
        source = entry.command or " ".join(part for part in (entry.method, entry.url) if part)
        sheet.append(
            [
                timezone.localtime(entry.created_at).replace(tzinfo=None),
                model_label(entry.model),
                entry.object_id,
                str(ACTION_LABELS.get(entry.action, entry.action)),
                entry.username or "",
                entry.address or "",
                source,
                changes_text(entry, user),
            ]
        )
    workbook.save(fileobj)
    return count


def events_response(entries: QuerySet, user) -> tuple[HttpResponse, int]:
    """The Excel file of `entries`, and how many rows it holds."""
    day = timezone.localdate().strftime("%Y%m%d")
    fileobj = tempfile.TemporaryFile(suffix=".xlsx")  # the response closes it
    count = write_events(entries, user, fileobj)
    response = xlsx_response(
        fileobj,
        filename=f"{gettext('Audit trail')}-{day}.xlsx",
        ascii_filename=f"audit-{day}.xlsx",
    )
    return response, count
