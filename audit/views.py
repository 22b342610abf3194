"""The audit pages: every event of the tracked models, and the access log of personal data,
for the organisation department (its county) and administrators. Anyone else gets a 404."""

from django.http import Http404
from django.views.generic import DetailView
from django_filters.views import FilterView

from audit.exports import events_response
from audit.filters import AccessLogFilterSet, AuditEntryFilterSet
from audit.models import AccessLog, AuditEntry
from audit.navigation import sees_audit
from audit.selectors import ACTION_LABELS, changes, model_label
from cadres.personal_data import UNMASKED_EXPORT, record_access, sees_every_phone
from cadres.views.base import ExportMixin, FilteredListMixin


class AuditMixin:
    def dispatch(self, request, *args, **kwargs):
        if not sees_audit(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)


def _rows(entries, user):
    return [
        {
            "entry": entry,
            "model": model_label(entry.model),
            "action": ACTION_LABELS.get(entry.action, entry.action),
            "changes": changes(entry, user),
        }
        for entry in entries
    ]


class AuditEntryListView(AuditMixin, ExportMixin, FilteredListMixin, FilterView):
    """Newest first, filtered; `?export=xlsx` downloads the filtered events."""

    filterset_class = AuditEntryFilterSet
    template_name = "audit/auditentry_list.html"
    paginate_by = 50
    context_object_name = "entries"

    def get_queryset(self):
        return AuditEntry.objects.visible_to(self.request.user)

    def export_response(self, queryset):
        user = self.request.user
        response, count = events_response(queryset, user)
        if sees_every_phone(user):
            record_access(self.request, UNMASKED_EXPORT, export_name="audit trail", row_count=count)
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rows"] = _rows(context["entries"], self.request.user)
        return context


class AuditEntryDetailView(AuditMixin, DetailView):
    template_name = "audit/auditentry_detail.html"
    context_object_name = "entry"

    def get_queryset(self):
        return AuditEntry.objects.visible_to(self.request.user)

    def get_object(self, queryset=None):
        queryset = self.get_queryset()
        key = f"{self.kwargs['model']}:{self.kwargs['event_id']}"
        try:
            return queryset.get(pk=key)
        except AuditEntry.DoesNotExist as error:
            raise Http404 from error

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["row"] = _rows([self.object], self.request.user)[0]
        return context


class AccessLogListView(AuditMixin, FilteredListMixin, FilterView):
    filterset_class = AccessLogFilterSet
    template_name = "audit/accesslog_list.html"
    paginate_by = 50
    context_object_name = "accesses"

    def get_queryset(self):
        return AccessLog.objects.visible_to(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        context["query"] = query.urlencode()
        return context
