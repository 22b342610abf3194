"""A work unit's roster (花名册) of cadres, imported from an Excel workbook.

The organisation department uploads a unit's list; every row is checked with the cadre model's
own validation, bad rows are reported with the row number the spreadsheet shows, and good rows
create or update cadres through `cadres.services.cadre_save`. Importing the same file twice
changes nothing the second time.
"""

import re
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import (
    NON_FIELD_ERRORS,
    FieldDoesNotExist,
    PermissionDenied,
    ValidationError,
)
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import translation
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from cadres.choices import Gender, PartyStanding
from cadres.models import Cadre, WorkUnit
from cadres.services import cadre_save
from cadres.validators import normalize_id_number, normalize_phone
from communities.models import User

# A unit's roster is hundreds of rows; a file far larger is a mistake, not a roster.
MAX_ROWS = 5000
# The header row may sit under a title row or two ("县民政局在职党员花名册").
HEADER_SEARCH_ROWS = 10


@dataclass(frozen=True)
class RosterColumn:
    """A column of the roster: the cadre field it fills, its header, and the header words people
    use for it besides the translated header (which is accepted in every language)."""

    field: str
    header: Promise
    aliases: tuple[str, ...] = ()
    required: bool = False

    @property
    def accepted(self) -> str:
        """The values a cell of the column takes, in the user's language ('' for free text)."""
        if self.field == "is_county_leader":
            return f"{_('Yes')} / {_('No')}"
        choices = Cadre._meta.get_field(self.field).choices or ()
        return " / ".join(str(label) for _value, label in choices)


ROSTER_COLUMNS = (
    RosterColumn("name", gettext_lazy("Name"), ("姓名",), required=True),
    RosterColumn("gender", gettext_lazy("Gender"), ("性别",)),
    RosterColumn(
        "phone", gettext_lazy("Mobile phone"), ("手机号码", "手机号", "手机"), required=True
    ),
    RosterColumn("id_number", gettext_lazy("ID-card number"), ("身份证号码", "身份证号")),
    RosterColumn("position", gettext_lazy("Position"), ("职务",)),
    RosterColumn(
        "is_county_leader", gettext_lazy("County-level leader"), ("县级领导", "是否县级领导")
    ),
    RosterColumn("party_standing", gettext_lazy("Party standing"), ("党员类别", "党员身份")),
)
COMPARED_FIELDS = tuple(column.field for column in ROSTER_COLUMNS)

_YES = {"是", "yes", "y", "true", "1", "√"}
_NO = {"否", "no", "n", "false", "0", "×"}


@dataclass(frozen=True)
class RowError:
    row: int
    reason: str


@dataclass
class ImportResult:
    """What an import did: counts of good rows, and each bad row with its reason. When the
    caller asked for all or nothing and a row was bad, `imported` is False and nothing changed."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    imported: bool = True

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class _Planned:
    row: int
    cadre: Cadre
    created: bool


# --- reading the workbook ---------------------------------------------------------------------


def _header_key(text: Any) -> str:
    """'县级领导 (是/否)' → '县级领导'; case and spaces do not matter."""
    text = re.sub(r"\s+", "", str(text or ""))
    return re.sub(r"[（(].*[)）]$", "", text).casefold()


def _header_names(column: RosterColumn) -> set[str]:
    names = {_header_key(alias) for alias in column.aliases}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            names.add(_header_key(column.header))
    return names


def _find_columns(row: tuple) -> dict[str, int]:
    keys = [_header_key(cell) for cell in row]
    found = {}
    for column in ROSTER_COLUMNS:
        names = _header_names(column)
        for index, key in enumerate(keys):
            if key and key in names:
                found[column.field] = index
                break
    return found


def _missing_columns_error() -> ValidationError:
    required = ", ".join(str(c.header) for c in ROSTER_COLUMNS if c.required)
    return ValidationError(
        _(
            "The first sheet has no header row with the columns %(columns)s. Download the "
            "template and copy the list into it."
        )
        % {"columns": required},
        code="missing_columns",
    )


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _not_xlsx() -> ValidationError:
    return ValidationError(
        _("This file is not an Excel workbook (.xlsx). Save it as .xlsx and upload it again."),
        code="not_xlsx",
    )


def read_roster(fileobj: IO[bytes]) -> list[tuple[int, dict[str, Any]]]:
    """The data rows of the first sheet as (row number, {field: cell value}), blank rows left
    out. Raises ValidationError for a file that is not an .xlsx workbook, has no header row with
    the required columns, no rows, or far too many."""
    # openpyxl raises many kinds of errors on a file it cannot read: each means "not a workbook".
    try:
        workbook = load_workbook(fileobj, read_only=True, data_only=True)
    except Exception as error:
        raise _not_xlsx() from error
    try:
        columns, rows = _read_rows(workbook.worksheets[0])
    except ValidationError:
        raise
    except Exception as error:
        raise _not_xlsx() from error
    finally:
        workbook.close()
    if columns is None:
        raise _missing_columns_error()
    if not rows:
        raise ValidationError(_("The roster has no rows under its header."), code="empty")
    return rows


def _read_rows(sheet) -> tuple[dict | None, list]:
    """The columns found in the header row, and the non-blank rows under it."""
    sheet.reset_dimensions()  # some writers record wrong sheet sizes; read every row
    columns, rows = None, []
    for number, row in enumerate(sheet.iter_rows(min_row=1, values_only=True), 1):
        if columns is None:
            found = _find_columns(row)
            if all(c.field in found for c in ROSTER_COLUMNS if c.required):
                columns = found
            elif number >= HEADER_SEARCH_ROWS:
                break
            continue
        if all(_is_blank(value) for value in row):
            continue
        if len(rows) == MAX_ROWS:
            raise ValidationError(
                _("A roster has at most %(count)s rows; split the file.") % {"count": MAX_ROWS},
                code="too_many_rows",
            )
        rows.append(
            (number, {name: (row[i] if i < len(row) else None) for name, i in columns.items()})
        )
    return columns, rows


# --- cell values ------------------------------------------------------------------------------


def _text(value: Any) -> str:
    """A cell as text; a number typed into a phone or ID column loses its '.0'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _choice_words(choices) -> dict[str, str]:
    """Every way of writing a choice: its value and its label in each language."""
    words = {}
    for value, label in choices.choices:
        words[value.casefold()] = value
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                words[str(label).casefold()] = value
    return words


_WORDS = {
    "gender": lambda: {**_choice_words(Gender), "男": Gender.MALE, "女": Gender.FEMALE},
    "party_standing": lambda: {
        **_choice_words(PartyStanding),
        "正式党员": PartyStanding.FULL,
        "正式": PartyStanding.FULL,
        "预备党员": PartyStanding.PROBATIONARY,
        "预备": PartyStanding.PROBATIONARY,
    },
}


def _yes_no(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = _text(value).casefold()
    if text in _YES or text == _("Yes").casefold():
        return True
    if text in _NO or text == _("No").casefold():
        return False
    raise ValueError


_COLUMNS_BY_FIELD = {column.field: column for column in ROSTER_COLUMNS}


def _cell_value(name: str, raw: Any, words: dict[str, dict]) -> Any:
    """The value of a non-empty cell for the cadre's field `name`; ValueError if unreadable."""
    if name == "is_county_leader":
        return _yes_no(raw)
    if name in words:
        value = words[name].get(_text(raw).casefold())
        if value is None:
            raise ValueError
        return value
    if name == "phone":
        return normalize_phone(_text(raw))
    if name == "id_number":
        return normalize_id_number(_text(raw))
    return _text(raw)


def _parse_row(cells: dict[str, Any], words: dict[str, dict]) -> tuple[dict, list[str]]:
    """The row's values for the cadre's fields, and what could not be read. An empty cell is
    left out: it keeps what is stored (a roster adds and corrects, it does not erase)."""
    values, problems = {}, []
    for name, raw in cells.items():
        if _is_blank(raw):
            continue
        try:
            values[name] = _cell_value(name, raw, words)
        except ValueError:
            problems.append(
                _("%(field)s must be one of %(choices)s.")
                % {"field": _field_label(name), "choices": _COLUMNS_BY_FIELD[name].accepted}
            )
    return values, problems


def _reason(error: ValidationError) -> str:
    """A validation error as one line: 'Mobile phone: …. ID-card number: ….'."""
    if not hasattr(error, "error_dict"):
        return " ".join(error.messages)
    parts = []
    for name, messages in error.message_dict.items():
        prefix = "" if name == NON_FIELD_ERRORS else f"{_field_label(name)}: "
        parts.extend(f"{prefix}{message}" for message in messages)
    return " ".join(parts)


def _field_label(name: str) -> str:
    try:
        return capfirst(Cadre._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name


# --- checking the rows ------------------------------------------------------------------------


def _existing(rows: list[dict]) -> tuple[dict, dict]:
    """Cadres already holding a phone or ID number of the file, found in one query and locked
    until the import ends."""
    phones = {values.get("phone") for values in rows} - {None, ""}
    ids = {values.get("id_number") for values in rows} - {None, ""}
    found = list(
        Cadre.objects.filter(Q(phone__in=phones) | Q(id_number__in=ids)).select_for_update()
    )
    return {c.phone: c for c in found}, {c.id_number: c for c in found if c.id_number}


def _identify(values: dict, by_phone: dict, by_id: dict, work_unit: WorkUnit) -> Cadre | None:
    """The cadre this row is about: found by phone, or by ID number when the phone changed.
    Raises ValidationError when the numbers belong to someone else."""
    phone_owner = by_phone.get(values["phone"])
    id_owner = by_id.get(values.get("id_number") or "")
    if phone_owner and id_owner and phone_owner.pk != id_owner.pk:
        raise ValidationError(
            _("This mobile phone and this ID-card number belong to two different members.")
        )
    if phone_owner and phone_owner.work_unit_id != work_unit.pk:
        raise ValidationError(
            _("This mobile phone number belongs to a member of another work unit.")
        )
    if id_owner and id_owner.work_unit_id != work_unit.pk:
        raise ValidationError(_("This ID-card number belongs to a member of another work unit."))
    if phone_owner and phone_owner.name != values["name"]:
        raise ValidationError(_("This mobile phone number belongs to a member with another name."))
    if id_owner and id_owner.name != values["name"]:
        raise ValidationError(_("This ID-card number belongs to a member with another name."))
    return phone_owner or id_owner


class _Checker:
    """Checks rows one by one, remembering what earlier rows of the file hold."""

    def __init__(self, work_unit: WorkUnit, rows: list[dict]):
        self.work_unit = work_unit
        self.by_phone, self.by_id = _existing(rows)
        self.phone_rows: dict[str, int] = {}
        self.id_rows: dict[str, int] = {}
        self.cadre_rows: dict[int, int] = {}

    def check(self, row: int, values: dict) -> tuple[Cadre, bool] | None:
        """The cadre to save and whether it is new, or None when the row changes nothing."""
        if not values.get("name") or not values.get("phone"):
            raise ValidationError(_("Name and mobile phone are required."))
        self._not_repeated(row, values)
        cadre = _identify(values, self.by_phone, self.by_id, self.work_unit)
        if cadre is None:
            cadre = Cadre(work_unit=self.work_unit, **values)
            cadre.full_clean()
            return cadre, True
        earlier = self.cadre_rows.setdefault(cadre.pk, row)
        if earlier != row:
            raise ValidationError(_("This member is already on row %(row)s.") % {"row": earlier})
        before = {name: getattr(cadre, name) for name in COMPARED_FIELDS}
        if all(before[name] == value for name, value in values.items()):
            return None
        for name, value in values.items():
            setattr(cadre, name, value)
        try:
            cadre.full_clean()
        except ValidationError:
            for name, value in before.items():
                setattr(cadre, name, value)
            raise
        return cadre, False

    def _not_repeated(self, row: int, values: dict) -> None:
        for key, seen, message in (
            ("phone", self.phone_rows, _("The same mobile phone as row %(row)s.")),
            ("id_number", self.id_rows, _("The same ID-card number as row %(row)s.")),
        ):
            value = values.get(key)
            if not value:
                continue
            if value in seen:
                raise ValidationError(message % {"row": seen[value]})
            seen[value] = row


# --- the service ------------------------------------------------------------------------------


@transaction.atomic
def roster_import(
    *, actor: User, work_unit: WorkUnit, fileobj: IO[bytes], all_or_nothing: bool
) -> ImportResult:
    """Imports a work unit's roster of cadres from an .xlsx file.

    Each row creates a cadre, or updates the one of this unit with the same mobile phone (or,
    when the phone changed, the same ID-card number). A row is bad when its values fail the
    cadre's validation, when it repeats a phone or ID number of an earlier row, or when they
    belong to a member of another unit or of another name. Good rows are saved unless
    `all_or_nothing` and any row is bad; then nothing is.
    """
    if not WorkUnit.objects.editable_by(actor).filter(pk=work_unit.pk).exists():
        raise PermissionDenied(
            _("Only the county's organisation department imports its work units' rosters.")
        )
    rows = read_roster(fileobj)
    result = ImportResult(rows=len(rows))
    planned = _check_rows(work_unit, rows, result)
    if result.errors and all_or_nothing:
        result.imported = False
        return result
    for item in planned:
        try:
            cadre_save(actor=actor, cadre=item.cadre)
        except (ValidationError, IntegrityError) as error:
            reason = (
                _reason(error)
                if isinstance(error, ValidationError)
                else _("This row conflicts with a change saved at the same time; import it again.")
            )
            result.errors.append(RowError(item.row, reason))
            continue
        if item.created:
            result.created += 1
        else:
            result.updated += 1
    if result.errors and all_or_nothing:
        transaction.set_rollback(True)
        result.created = result.updated = result.unchanged = 0
        result.imported = False
    result.errors.sort(key=lambda error: error.row)
    return result


def _check_rows(
    work_unit: WorkUnit, rows: list[tuple[int, dict]], result: ImportResult
) -> list[_Planned]:
    words = {name: make() for name, make in _WORDS.items()}
    parsed = [(row, *_parse_row(cells, words)) for row, cells in rows]
    checker = _Checker(work_unit, [values for _row, values, _problems in parsed])
    planned = []
    for row, values, problems in parsed:
        try:
            if problems:
                raise ValidationError(problems)
            outcome = checker.check(row, values)
        except ValidationError as error:
            result.errors.append(RowError(row, _reason(error)))
            continue
        if outcome is None:
            result.unchanged += 1
        else:
            planned.append(_Planned(row, *outcome))
    return planned


def write_roster_template(fileobj: IO[bytes]) -> None:
    """An empty roster to fill in: the header row, in the user's language."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Roster")
    widths = {"phone": 14, "id_number": 21, "position": 16, "party_standing": 14}
    for index, column in enumerate(ROSTER_COLUMNS, 1):
        cell = sheet.cell(row=1, column=index, value=str(column.header))
        cell.font = Font(bold=True)
        dimension = sheet.column_dimensions[cell.column_letter]
        dimension.width = widths.get(column.field, 10)
        if column.field in ("phone", "id_number"):
            # Typed as text, long numbers keep every digit (Excel rounds them as numbers).
            dimension.number_format = "@"
    sheet.freeze_panes = "A2"
    workbook.save(fileobj)
