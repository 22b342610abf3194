"""The audit pages' filters, shared by the list and its Excel export."""

import django_filters
from django.utils.translation import gettext_lazy as _

from audit.models import AccessKind, AccessLog, AuditEntry
from audit.selectors import ACTION_LABELS, model_choices


class AuditEntryFilterSet(django_filters.FilterSet):
    model = django_filters.ChoiceFilter(label=_("Record type"), choices=model_choices)
    action = django_filters.ChoiceFilter(label=_("Action"), choices=list(ACTION_LABELS.items()))
    username = django_filters.CharFilter(label=_("User"), field_name="username")
    object_id = django_filters.CharFilter(label=_("Object id"), field_name="object_id")
    date_from = django_filters.DateFilter(
        label=_("From"), field_name="created_at", lookup_expr="date__gte"
    )
    date_to = django_filters.DateFilter(
        label=_("To"), field_name="created_at", lookup_expr="date__lte"
    )

    class Meta:
        model = AuditEntry
        fields = ["model", "action", "username", "object_id", "date_from", "date_to"]


class AccessLogFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label=_("What"), choices=AccessKind.choices)
    username = django_filters.CharFilter(label=_("User"), field_name="username")
    cadre_id = django_filters.NumberFilter(label=_("Cadre id"), field_name="cadre_id")
    date_from = django_filters.DateFilter(
        label=_("From"), field_name="created_at", lookup_expr="date__gte"
    )
    date_to = django_filters.DateFilter(
        label=_("To"), field_name="created_at", lookup_expr="date__lte"
    )

    class Meta:
        model = AccessLog
        fields = ["kind", "username", "cadre_id", "date_from", "date_to"]
