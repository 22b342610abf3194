"""Appraisal sheets filled in offline and uploaded again (考核情况表回传).

    workbook_import(actor, period, file) -> ImportResult

`file` is a workbook downloaded with `appraisal.exports.appraisal_workbook` (any of its sheets,
in any language the site speaks). Each row is found by its hidden appraisal number; the cells
of the inputs — on-site inspection score and note, talk score and note, the three counts, the
final grade (by its label, 优秀 …) and the opinion — changed in the sheet are applied through
`services.appraisal_update`, all in one transaction. Any bad cell (not a number, out of
range, an unknown grade, a row the user does not see or of another period, an input the user
may not enter, a quota or other refusal, a cell changed on the site since the download) is
reported with its sheet, row and column letter, and then nothing at all is applied. Unchanged
cells change nothing. Other columns (composite, proposed grade, facts) are not read.

Whether the whole file is unusable (not a workbook, no appraisal sheet in it, a closed period,
rows of another period only) is a ValidationError; a period the user cannot see is
PermissionDenied.

A row's hidden checksums of its inputs as downloaded tell a cell changed in the sheet from one
left as it was: only the changed cells count, so an upload never undoes an entry made on the site
since the download; a cell changed both in the sheet and on the site (to something else) is
refused (download again).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.validators import MaxLengthValidator
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from cadres.views.base import lost_race_message
from communities.models import User

from . import services
from .choices import Grade, Input
from .exports import (
    CHECKSUMS_VERSION,
    INPUT_FIELDS,
    TEXT_FIELDS,
    appraisal_columns,
    canonical,
    checksum,
    normal_text,
)
from .models import HUNDREDTH, Appraisal, Period

# The county workbook is a county's cadres; far more is not a sheet of ours.
MAX_ROWS = 50_000
# The header rows sit under the title and the unit line.
HEADER_SEARCH_ROWS = 10
SCORE_FIELDS = ("inspection_score", "talk_score")
COUNT_FIELDS = ("satisfied", "basically_satisfied", "unsatisfied")
# The grades as the paper form writes them, whatever the catalogue says.
GRADE_WORDS = {
    "优秀": Grade.EXCELLENT,
    "称职": Grade.COMPETENT,
    "基本称职": Grade.BASIC,
    "不称职": Grade.INCOMPETENT,
}


@dataclass(frozen=True)
class CellError:
    """A bad cell: the sheet's name, the row number and column letter the spreadsheet shows."""

    sheet: str
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return _("Sheet %(sheet)s, cell %(cell)s: %(message)s") % {
            "sheet": self.sheet,
            "cell": f"{self.column}{self.row}",
            "message": self.message,
        }


@dataclass
class ImportResult:
    """What an upload did: the cadres' rows read, the appraisals and cells changed, and each bad
    cell. With any error, nothing is applied and `applied` is 0."""

    rows: int = 0
    applied: int = 0
    cells: int = 0
    errors: list[CellError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class _Row:
    """A cadre's row of a sheet: where it is, and its cells by column key."""

    sheet: str
    number: int
    letters: dict[str, str]
    cells: dict[str, Any]
    appraisal_id: int | None = None
    values: dict[str, Any] = field(default_factory=dict)  # the input cells changed, read
    bad: list[tuple[str, str]] = field(default_factory=list)  # unreadable cells, and why
    original: list[str] | None = None  # checksums of the inputs as downloaded
    changes: dict[str, Any] = field(default_factory=dict)

    def error(self, key: str, message: str) -> CellError:
        """An error on the row's cell of column `key` (on its number when that column is not
        in the sheet)."""
        letter = self.letters.get(key, self.letters["id"])
        return CellError(self.sheet, self.number, letter, message)


# --- reading the workbook ---------------------------------------------------------------------


def _norm(text: Any) -> str:
    return "".join(str(text or "").split()).casefold()


def _header_names() -> dict[tuple[str, ...], str]:
    """Every header (with its group header) in every language → the column's key."""
    names = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            for column in appraisal_columns():
                if column.group is None:
                    names.setdefault((_norm(column.header),), column.key)
                else:
                    names.setdefault((_norm(column.group), _norm(column.header)), column.key)
    return names


def _columns(top: tuple, bottom: tuple, names: dict) -> dict[str, int]:
    """The column keys found in the two header rows, by index; a group's name stands over its
    first column only (the rest of the merged cell reads empty)."""
    found, group = {}, ""
    for index in range(max(len(top), len(bottom))):
        upper = top[index] if index < len(top) else None
        lower = bottom[index] if index < len(bottom) else None
        if upper not in (None, ""):
            group = upper
        key = names.get(
            (_norm(group), _norm(lower)) if lower not in (None, "") else (_norm(upper),)
        )
        if key is not None and key not in found:
            found[key] = index
    return found


def _not_xlsx() -> ValidationError:
    return ValidationError(
        _("This file is not an Excel workbook (.xlsx). Save it as .xlsx and upload it again."),
        code="not_xlsx",
    )


def read_rows(fileobj: IO[bytes]) -> list[_Row]:
    """The cadres' rows of every appraisal sheet of the workbook (a sheet with the hidden
    appraisal number column); other rows and sheets are left out."""
    # openpyxl raises many kinds of errors on a file it cannot read: each means "not a workbook".
    try:
        workbook = load_workbook(fileobj, read_only=True, data_only=True)
    except Exception as error:
        raise _not_xlsx() from error
    try:
        names, rows, sheets = _header_names(), [], 0
        for sheet in workbook.worksheets:
            sheets += _read_sheet(sheet, names, rows)
    except ValidationError:
        raise
    except Exception as error:
        raise _not_xlsx() from error
    finally:
        workbook.close()
    if not sheets:
        raise ValidationError(
            _(
                "No sheet of this workbook has the hidden appraisal number column: upload a "
                "workbook downloaded from this site."
            ),
            code="not_appraisal_sheet",
        )
    return rows


def _read_sheet(sheet, names: dict, rows: list[_Row]) -> int:
    """Adds the sheet's cadres' rows to `rows`; 1 if it is an appraisal sheet, else 0."""
    if not hasattr(sheet, "reset_dimensions"):  # a chart sheet
        return 0
    sheet.reset_dimensions()  # some writers record wrong sheet sizes; read every row
    lines = sheet.iter_rows(values_only=True)
    columns, previous = None, ()
    for number, line in enumerate(lines, 1):
        if columns is None:
            found = _columns(previous, line, names)
            if "id" in found:
                columns = found
                letters = {key: get_column_letter(index + 1) for key, index in found.items()}
            elif number > HEADER_SEARCH_ROWS:
                return 0
            previous = line
            continue
        cells = {key: line[index] if index < len(line) else None for key, index in columns.items()}
        if _blank(cells["id"]) and _blank(cells.get("name")):
            continue  # the note, the signature lines, empty rows
        if len(rows) == MAX_ROWS:
            raise ValidationError(
                _("A workbook holds at most %(count)s rows; split it.") % {"count": MAX_ROWS},
                code="too_many_rows",
            )
        rows.append(_Row(sheet.title, number, letters, cells))
    return int(columns is not None)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# --- cell values ------------------------------------------------------------------------------


def _score(value: Any) -> Decimal | None:
    if _blank(value):
        return None
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, float):
        value = round(value, 2) if abs(value - round(value, 2)) < 1e-9 else value
    try:
        score = Decimal(str(value).strip())
    except InvalidOperation as error:
        raise ValueError from error
    if not score.is_finite() or not 0 <= score <= 100 or score != score.quantize(HUNDREDTH):
        raise ValueError
    return score.quantize(HUNDREDTH)


def _count(value: Any) -> int:
    if _blank(value):
        return 0
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError
        value = int(value)
    count = int(str(value).strip())
    if count < 0:
        raise ValueError
    return count


def _text_reader(name: str) -> Callable[[Any], str]:
    """A note or the opinion, as long as the model allows (which the database does not check)."""
    check = MaxLengthValidator(Appraisal._meta.get_field(name).max_length)

    def read(value: Any) -> str:
        text = normal_text(value)
        check(text)
        return text

    return read


def _grade_words() -> dict[str, str]:
    words = {_norm(word): grade for word, grade in GRADE_WORDS.items()}
    for value, label in Grade.choices:
        words[_norm(value)] = value
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                words[_norm(label)] = value
    return words


def _grade(value: Any, words: dict[str, str]) -> str:
    if _blank(value):
        return ""
    grade = words.get(_norm(value))
    if grade is None:
        raise ValueError
    return grade


def _parsers() -> dict[str, tuple[Callable[[Any], Any], str]]:
    """Per input field: how its cell is read, and what to say when it cannot be."""
    words = _grade_words()
    score = _("Not a score: a number from 0 to 100, at most two decimals.")
    count = _("Not a count: a whole number, 0 or more.")
    grades = _("Not a grade: one of %(grades)s.") % {
        "grades": "、".join(str(label) for label in Grade.labels)
    }
    return {
        **dict.fromkeys(SCORE_FIELDS, (_score, score)),
        **dict.fromkeys(COUNT_FIELDS, (_count, count)),
        **{name: (_text_reader(name), "") for name in TEXT_FIELDS},
        "final_grade": (lambda value: _grade(value, words), grades),
    }


def _shown(appraisal: Appraisal, name: str) -> str:
    """A stored value as the sheet would show it."""
    value = getattr(appraisal, name)
    if name == "final_grade":
        return Grade(value).label if value else "—"
    if value is None or value == "":
        return "—"
    text = str(value)
    return text if len(text) <= 30 else f"{text[:30]}…"


# --- the service ------------------------------------------------------------------------------


@transaction.atomic
def workbook_import(actor: User, period: Period, file: IO[bytes]) -> ImportResult:
    """Applies the inputs changed in an uploaded appraisal workbook of `period`, all or none."""
    if not Period.objects.visible_to(actor).filter(pk=period.pk).exists():
        raise PermissionDenied
    period = Period.objects.select_related("county").get(pk=period.pk)
    services.ensure_open(period)
    rows = read_rows(file)
    result = ImportResult(rows=len(rows))
    _identify(actor, period, rows, result)
    parsers = _parsers()
    candidates = []
    for row in rows:
        if row.appraisal_id is not None and _read_changed(row, parsers):
            candidates.append(row)
    locked = Appraisal.objects.select_for_update(of=("self",)).select_related(
        "period", "community", "work_unit", "cadre"
    )
    current = {a.pk: a for a in locked.filter(pk__in=[r.appraisal_id for r in candidates])}
    permitted = _Permissions(actor)
    for row in candidates:
        if row.appraisal_id in current:
            _plan(row, current[row.appraisal_id], parsers, permitted, result)
        else:  # gone meanwhile
            result.errors.append(row.error("id", lost_race_message()))
    planned = [row for row in candidates if row.changes]
    if not result.errors:
        # Grades given up first, so that a place freed in the sheet can be taken in it.
        planned.sort(key=lambda row: row.changes.get("final_grade") == Grade.EXCELLENT)
        for row in planned:
            _apply(actor, row, current[row.appraisal_id], result)
    sheets = {row.sheet: index for index, row in reversed(list(enumerate(rows)))}
    result.errors.sort(key=lambda e: (sheets[e.sheet], e.row, len(e.column), e.column))
    if result.errors:
        transaction.set_rollback(True)
        result.applied = result.cells = 0
    return result


def _appraisal_number(value: Any) -> int | None:
    """The appraisal number a cell holds, or None."""
    if _blank(value) or isinstance(value, bool):
        return None
    try:
        number = float(value)
        if number != int(number) or not 0 < number < 2**63:
            return None
        return int(number)
    except (TypeError, ValueError, ArithmeticError):
        return None


def _identify(actor: User, period: Period, rows: list[_Row], result: ImportResult) -> None:
    """Finds each row's appraisal among those of the period the user sees, and checks the row
    is that cadre's; a row that is not keeps no appraisal."""
    seen: dict[int, _Row] = {}
    for row in rows:
        row.appraisal_id = _appraisal_number(row.cells["id"])
        if row.appraisal_id is None:
            message = _(
                "This row has no appraisal number (hidden column %(column)s): a cadre cannot be "
                "added in the sheet."
            )
            result.errors.append(row.error("id", message % {"column": row.letters["id"]}))
            continue
        first = seen.setdefault(row.appraisal_id, row)
        if first is not row:
            message = _("The same appraisal as on sheet %(sheet)s, row %(row)s.")
            result.errors.append(
                row.error("id", message % {"sheet": first.sheet, "row": first.number})
            )
            row.appraisal_id = None
    appraisals = Appraisal.objects.visible_to(actor).filter(period=period, pk__in=list(seen))
    names = dict(appraisals.values_list("pk", "cadre__name"))
    if seen and not names:
        raise ValidationError(
            _(
                "None of the rows of this workbook is an appraisal of “%(period)s” that you may "
                "see: was it downloaded for another period?"
            )
            % {"period": period.name},
            code="other_period",
        )
    for row in rows:
        if row.appraisal_id is None:
            continue
        name = names.get(row.appraisal_id)
        if name is None:
            message = _("Appraisal no. %(number)s is not one of “%(period)s” that you may see.")
            values = {"number": row.appraisal_id, "period": period.name}
            result.errors.append(row.error("id", message % values))
            row.appraisal_id = None
        elif "name" in row.cells and normal_text(row.cells["name"]) != normal_text(name):
            message = _(
                "This row's appraisal number is %(name)s's: were the rows sorted without the "
                "hidden columns? Download the sheet again."
            )
            result.errors.append(row.error("name", message % {"name": name}))
            row.appraisal_id = None


def _sums(row: _Row) -> list[str] | None:
    """The checksums of the row's inputs as downloaded, or None when the cell was spoilt."""
    text = normal_text(row.cells.get("checksums"))
    version, _colon, sums = text.partition(":")
    sums = sums.split(".")
    if version != CHECKSUMS_VERSION or len(sums) != len(INPUT_FIELDS):
        return None
    return sums


def _read_changed(row: _Row, parsers: dict) -> bool:
    """Reads the input cells changed in the sheet into `row.values` (those that cannot be read
    go to `row.bad`); whether there is any."""
    sums = _sums(row)
    for index, name in enumerate(INPUT_FIELDS):
        if name not in row.cells:
            continue
        read, message = parsers[name]
        try:
            value = read(row.cells[name])
        except ValidationError as error:
            row.bad.append((name, " ".join(error.messages)))
            continue
        except (TypeError, ValueError, ArithmeticError):
            row.bad.append((name, message))
            continue
        if sums is None or checksum(name, value) != sums[index]:
            row.values[name] = value
    row.original = sums
    return bool(row.values or row.bad)


class _Permissions:
    """Whether the user may enter an input of an appraisal: it depends on the community only
    (the period is one), so it is asked once per community and input."""

    def __init__(self, actor: User):
        self.actor, self.known = actor, {}

    def may(self, appraisal: Appraisal, what: str) -> bool:
        key = (appraisal.community_id, what)
        if key not in self.known:
            self.known[key] = services.may_enter(self.actor, appraisal, what)
        return self.known[key]


def _plan(
    row: _Row, appraisal: Appraisal, parsers: dict, permitted: _Permissions, result: ImportResult
) -> None:
    """The row's changes against the locked appraisal, or the errors of its cells: a cell
    changed in the sheet is applied unless it was changed on the site too (to another value)."""
    errors = [row.error(name, message) for name, message in row.bad]
    for name, value in row.values.items():
        stored = getattr(appraisal, name)
        if canonical(name, stored) == canonical(name, value):
            continue
        what = services.FIELD_INPUT[name]
        if row.original is None:
            message = _(
                "The hidden checksums of this row were changed: download the sheet again and "
                "make the changes there."
            )
            errors.append(row.error("checksums", message))
            break
        if checksum(name, stored) != row.original[INPUT_FIELDS.index(name)]:
            message = _(
                "Changed on the site since this sheet was downloaded (now: %(value)s); download "
                "the sheet again."
            )
            errors.append(row.error(name, message % {"value": _shown(appraisal, name)}))
        elif not permitted.may(appraisal, what):
            message = _("You may not enter the %(input)s of this cadre.")
            errors.append(row.error(name, message % {"input": Input(what).label}))
        else:
            row.changes[name] = value
    if errors:
        row.changes = {}
        result.errors.extend(errors)


def _apply(actor: User, row: _Row, appraisal: Appraisal, result: ImportResult) -> None:
    """Applies the row's changes through the service, in a savepoint of its own: a refusal is
    reported on its cell, and the rows after it are still checked."""
    try:
        with transaction.atomic():
            services.appraisal_update(actor=actor, appraisal=appraisal, changes=row.changes)
    except ValidationError as error:
        for name, messages in _by_field(error).items():
            key = name if name in row.changes else next(iter(row.changes))
            result.errors.extend(row.error(key, message) for message in messages)
        return
    except PermissionDenied as error:
        result.errors.append(row.error(next(iter(row.changes)), str(error)))
        return
    except IntegrityError:
        key = "final_grade" if "final_grade" in row.changes else next(iter(row.changes))
        result.errors.append(row.error(key, lost_race_message()))
        return
    result.applied += 1
    result.cells += len(row.changes)


def _by_field(error: ValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return error.message_dict
    return {NON_FIELD_ERRORS: error.messages}
