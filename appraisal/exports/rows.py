"""The rows and columns of the appraisal sheets: what each row reads from the database (the
selector's facts, the teams' figures once per community, the commendations), the columns declared
once for the export and the import, and the checksums that let an upload tell what was changed in
the sheet."""

import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from operator import itemgetter
from typing import Any

from django.contrib.postgres.aggregates import StringAgg
from django.db.models import (
    CharField,
    Count,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
    Window,
)
from django.db.models.functions import Cast, Concat
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cadres.choices import PostKind
from cadres.exports import CHUNK_SIZE

from ..choices import CommendationKind, Grade, Input
from ..models import HUNDREDTH, Appraisal, Commendation, Period
from ..selectors import appraisals_for_list
from .sheets import clean_text

SCORE_FORMAT = "0.00"
COUNT_FORMAT = "0"
# Separators inside the aggregated commendations: ASCII unit and record separators.
_FIELD, _RECORD = "\x1f", "\x1e"

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
# The inputs the composite is worked out from.
SCORED = ("inspection_score", "talk_score", "satisfied", "basically_satisfied", "unsatisfied")
TEAM_FACTS = ("team_reports", "team_problems", "team_problems_fixed")
# What a row reads from the database, besides the selector's facts.
ROW_FIELDS = (
    "id",
    "work_unit_id",
    "work_unit__name",
    "cadre__name",
    "cadre__position",
    "community_id",
    "community__name",
    *INPUT_FIELDS,
    "post_kinds",
    "days_registered",
)


# --- values -----------------------------------------------------------------------------------


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


def checksums(inputs: Mapping[str, Any]) -> str:
    """The hidden record of the inputs as written: a checksum of each, so that an upload tells
    the cells changed in the sheet from those left as they were (whatever the site holds now)."""
    sums = ".".join(checksum(name, inputs[name]) for name in INPUT_FIELDS)
    return f"{CHECKSUMS_VERSION}:{sums}"


def _labels(choices) -> Callable[[str], str]:
    labels = {value: str(label) for value, label in choices.choices}
    return lambda value: labels.get(value, "") if value else ""


def _posts(kinds: list[str] | None) -> str:
    labels: list[str] = []
    for kind in kinds or ():
        label = str(PostKind(kind).label)
        if label not in labels:
            labels.append(label)
    return "、".join(labels)


def _commendations(text: str | None) -> str:
    """'citation␟2020-03-01␞merit␟…' → '嘉奖 2020-03-01、记功 …'."""
    if not text:
        return ""
    kind = _labels(CommendationKind)
    return "、".join(
        f"{kind(value)} {day}" for value, day in (r.split(_FIELD) for r in text.split(_RECORD))
    )


# --- the columns ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A column of a unit's sheet, declared once for the export and the import: its key (the
    appraisal's field for an input), its header and the group header above it (two-row
    headers), how a cell is read from a row, and how it looks."""

    key: str
    header: Promise
    value: Callable[[dict], Any]
    width: float  # Excel's character units; a Chinese character takes about two
    group: Promise | None = None
    number_format: str = ""
    wrap: bool = False  # long text: wrapped, left aligned, the row grows
    hidden: bool = False


def appraisal_columns() -> list[Column]:
    """The columns of a unit's sheet, in order; the last two (hidden) identify the row."""
    grade = _labels(Grade)
    inspection, talk = Input.INSPECTION.label, Input.TALK.label
    evaluation, team = Input.EVALUATION.label, _("Supervision team")
    score, count = SCORE_FORMAT, COUNT_FORMAT

    def text(key: str) -> Callable[[dict], str]:
        return lambda row: clean_text(row[key])

    def number(key: str, group: Promise, header: Promise, width: float, fmt: str) -> Column:
        return Column(key, header, itemgetter(key), width, group, fmt)

    def note(key: str, group: Promise) -> Column:
        return Column(key, _("Note"), text(key), 20, group, wrap=True)

    return [
        Column("number", _("No."), itemgetter("number"), 5),
        Column("name", _("Name"), text("cadre__name"), 9),
        Column("work_unit", _("Work unit"), text("work_unit__name"), 14),
        Column("position", _("Position"), text("cadre__position"), 10),
        Column("community", _("Community served"), text("community__name"), 14),
        Column("posts", _("Posts in the community"), lambda r: _posts(r["post_kinds"]), 12),
        Column("days", _("Days registered"), itemgetter("days_registered"), 7, None, count),
        number("inspection_score", inspection, _("Score"), 7, score),
        note("inspection_note", inspection),
        number("talk_score", talk, _("Score"), 7, score),
        note("talk_note", talk),
        number("satisfied", evaluation, _("Satisfied"), 6, count),
        number("basically_satisfied", evaluation, _("Basically satisfied"), 7, count),
        number("unsatisfied", evaluation, _("Unsatisfied"), 6, count),
        number("evaluation_score", evaluation, _("Score"), 7, score),
        Column("composite", _("Composite score"), itemgetter("composite"), 8, None, score),
        Column("proposed_grade", _("Proposed grade"), lambda r: grade(r["proposed_grade"]), 8),
        Column("final_grade", _("Final grade"), lambda r: grade(r["final_grade"]), 8),
        Column("opinion", _("Appraisal opinion"), text("opinion"), 24, wrap=True),
        Column(
            "commendations",
            _("Commendations"),
            lambda r: _commendations(r["commendations_text"]),
            14,
            wrap=True,
        ),
        number("team_reports", team, _("Reports"), 6, count),
        number("team_problems", team, _("Problems found"), 7, count),
        number("team_problems_fixed", team, _("Problems solved"), 7, count),
        Column("id", _("Appraisal no. (do not change)"), itemgetter("id"), 10, hidden=True),
        Column("checksums", _("Checksums (do not change)"), checksums, 14, hidden=True),
    ]


# --- the rows ---------------------------------------------------------------------------------


def commendations_text(period: Period) -> Subquery:
    """Per appraisal, the cadre's commendations of the period (given in it, or dated within it
    when given outside any period) as one text, by PostgreSQL in the row's query."""
    of_period = Q(period=period.pk) | Q(
        period__isnull=True, awarded_on__range=(period.starts_on, period.ends_on)
    )
    kind_and_day = Concat(
        "kind", Value(_FIELD), Cast("awarded_on", CharField()), output_field=TextField()
    )
    text = (
        Commendation.objects.filter(of_period, cadre=OuterRef("cadre"))
        .order_by()
        .values("cadre")
        .annotate(text=StringAgg(kind_and_day, delimiter=_RECORD, order_by=("awarded_on", "id")))
        .values("text")
    )
    return Subquery(text, output_field=TextField())


def team_facts(period: Period, appraisals: QuerySet) -> dict[int, tuple]:
    """The supervision teams' figures per community served (reports, problems found, problems
    solved), by the selector's own definitions but worked out once per community instead of
    once per cadre: one query."""
    one_each = appraisals.order_by().values("community_id").annotate(first=Min("pk"))
    rows = appraisals_for_list(
        Appraisal.objects.filter(pk__in=Subquery(one_each.values("first")))
    ).values_list("community_id", *TEAM_FACTS)
    return {community: facts for community, *facts in rows}


def appraisal_rows(period: Period, appraisals: QuerySet) -> Iterator[dict]:
    """The period's appraisals of `appraisals` by work unit and name, as dicts: the fields of
    ROW_FIELDS, the selector's facts, the commendations, the number of rows of the work unit
    (`unit_rows`), and the evaluation score, composite and proposed grade by the model's own
    arithmetic. Two queries, the rows read through a
    server-side cursor."""
    appraisals = appraisals.filter(period=period)
    facts = team_facts(period, appraisals)
    rows = (
        appraisals_for_list(appraisals)
        .prefetch_related(None)
        .order_by("work_unit__name", "work_unit_id", "cadre__name", "id")
        # values() leaves out the selector's per-row team figures: they come per community.
        .values(
            *ROW_FIELDS,
            commendations_text=commendations_text(period),
            unit_rows=Window(Count("pk"), partition_by=[F("work_unit_id")]),
        )
    )
    scratch = Appraisal(period=period)  # the model's properties, one row at a time
    for row in rows.iterator(chunk_size=CHUNK_SIZE):
        for name in SCORED:
            setattr(scratch, name, row[name])
        row["evaluation_score"] = scratch.evaluation_score
        row["composite"] = scratch.composite
        row["proposed_grade"] = scratch.proposed_grade
        row.update(zip(TEAM_FACTS, facts.get(row["community_id"], (0, 0, 0)), strict=True))
        yield row
