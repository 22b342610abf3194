"""Reading the audit trail: what each event changed, in words, with personal data shown by the
one rule of `cadres.personal_data`."""

from dataclasses import dataclass
from functools import cache

from django.apps import apps
from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from cadres.personal_data import shown_personal_value

# Columns that every row has and that say nothing about what changed.
HIDDEN_COLUMNS = {"created_at", "updated_at", "name_initials"}

ACTION_LABELS = {
    "insert": _("created"),
    "update": _("changed"),
    "delete": _("deleted"),
}


@dataclass(frozen=True)
class Change:
    field: str
    old: str
    new: str


@cache
def _columns(label: str) -> dict[str, tuple[str, models.Field]]:
    """column → (the field's verbose name, the field) of the tracked model `label`."""
    model = apps.get_model(label)
    return {field.column: (str(field.verbose_name), field) for field in model._meta.concrete_fields}


def model_label(label: str) -> str:
    return str(apps.get_model(label)._meta.verbose_name)


def model_choices() -> list[tuple[str, str]]:
    from audit.models import EVENT_MODELS

    return [(model._meta.label_lower, model._meta.verbose_name) for model in EVENT_MODELS]


def _text(value, field: models.Field) -> str:
    """A stored value as a person reads it: a choice's label, a time in local time to the
    second, a related row as its kind and number (`用户 #2`)."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.DateTimeField) and isinstance(value, str):
        moment = parse_datetime(value)
        if moment is not None:
            return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S")
    if field.is_relation:
        return f"{field.related_model._meta.verbose_name} #{value}"
    return str(value)


def changes(entry, user) -> list[Change]:
    """Old → new per field: an update's changed columns; a creation's values (old empty); a
    deletion's last values (new empty)."""
    columns = _columns(entry.model)
    if entry.action == "update":
        pairs = {column: tuple(values) for column, values in (entry.diff or {}).items()}
    elif entry.action == "delete":
        pairs = {column: (value, None) for column, value in entry.data.items()}
    else:
        pairs = {column: (None, value) for column, value in entry.data.items()}
    result = []
    for column, (old, new) in pairs.items():
        if (
            column in HIDDEN_COLUMNS
            or column not in columns
            or (old in (None, "") and new in (None, ""))
        ):
            continue
        name, field = columns[column]
        result.append(
            Change(
                field=name,
                old=shown_personal_value(user, column, _text(old, field)),
                new=shown_personal_value(user, column, _text(new, field)),
            )
        )
    return result


def changes_text(entry, user) -> str:
    return "; ".join(
        f"{change.field}: {change.old} → {change.new}" for change in changes(entry, user)
    )
