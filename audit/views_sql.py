"""The `audit_entry` view: every event table in one list, for the audit pages and export.

A migration creates it from `entry_view_sql()`; a test checks the view in the database names
every event model, so a model tracked later needs a migration that runs this again.
"""

from django.db import models


def _select(event_model: type[models.Model]) -> str:
    table = event_model._meta.db_table
    label = event_model.pgh_tracked_model._meta.label_lower
    return (
        f"SELECT '{label}:' || e.pgh_id AS id, '{label}'::varchar AS model, "
        "e.pgh_id AS event_id, e.pgh_created_at AS created_at, e.pgh_label::varchar AS action, "
        "e.pgh_obj_id::varchar AS object_id, e.pgh_area_path AS area_path, "
        "(e.pgh_context->>'user')::integer AS user_id, "
        "(e.pgh_context->>'username')::varchar AS username, "
        "(e.pgh_context->>'address')::varchar AS address, "
        "(e.pgh_context->>'method')::varchar AS method, "
        "(e.pgh_context->>'url')::varchar AS url, "
        "(e.pgh_context->>'command')::varchar AS command, "
        "e.pgh_diff AS diff, "
        "to_jsonb(e) - ARRAY['pgh_id', 'pgh_created_at', 'pgh_label', 'pgh_obj_id', "
        "'pgh_area_path', 'pgh_diff', 'pgh_context', 'pgh_context_id']::text[] AS data "
        f'FROM "{table}" AS e'
    )


def entry_view_sql() -> str:
    from audit.models import EVENT_MODELS

    union = "\nUNION ALL\n".join(_select(event) for event in EVENT_MODELS.values())
    return f"CREATE OR REPLACE VIEW audit_entry AS\n{union};"
