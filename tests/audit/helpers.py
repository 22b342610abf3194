"""Reading the trail back in the tests."""

from audit.models import AuditEntry


def events_of(obj, action=None):
    """The events of `obj`, newest first."""
    entries = AuditEntry.objects.filter(model=obj._meta.label_lower, object_id=str(obj.pk))
    return entries.filter(action=action) if action else entries
