"""How a tracked model's writes become audit events: django-pghistory's row triggers, with two
more columns filled by the same trigger.

pghistory's trigger copies the row (NEW for inserts and updates, OLD for deletes) and the
request's context into the event table. Ours also stores

- `pgh_diff`: for an update, `{column: [old, new]}` of the columns that changed, computed from
  OLD and NEW inside the trigger, so the old value is known even for a row written before the
  trail began;
- `pgh_area_path`: the materialised path of the area the row belongs to, read from the row's own
  columns when it is written, so an event stays scoped after its row is deleted.

Being triggers, they see every write: the ORM, `QuerySet.update()`, bulk inserts, raw SQL.
"""

import pghistory
import pgtrigger
from django.db import models
from pghistory.trigger import Event as PghistoryEventTrigger

from communities.models import Area

# Columns that change on every save and say nothing about what changed.
NOT_DIFFED = ("updated_at",)


def area_path_sql(model: type[models.Model], chain: tuple[str, ...]) -> str:
    """SQL for the path of the area reached from `{row}` through the foreign keys in `chain`.

    `area_path_sql(BranchMember, ("branch", "area"))` reads the member's branch, then its area.
    """
    field = model._meta.get_field(chain[0])
    expression = f'{{row}}."{field.column}"'
    current = field.related_model
    for name in chain[1:]:
        field = current._meta.get_field(name)
        expression = (
            f'(SELECT "{field.column}" FROM "{current._meta.db_table}" '
            f'WHERE "{current._meta.pk.column}" = {expression})'
        )
        current = field.related_model
    if current is not Area:  # pragma: no cover - a wrong chain is a programming error
        raise ValueError(f"{model.__name__}: {chain} does not lead to an area")
    return f'(SELECT "path" FROM "{Area._meta.db_table}" WHERE "id" = {expression})'


def _diff_sql() -> str:
    skipped = ", ".join(f"'{column}'" for column in NOT_DIFFED)
    return (
        "(SELECT jsonb_object_agg(n.key, jsonb_build_array(o.value, n.value)) "
        "FROM jsonb_each(to_jsonb(OLD)) AS o JOIN jsonb_each(to_jsonb(NEW)) AS n "
        f"ON n.key = o.key WHERE o.value IS DISTINCT FROM n.value AND n.key NOT IN ({skipped}))"
    )


class _AuditTrigger(PghistoryEventTrigger):
    """pghistory's event trigger, also writing `pgh_area_path` and `pgh_diff`."""

    def __init__(self, *, area_chain: tuple[str, ...], **kwargs):
        self.area_chain = area_chain
        super().__init__(**kwargs)

    def get_func(self, model):
        sql = super().get_func(model).func
        head = f'INSERT INTO "{self.event_model._meta.db_table}" ('
        diff = _diff_sql() if self.operation == pgtrigger.Update else "NULL"
        area = area_path_sql(self.event_model.pgh_tracked_model, self.area_chain)
        area = area.replace("{row}", self.row)
        if head not in sql or ") VALUES (" not in sql:  # pragma: no cover - pghistory changed
            raise RuntimeError("pghistory's event trigger has an unexpected shape")
        sql = sql.replace(head, f'{head}"pgh_area_path", "pgh_diff", ', 1)
        sql = sql.replace(") VALUES (", f") VALUES ({area}, {diff}, ", 1)
        return pgtrigger.Func(sql)


class _AuditRowEvent(pghistory.RowEvent):
    area_chain: tuple[str, ...] = ()

    def add_event_trigger(self, event_model):
        pgtrigger.register(
            _AuditTrigger(
                area_chain=self.area_chain,
                event_model=event_model,
                label=self.label,
                name=self.trigger_name,
                row=self.row,
                operation=self.operation,
                condition=self.condition,
                level=pgtrigger.Row,
            )
        )(event_model.pgh_tracked_model)


def trackers(area_chain: tuple[str, ...]) -> tuple[pghistory.RowEvent, ...]:
    """Insert, update (when a column other than `updated_at` changes) and delete; `area_chain`
    leads from the row to its area (see `area_path_sql`)."""

    def make(label, operation, row, condition=None):
        tracker = type(
            f"Audit{label.title()}Event",
            (_AuditRowEvent,),
            {"label": label, "operation": operation, "row": row, "area_chain": area_chain},
        )
        return tracker(condition=condition) if condition is not None else tracker()

    return (
        make("insert", pgtrigger.Insert, "NEW"),
        make("update", pgtrigger.Update, "NEW", pghistory.AnyChange(exclude_auto=True)),
        make("delete", pgtrigger.Delete, "OLD"),
    )
